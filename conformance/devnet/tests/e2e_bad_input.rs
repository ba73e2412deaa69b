//! Bad input against a live devnet gets a clear error and disturbs nothing: a manifest
//! with unknown fields or missing pieces, a signature from outside the operator set, a
//! chain whose RPC is down.

use serde_json::{Value, json};
use std::time::{Duration, Instant};
use wavs_devnet::{ChainKind, Devnet, DevnetOptions, guest};
use wavs_runtime::Signer;
use wavs_types::{SignedSubmission, WireEnvelope};
use wavs_types::ChainState;

async fn post(url: &str, body: String) -> (u16, Value) {
    // The content type a client of each endpoint sends: what is refused is the body.
    let content_type = if url.ends_with("/components") { "application/wasm" } else { "application/json" };
    let response =
        reqwest::Client::new().post(url).header(reqwest::header::CONTENT_TYPE, content_type).body(body).send().await.unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_manifests_and_forged_signatures_are_refused_by_name() {
    let devnet = Devnet::start(DevnetOptions::default(), &|s| eprintln!("[devnet] {s}")).await.unwrap();
    let node = &devnet.nodes[0].url;

    // Unknown field.
    let mut manifest = devnet.square_manifest("bad");
    manifest["workflows"]["main"]["retries"] = json!(3);
    let (status, body) = post(&format!("{node}/services"), manifest.to_string()).await;
    assert_eq!(status, 400);
    assert!(body["error"].as_str().unwrap().contains("unknown field `retries`"), "{body}");

    // A component that was never uploaded.
    let mut manifest = devnet.square_manifest("bad");
    manifest["components"]["square"]["digest"] = json!("ab".repeat(32));
    let (status, body) = post(&format!("{node}/services"), manifest.to_string()).await;
    assert_eq!(status, 400);
    assert!(body["error"].as_str().unwrap().contains("was not uploaded"), "{body}");

    // Limits above the operator's maxima.
    let digest = {
        let bytes = std::fs::read(guest("components/square.wasm")).unwrap();
        let response = reqwest::Client::new()
            .post(format!("{node}/components"))
            .header(reqwest::header::CONTENT_TYPE, "application/wasm")
            .body(bytes)
            .send()
            .await
            .unwrap();
        response.json::<Value>().await.unwrap()["digest"].as_str().unwrap().to_string()
    };
    let mut manifest = devnet.square_manifest("bad");
    manifest["components"]["square"]["digest"] = json!(digest);
    manifest["components"]["square"]["limits"] = json!({ "memory-bytes": 1u64 << 40 });
    let (status, body) = post(&format!("{node}/services"), manifest.to_string()).await;
    assert_eq!(status, 400);
    assert!(body["error"].as_str().unwrap().contains("memory-bytes"), "{body}");

    // A non-component upload.
    let (status, body) = post(&format!("{node}/components"), "not wasm".into()).await;
    assert_eq!(status, 400, "{body}");

    // A signature from a key outside the operator set never counts.
    let envelope = WireEnvelope { event_id: vec![9; 20], ordering: vec![0; 12], payload: vec![1, 2, 3] };
    let digest = devnet.primary().digest(&envelope).await.unwrap();
    let outsider = Signer::from_hex(&"42".repeat(32)).unwrap();
    let forged = SignedSubmission {
        service_id: "square".into(),
        workflow_id: "main".into(),
        chain: devnet.primary().name.clone(),
        handler: devnet.primary().deployment.handler.clone(),
        manager: devnet.primary().deployment.manager.clone(),
        envelope,
        signature: outsider.sign_digest(&digest).unwrap(),
        scheme: Default::default(),
        public_key: vec![],
    };
    let (status, body) = post(&format!("{}/envelopes", devnet.aggregator_url), serde_json::to_string(&forged).unwrap()).await;
    assert_eq!(status, 403, "{body}");
    assert!(body["error"].as_str().unwrap().contains("not an operator"), "{body}");
    assert_eq!(body["retryable"], false);

    // The node still serves.
    let (status, _) = devnet.get(&format!("{node}/health")).await.unwrap();
    assert_eq!(status, 200);
}

/// Stops the chain under a running node and waits for its health to report the error.
async fn dead_rpc_is_reported(kind: ChainKind) {
    let opts = DevnetOptions { operators: 1, threshold: 1, chains: vec![kind], ..DevnetOptions::default() };
    let mut devnet = Devnet::start(opts, &|s| eprintln!("[devnet] {s}")).await.unwrap();
    let node = devnet.nodes[0].url.clone();
    devnet.chains[0].chain.process.stop();
    let started = Instant::now();
    let chain = loop {
        let (_, health) = devnet.node_health(&node).await.unwrap();
        let chain = health.chains.get(&devnet.primary().name).cloned().unwrap_or_default();
        if chain.state == ChainState::Error {
            break chain;
        }
        assert!(started.elapsed() < Duration::from_secs(30), "{kind:?}: chain never reported the dead RPC: {health:?}");
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    let error = chain.error.as_deref().unwrap_or_default();
    assert!(error.contains("transient"), "{kind:?}: the adapter classifies a dead RPC as transient: {error}");
    assert!(!devnet.nodes[0].process.has_exited(), "{kind:?}: the node keeps running");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dead_evm_rpc_endpoint_is_reported_and_retried_without_crashing() {
    dead_rpc_is_reported(ChainKind::Anvil).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dead_cosmos_rpc_endpoint_is_reported_and_retried_without_crashing() {
    dead_rpc_is_reported(ChainKind::Wasmd).await;
}
