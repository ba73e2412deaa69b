//! End-to-end on a real anvil chain: three operator node processes, quorum 2 of 3, an
//! aggregator process, the EVM adapter loaded from its `.wasm`, and the reference
//! contracts. Needs `scripts/build-guests.sh`, `cargo build --workspace` and anvil
//! (scripts/install-tools.sh); `scripts/test.sh` does all of it.

use serde_json::{Value, json};
use std::time::{Duration, Instant};
use wavs_devnet::stub_http::serve;
use wavs_devnet::{Devnet, DevnetOptions, guest};
use wavs_types::EnvelopeState;
use wavs_types::execution::{ExecutionRecord, Outcome};
use wavs_devnet::bursts::uint;

async fn devnet() -> Devnet {
    let devnet = Devnet::start(DevnetOptions::default(), &|s| eprintln!("[devnet] {s}")).await.expect("devnet starts");
    let manifest = devnet.square_manifest("square");
    devnet
        .deploy_service(manifest, &[("square", guest("components/square.wasm"))])
        .await
        .expect("square service deploys");
    devnet
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn results_land_with_quorum_and_not_without_it() {
    let mut devnet = devnet().await;

    // All three operators up.
    let trigger = devnet.fire_trigger(&uint(7)).await.unwrap();
    let event_id = devnet.event_id("square", &trigger);
    let payload = devnet.wait_landed(&event_id, Duration::from_secs(60)).await.unwrap();
    assert_eq!(payload, uint(49), "the handler holds 7 squared");
    eprintln!("trigger -> result on chain: {} ms", trigger.at.elapsed().as_millis());

    // One node down: 2 of 3 still meet the threshold.
    devnet.stop_node(2);
    let trigger = devnet.fire_trigger(&uint(12)).await.unwrap();
    let event_id = devnet.event_id("square", &trigger);
    let payload = devnet.wait_landed(&event_id, Duration::from_secs(60)).await.unwrap();
    assert_eq!(payload, uint(144), "the result lands with one operator down");

    // Two nodes down: one signature, threshold 2 — nothing lands.
    devnet.stop_node(1);
    let trigger = devnet.fire_trigger(&uint(5)).await.unwrap();
    let event_id = devnet.event_id("square", &trigger);
    let started = Instant::now();
    let status = loop {
        if let Some(status) = devnet.aggregator_status(&event_id).await {
            break status;
        }
        assert!(started.elapsed() < Duration::from_secs(60), "the remaining operator never reached the aggregator");
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    // Give a wrong submission time to happen, then check the chain.
    tokio::time::sleep(Duration::from_secs(3)).await;
    assert_eq!(devnet.handled_payload(&event_id).await.unwrap(), None, "nothing lands below quorum");
    let status = devnet.aggregator_status(&event_id).await.unwrap_or(status);
    match status.state {
        EnvelopeState::Pending { signed_weight, threshold, .. } => assert_eq!((signed_weight, threshold), (1, 2)),
        other => panic!("expected a pending envelope below quorum, got {other:?}"),
    }
    assert!(status.detail.contains("insufficient quorum"), "aggregator says why: {}", status.detail);
}

fn fetch_manifest(id: &str, port: u16, granted: &[String]) -> Value {
    json!({
        "id": id,
        "components": { "fetch": {
            "digest": "",
            "config": { "url": format!("http://127.0.0.1:{port}/price") },
            "permissions": { "allowed-http-hosts": granted },
        } },
        "workflows": { "main": { "trigger": "manual", "component": "fetch", "submit": "none" } }
    })
}

async fn run_task(devnet: &Devnet, service: &str, task: &str) -> ExecutionRecord {
    devnet.post_task(&devnet.nodes[0].url, service, "main", task, b"").await.unwrap_or_else(|e| panic!("task accepted: {e}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_component_reaching_a_forbidden_host_fails_alone() {
    let devnet = devnet().await;
    let port = serve("42").await;
    let fetch = guest("components/http-fetch.wasm");
    devnet.deploy_service(fetch_manifest("fetch-denied", port, &[]), &[("fetch", fetch.clone())]).await.unwrap();
    let granted = vec![format!("127.0.0.1:{port}")];
    devnet.deploy_service(fetch_manifest("fetch-granted", port, &granted), &[("fetch", fetch)]).await.unwrap();

    let denied = run_task(&devnet, "fetch-denied", "t1").await;
    let Outcome::Error { message, .. } = &denied.outcome else { panic!("the denied fetch should fail: {denied:?}") };
    assert!(message.contains(&format!("127.0.0.1:{port}")) && message.contains("not granted"), "{message}");

    let granted = run_task(&devnet, "fetch-granted", "t2").await;
    assert_eq!(granted.outcome, Outcome::Ok, "{granted:?}");
    assert_eq!(granted.results.first().map(|r| r.payload.as_slice()), Some(&b"42"[..]), "the granted host's body \"42\" is the payload");

    // The other service keeps landing results.
    let trigger = devnet.fire_trigger(&uint(9)).await.unwrap();
    let payload = devnet.wait_landed(&devnet.event_id("square", &trigger), Duration::from_secs(60)).await.unwrap();
    assert_eq!(payload, uint(81));
}
