//! A chain read with `finality = "finalized"`, on a real anvil (which finalizes the
//! block 64 below its newest): a trigger is not read while its block is above the
//! finalized head, even though the node has read everything below it; once the chain
//! finalizes the block, the trigger runs and its result lands.

use std::time::Duration;
use wavs_devnet::bursts::uint;
use wavs_devnet::{Devnet, DevnetOptions, guest};
use wavs_types::{ChainState, Finality};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_finality_finalized_a_trigger_runs_once_its_block_is_final() {
    let opts = DevnetOptions { operators: 1, threshold: 1, ..DevnetOptions::default() };
    let mut devnet = Devnet::start(opts, &|s| eprintln!("[devnet] {s}")).await.expect("devnet starts");
    devnet.chains[0].chain.spec.finality = Finality::Finalized;
    let evm = [("evm.wasm", guest("adapters/evm.wasm"))];
    let (url, _) = devnet.replace_node(0, "finalized", &evm, "").await.expect("node starts");
    devnet.deploy_service(devnet.square_manifest("square"), &[("square", guest("components/square.wasm"))]).await.unwrap();
    let name = devnet.primary().name.clone();
    let node = devnet.nodes.len() - 1; // the replacement
    // A chain long enough to have a finalized head, then the trigger on top of it.
    devnet.chains[0].chain.mine_blocks(80).await.unwrap();
    let fired = devnet.fire_trigger(&uint(7)).await.unwrap();
    let event_id = devnet.event_id("square", &fired);

    // The node has read everything final, and the trigger's block is not final yet.
    let read_all_final = |h: &wavs_types::health::NodeHealth| {
        h.chains.get(&name).is_some_and(|c| {
            c.state == ChainState::Active && c.head >= Some(fired.height - 64) && c.cursor == c.head.map(|head| head + 1)
        })
    };
    let health = devnet.wait_for_health(&url, "the node reads up to the finalized head", read_all_final).await.unwrap();
    let chain = &health.chains[&name];
    assert!(chain.head < Some(fired.height), "the head read up to is the finalized one: {chain:?}, trigger at {}", fired.height);
    assert!(devnet.executions(node, "square").await.unwrap().is_empty(), "the trigger above the finalized head did not run");
    assert_eq!(devnet.handled_payload(&event_id).await.unwrap(), None);

    // The chain finalizes the block: the trigger runs and 7² lands.
    devnet.chains[0].chain.mine_blocks(64).await.unwrap();
    let landed = devnet.wait_landed(&event_id, Duration::from_secs(120)).await.unwrap();
    assert_eq!(landed, uint(49), "the handler holds 7 squared");
    let runs = devnet.executions(node, "square").await.unwrap();
    assert_eq!(runs.len(), 1, "one execution: {runs:?}");
}
