//! Broken adapters in a running node: a file that traps in `describe()`, one of the
//! wrong world, one importing what the host does not offer are refused with their reason
//! in the API; one that loops forever in `events` is cut off at the adapter limits and
//! restarted. Meanwhile the node keeps landing results on its healthy chain.

use serde_json::Value;
use std::time::Duration;
use wavs_devnet::{Devnet, DevnetOptions, guest};
use wavs_devnet::bursts::uint;
use wavs_types::ChainState;

/// The refusal reason the node's `/adapters` gives for `file`.
fn reason(adapters: &Value, file: &str) -> String {
    let entry = adapters["files"].as_array().unwrap().iter().find(|f| f[0].as_str().unwrap().ends_with(file));
    let entry = entry.unwrap_or_else(|| panic!("{file} not listed: {adapters}"));
    assert_eq!(entry[1]["state"], "refused", "{file}: {entry}");
    entry[1]["reason"].as_str().unwrap().to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn broken_adapters_are_refused_or_contained_and_other_chains_keep_working() {
    let opts = DevnetOptions { operators: 1, threshold: 1, ..DevnetOptions::default() };
    let mut devnet = Devnet::start(opts, &|s| eprintln!("[devnet] {s}")).await.expect("devnet starts");
    let mut files = vec![("evm.wasm", guest("adapters/evm.wasm")), ("wrong-world.wasm", guest("components/echo.wasm"))];
    let fixtures = ["trap-in-describe", "unknown-import", "loop-in-events"].map(|v| format!("adapter-{v}.wasm"));
    for file in &fixtures {
        files.push((file, guest(&format!("fixtures/{file}"))));
    }
    // A chain served by the looping adapter, and a tight time limit so the test is quick.
    let config = "[chains.looping]\nfamily = \"broken\"\nchain-id = \"broken-1\"\nrpc-urls = [\"http://127.0.0.1:9\"]\n\n\
                  [limits.adapter]\ntime-ms = 2000\n";
    let (url, _) = devnet.replace_node(0, "broken", &files, config).await.expect("node starts despite broken adapters");
    let primary = devnet.primary().name.clone();

    let (_, listed) = devnet.get(&format!("{url}/adapters")).await.unwrap();
    let trapped = reason(&listed, "adapter-trap-in-describe.wasm");
    assert!(trapped.contains("describe() failed") && trapped.contains("describe() traps on purpose"), "{trapped}");
    let unknown = reason(&listed, "adapter-unknown-import.wasm");
    assert!(unknown.contains("wavs-fixture:broken/missing"), "{unknown}");
    let wrong = reason(&listed, "wrong-world.wasm");
    assert!(wrong.contains("not a chain adapter") || wrong.contains("does not offer"), "{wrong}");
    let families: Vec<&str> = listed["loaded"].as_array().unwrap().iter().map(|a| a["family"].as_str().unwrap()).collect();
    assert_eq!(families, ["broken", "evm"], "{listed}");

    // A workflow on the looping chain makes the node call its `events`.
    let manifest = serde_json::json!({
        "id": "on-looping-chain",
        "components": { "square": { "digest": "" } },
        "workflows": { "main": {
            "trigger": { "chain-event": { "chain": "looping", "contract": "anything", "event": "anything" } },
            "component": "square",
            "submit": "none"
        } }
    });
    let square = guest("components/square.wasm");
    devnet.deploy_service(manifest, &[("square", square.clone())]).await.expect("service on the looping chain deploys");
    devnet.deploy_service(devnet.square_manifest("square"), &[("square", square)]).await.expect("square deploys");

    // The restart is counted when the call is cut off, a moment before the reader records
    // the failed round: wait for both.
    let cut_off = |c: &wavs_types::health::ChainHealth| c.adapter_restarts >= 1 && c.state == ChainState::Error;
    let status = devnet
        .wait_for_health(&url, "looping chain reports its adapter cut off", |h| h.chains.get("looping").is_some_and(cut_off))
        .await
        .unwrap();
    let looping = &status.chains["looping"];
    assert_eq!(looping.state, ChainState::Error, "{looping:?}");
    let error = looping.error.as_deref().unwrap();
    assert!(error.contains("limit exceeded") && error.contains("events"), "{error}");

    // The healthy chain is unaffected: a trigger lands, and the node ran throughout.
    let trigger = devnet.fire_trigger(&uint(12)).await.unwrap();
    let landed = devnet.wait_landed(&devnet.event_id("square", &trigger), Duration::from_secs(60)).await.unwrap();
    assert_eq!(landed, uint(144));
    let (_, health) = devnet.node_health(&url).await.unwrap();
    assert!(health.chain_is(&primary, ChainState::Active), "{health:?}");
    assert!(!devnet.nodes[1].process.has_exited(), "the node ran throughout");
}
