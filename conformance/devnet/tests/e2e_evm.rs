//! End-to-end on a real anvil chain: three operator node processes, quorum 2 of 3, an
//! aggregator process, the EVM adapter loaded from its `.wasm`, and the reference
//! contracts. Needs `scripts/build-guests.sh`, `cargo build --workspace` and anvil
//! (scripts/install-tools.sh); `scripts/test.sh` does all of it.

use serde_json::{Value, json};
use std::time::Duration;
use wavs_devnet::stub_http::serve;
use wavs_devnet::quorum::{lands_with_quorum_and_not_without_it, square_devnet};
use wavs_devnet::{Devnet, DevnetOptions, guest};
use wavs_types::execution::{ExecutionRecord, Outcome};
use wavs_devnet::bursts::uint;

async fn devnet() -> Devnet {
    square_devnet(DevnetOptions::default()).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn results_land_with_quorum_and_not_without_it() {
    let mut devnet = devnet().await;
    lands_with_quorum_and_not_without_it(&mut devnet).await;
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
