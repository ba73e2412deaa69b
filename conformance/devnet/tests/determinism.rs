//! Agreement by construction, on a real anvil chain with three operator node processes
//! (threshold 2) and an aggregator process: the `entropy` component returns random bytes
//! and the wall-clock time. Deployed twice on the same trigger: without `deterministic`
//! the three operators sign three different results, nothing lands, and the aggregator
//! shows the three competing digests, each signed by one operator; with it, the result
//! lands and its time is the trigger block's timestamp as anvil reports it.
//! Needs `scripts/build-guests.sh`, the host binaries and anvil (`scripts/test.sh`).

use serde_json::{Value, json};
use std::time::Duration;
use wavs_devnet::{Devnet, DevnetOptions, FiredTrigger, guest};
use wavs_types::aggregator_events::EventResults;

/// The `entropy` service `id` on the primary chain's trigger contract.
fn entropy_manifest(devnet: &Devnet, id: &str, deterministic: bool) -> Value {
    let mut manifest = devnet.square_manifest(id);
    manifest["components"] = json!({ "entropy": { "digest": "" } });
    manifest["workflows"]["main"]["component"] = json!("entropy");
    manifest["workflows"]["main"]["deterministic"] = json!(deterministic);
    manifest
}

/// The timestamp anvil gives the block at `height`, in ms, read from its own RPC.
async fn anvil_block_ms(devnet: &Devnet, height: u64) -> u64 {
    let rpc = &devnet.primary().chain.spec.rpc_urls[0];
    let request = json!({ "jsonrpc": "2.0", "id": 1, "method": "eth_getBlockByNumber", "params": [format!("0x{height:x}"), false] });
    let answer: Value = reqwest::Client::new().post(rpc).json(&request).send().await.unwrap().json().await.unwrap();
    let seconds = answer["result"]["timestamp"].as_str().unwrap_or_else(|| panic!("no timestamp: {answer}"));
    u64::from_str_radix(seconds.trim_start_matches("0x"), 16).unwrap() * 1000
}

async fn fire(devnet: &Devnet) -> FiredTrigger {
    devnet.fire_trigger(b"any").await.expect("trigger fires")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn random_results_reach_a_quorum_only_in_deterministic_mode() {
    let devnet = Devnet::start(DevnetOptions::default(), &|s| eprintln!("[devnet] {s}")).await.expect("devnet starts");
    let entropy = guest("components/entropy.wasm");
    for (id, deterministic) in [("entropy-free", false), ("entropy-fixed", true)] {
        devnet.deploy_service(entropy_manifest(&devnet, id, deterministic), &[("entropy", entropy.clone())]).await.unwrap();
    }
    let trigger = fire(&devnet).await;

    // Deterministic: every operator computes the same bytes, so the result lands, and
    // its clock read the trigger block's time.
    let fixed = devnet.event_id("entropy-fixed", &trigger);
    let payload = devnet.wait_landed(&fixed, Duration::from_secs(60)).await.unwrap();
    assert_eq!(payload.len(), 24, "16 random bytes and a u64 time: {payload:?}");
    let time_ms = u64::from_be_bytes(payload[16..].try_into().unwrap());
    assert_eq!(time_ms, anvil_block_ms(&devnet, trigger.height).await, "the wall clock is the trigger block's time");

    // Not deterministic: three operators, three results, each signed by one of them.
    let free = devnet.event_id("entropy-free", &trigger);
    let url = format!("{}/events/0x{}", devnet.aggregator_url, hex::encode(&free));
    let body = devnet.wait_for(&url, "three competing results", |b| b["results"].as_array().is_some_and(|r| r.len() == 3)).await.unwrap();
    let results: EventResults = serde_json::from_value(body).unwrap();
    let mut signers: Vec<String> = results.results.iter().flat_map(|r| r.signers.iter().map(|s| s.operator.clone())).collect();
    assert!(results.results.iter().all(|r| r.signers.len() == 1 && r.threshold == 2), "{results:?}");
    signers.sort();
    signers.dedup();
    assert_eq!(signers.len(), 3, "each digest signed by a different operator: {results:?}");
    let mut digests: Vec<&String> = results.results.iter().map(|r| &r.digest).collect();
    digests.sort();
    digests.dedup();
    assert_eq!(digests.len(), 3, "{results:?}");

    let event = format!("0x{}", hex::encode(&free));
    let health = devnet
        .wait_for_aggregator_health("the competing event in /health", |h| h.competing.recent.iter().any(|e| e.event_id == event))
        .await
        .unwrap();
    assert_eq!(health.competing.events, 1, "{:?}", health.competing);
    assert_eq!(devnet.handled_payload(&free).await.unwrap(), None, "no result reached the threshold");
}
