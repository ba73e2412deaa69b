//! Hot-loading a chain into a running node: the node starts without the adapter its
//! chain needs and says so; the adapter file is copied in and the chain goes active and
//! lands a trigger without a restart; then a new build replaces the file and is swapped
//! in without losing the cursor or a trigger.

use std::path::Path;
use std::time::Duration;
use wavs_devnet::{Devnet, DevnetOptions, guest};
use wavs_devnet::bursts::uint;

/// Writes `bytes` to `path` the way an operator's `cp` + `mv` does: never half a file.
fn install(path: &Path, bytes: &[u8]) {
    let tmp = path.with_extension("partial");
    std::fs::write(&tmp, bytes).unwrap();
    std::fs::rename(&tmp, path).unwrap();
}

/// The same adapter with a custom section appended: another build, another digest.
fn rebuilt(bytes: &[u8]) -> Vec<u8> {
    let name = b"wavs-rebuild";
    let payload = b"2";
    let mut out = bytes.to_vec();
    out.push(0); // custom section
    out.push((1 + name.len() + payload.len()) as u8);
    out.push(name.len() as u8);
    out.extend_from_slice(name);
    out.extend_from_slice(payload);
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_adapter_dropped_into_a_running_node_is_loaded_and_a_new_build_swapped_in() {
    let opts = DevnetOptions { operators: 1, threshold: 1, ..DevnetOptions::default() };
    let mut devnet = Devnet::start(opts, &|s| eprintln!("[devnet] {s}")).await.expect("devnet starts");
    // Replace the devnet's node with one whose adapters directory is empty.
    let (url, adapters) = devnet.replace_node(0, "hot", &[], "").await.expect("node starts without adapters");
    let chain = devnet.primary().name.clone();

    let health = format!("{url}/health");
    devnet.wait_for(&health, "chain waits for an adapter", |h| h["chains"][&chain]["state"] == "waiting-for-adapter").await.unwrap();
    let manifest = devnet.square_manifest("square");
    devnet.deploy_service(manifest, &[("square", guest("components/square.wasm"))]).await.expect("a service deploys while its chain waits");

    // Drop the adapter in: no restart.
    let evm = std::fs::read(guest("adapters/evm.wasm")).unwrap();
    install(&adapters.join("evm.wasm"), &evm);
    devnet.wait_for(&health, "chain goes active", |h| h["chains"][&chain]["state"] == "active").await.unwrap();
    let trigger = devnet.fire_trigger(&uint(7)).await.unwrap();
    let landed = devnet.wait_landed(&devnet.event_id("square", &trigger), Duration::from_secs(60)).await.unwrap();
    assert_eq!(landed, uint(49), "a trigger lands through the hot-loaded adapter");

    // Swap in a new build; a trigger fired around the swap and one after both land.
    let (_, before) = devnet.get(&format!("{url}/adapters")).await.unwrap();
    let old_digest = before["loaded"][0]["digest"].as_str().unwrap().to_string();
    let around = devnet.fire_trigger(&uint(8)).await.unwrap();
    install(&adapters.join("evm.wasm"), &rebuilt(&evm));
    let after = devnet.wait_for(&format!("{url}/adapters"), "new build loaded", |a| {
        a["loaded"][0]["digest"].as_str().is_some_and(|d| d != old_digest)
    })
    .await
    .unwrap();
    assert_eq!(after["loaded"].as_array().unwrap().len(), 1, "one adapter per family after the swap: {after}");
    let later = devnet.fire_trigger(&uint(9)).await.unwrap();
    for (trigger, expected) in [(&around, 64), (&later, 81)] {
        let landed = devnet.wait_landed(&devnet.event_id("square", trigger), Duration::from_secs(60)).await.unwrap();
        assert_eq!(landed, uint(expected), "no trigger lost across the swap");
    }
    assert!(!devnet.nodes[1].process.has_exited(), "the node ran throughout");
}
