//! Fault test: reorgs on anvil (snapshot, revert, then different blocks) under a node
//! reading with confirmation depth 2. A trigger in a block the reorg orphaned never
//! lands; the trigger of the replacement chain does. When blocks the node had already
//! read are replaced, it rewinds to the common ancestor and carries on.

use serde_json::{Value, json};
use std::time::Duration;
use wavs_devnet::{Devnet, DevnetOptions, guest};
use wavs_devnet::bursts::uint;

/// A JSON-RPC call to anvil itself (test-side chain control, not the node's business).
async fn anvil(url: &str, method: &str, params: Value) -> Value {
    let body = json!({ "jsonrpc": "2.0", "id": 1, "method": method, "params": params });
    let answer: Value = reqwest::Client::new().post(url).json(&body).send().await.unwrap().json().await.unwrap();
    assert!(answer.get("error").is_none(), "{method}: {answer}");
    answer["result"].clone()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn orphaned_triggers_never_land_and_replacements_do() {
    let opts = DevnetOptions { operators: 1, threshold: 1, ..DevnetOptions::default() };
    let mut devnet = Devnet::start(opts, &|s| eprintln!("[devnet] {s}")).await.expect("devnet starts");
    devnet.chains[0].chain.spec.confirmations = 2;
    let evm = [("evm.wasm", guest("adapters/evm.wasm"))];
    let (url, _) = devnet.replace_node(0, "reorg", &evm, "").await.expect("node with confirmations = 2 starts");
    devnet.deploy_service(devnet.square_manifest("square"), &[("square", guest("components/square.wasm"))]).await.unwrap();
    let rpc = devnet.primary().chain.spec.rpc_urls[0].clone();
    let chain = devnet.primary().name.clone();

    // 1. A trigger one block deep is orphaned before it is confirmed.
    let snapshot = anvil(&rpc, "evm_snapshot", json!([])).await;
    let orphaned = devnet.fire_trigger(&uint(5)).await.unwrap();
    anvil(&rpc, "evm_revert", json!([snapshot])).await;
    let replacement = devnet.fire_trigger(&uint(6)).await.unwrap();
    assert_eq!(replacement.height, orphaned.height, "the replacement block has the orphaned block's height");
    anvil(&rpc, "anvil_mine", json!(["0x3"])).await;
    let landed = devnet.wait_landed(&devnet.event_id("square", &replacement), Duration::from_secs(60)).await.unwrap();
    assert_eq!(landed, uint(36), "the replacement trigger lands");

    // 2. Blocks the node has read are replaced: it rewinds and reads the new ones.
    let snapshot = anvil(&rpc, "evm_snapshot", json!([])).await;
    anvil(&rpc, "anvil_mine", json!(["0x6"])).await;
    let head = devnet.primary().deployer.head(wavs_runtime::bindings::adapter_api::BlockTag::Latest).await.unwrap().height;
    devnet
        .wait_for_health(&url, "node reads the blocks that will be replaced", |h| h.chains.get(&chain).and_then(|c| c.cursor) > Some(head - 2))
        .await
        .unwrap();
    anvil(&rpc, "evm_revert", json!([snapshot])).await;
    let after_reorg = devnet.fire_trigger(&uint(7)).await.unwrap();
    anvil(&rpc, "anvil_mine", json!(["0x8"])).await;
    let landed = devnet.wait_landed(&devnet.event_id("square", &after_reorg), Duration::from_secs(60)).await.unwrap();
    assert_eq!(landed, uint(49), "a trigger on the new branch lands after the rewind");

    // The orphaned trigger never landed, and the node said why it re-read blocks.
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert_eq!(devnet.handled_payload(&devnet.event_id("square", &orphaned)).await.unwrap(), None, "orphaned trigger landed");
    let log = std::fs::read_to_string(devnet.nodes[1].process.log()).unwrap();
    assert!(log.contains("reorg: blocks the node had read were replaced"), "the rewind is logged");
    eprintln!("[figures] reorg: orphaned triggers 1, landed 0; replacement triggers 2, landed 2; deep reorg rewound: yes");
}
