//! Hot-loading a chain into a running node: the node starts without the adapter its
//! chain needs and says so; the adapter file is copied in and the chain goes active and
//! lands a trigger without a restart; then a new build replaces the file and is swapped
//! in without losing the cursor or a trigger. Removed, the file's family goes: the chain
//! waits for an adapter, and an upgrade shipped under another name (`evm-v2.wasm`) loads
//! and lands the trigger fired meanwhile. The aggregator takes an `evm-v2.wasm` dropped
//! beside its `evm.wasm` (refused while both are there) once `evm.wasm` is removed.

use std::path::Path;
use std::time::Duration;
use wavs_devnet::{Devnet, DevnetOptions, guest};
use wavs_devnet::bursts::uint;
use wavs_types::ChainState;

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

    devnet.wait_for_health(&url, "chain waits for an adapter", |h| h.chain_is(&chain, ChainState::WaitingForAdapter)).await.unwrap();
    let manifest = devnet.square_manifest("square");
    devnet.deploy_service(manifest, &[("square", guest("components/square.wasm"))]).await.expect("a service deploys while its chain waits");

    // Drop the adapter in: no restart.
    let evm = std::fs::read(guest("adapters/evm.wasm")).unwrap();
    install(&adapters.join("evm.wasm"), &evm);
    devnet.wait_for_health(&url, "chain goes active", |h| h.chain_is(&chain, ChainState::Active)).await.unwrap();
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

    // Removed: the family is no longer served; a trigger fired meanwhile waits on chain.
    std::fs::remove_file(adapters.join("evm.wasm")).unwrap();
    devnet.wait_for_health(&url, "chain waits again", |h| h.chain_is(&chain, ChainState::WaitingForAdapter)).await.unwrap();
    let (_, listed) = devnet.get(&format!("{url}/adapters")).await.unwrap();
    assert_eq!(listed["loaded"].as_array().map(Vec::len), Some(0), "nothing served from a deleted file: {listed}");
    let meanwhile = devnet.fire_trigger(&uint(10)).await.unwrap();
    install(&adapters.join("evm-v2.wasm"), &rebuilt(&rebuilt(&evm)));
    devnet.wait_for_health(&url, "chain active on evm-v2.wasm", |h| h.chain_is(&chain, ChainState::Active)).await.unwrap();
    let (_, listed) = devnet.get(&format!("{url}/adapters")).await.unwrap();
    assert!(listed["loaded"][0]["path"].as_str().is_some_and(|p| p.ends_with("evm-v2.wasm")), "{listed}");
    let landed = devnet.wait_landed(&devnet.event_id("square", &meanwhile), Duration::from_secs(60)).await.unwrap();
    assert_eq!(landed, uint(100), "the trigger fired while no adapter was loaded lands after the upgrade");

    // The aggregator, on its own adapters directory: an upgrade dropped beside the old
    // file is refused until the old one goes, then taken without a restart.
    let shared = devnet.dir.path().join("adapters");
    install(&shared.join("evm-v2.wasm"), &rebuilt(&evm));
    tokio::time::sleep(Duration::from_secs(3)).await; // one rescan (every 2 s)
    let (_, before) = devnet.aggregator_health().await.unwrap();
    assert!(before.adapters.first().is_some_and(|a| a.path.ends_with("evm.wasm")), "the first file keeps its family: {before:?}");
    std::fs::remove_file(shared.join("evm.wasm")).unwrap();
    devnet
        .wait_for_aggregator_health("aggregator serves evm-v2.wasm", |h| {
            h.adapters.first().is_some_and(|a| a.path.ends_with("evm-v2.wasm")) && h.chains.get(&chain).is_some_and(|c| c.adapter_loaded)
        })
        .await
        .unwrap();
    let after_upgrade = devnet.fire_trigger(&uint(11)).await.unwrap();
    let landed = devnet.wait_landed(&devnet.event_id("square", &after_upgrade), Duration::from_secs(60)).await.unwrap();
    assert_eq!(landed, uint(121), "results land through the aggregator's upgraded adapter");
    assert!(!devnet.nodes[1].process.has_exited(), "the node ran throughout");
    assert!(!devnet.aggregator.as_mut().expect("an aggregator runs").has_exited(), "the aggregator ran throughout");
}
