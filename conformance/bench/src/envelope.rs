//! Trigger to signed envelope on one node, in process: a `wavs_node::Node` opened in this
//! process (its own store, adapters and HTTP API on loopback) serving a real anvil, and
//! an aggregator stub (a tiny axum server) that records when each signed envelope
//! arrives and acknowledges it. Measured:
//!
//! - `manual`: `POST /services/{id}/workflows/main/tasks` to the envelope arriving at
//!   the stub (the node runs the component, asks the adapter for the digest, signs,
//!   records the execution and the outbox entry, and posts the envelope), and to the
//!   task's answer.
//! - `chain-event`: a trigger transaction mined on anvil to the envelope arriving
//!   (includes waiting for the node's next poll of the chain, every 100 ms here, as
//!   on the devnet; triggers are fired at a random phase of it, so half a poll
//!   interval on average).

use crate::emit;
use crate::util::{self, ms, say, stats};
use axum::extract::State;
use axum::{Json, Router, routing::post};
use serde_json::json;
use std::time::{Duration, Instant};
use tokio::sync::mpsc;
use wavs_devnet::bursts::uint;
use wavs_devnet::chain::LocalChain;
use wavs_devnet::devnet::{ChainKind, load_adapters};
use wavs_devnet::keys::{dev_key, dev_key_toml, operator_chain_key};
use wavs_devnet::launch::chains_toml;
use wavs_runtime::bindings::testing_api::TestOperator;
use wavs_runtime::{AdapterSigner, ChainAdapter, Limits};
use wavs_types::execution::Submission;
use wavs_types::{SignedSubmission, TriggerIdentity, derive_event_id};

/// An envelope as it reached the stub.
struct Arrival {
    event_id: Vec<u8>,
    payload: Vec<u8>,
    at: Instant,
}

/// Serves `POST /envelopes` on a free loopback port, acknowledging every signed
/// envelope and reporting its arrival on the channel. Returns the base URL.
async fn aggregator_stub() -> Result<(String, mpsc::UnboundedReceiver<Arrival>), String> {
    let (tx, rx) = mpsc::unbounded_channel();
    let app = Router::new()
        .route(
            "/envelopes",
            post(|State(tx): State<mpsc::UnboundedSender<Arrival>>, body: String| async move {
                let at = Instant::now();
                let submission: SignedSubmission = match serde_json::from_str(&body) {
                    Ok(s) => s,
                    Err(e) => return (axum::http::StatusCode::BAD_REQUEST, Json(json!({ "error": e.to_string(), "retryable": false }))),
                };
                let event_id = submission.envelope.event_id.clone();
                let _ = tx.send(Arrival { event_id: event_id.clone(), payload: submission.envelope.payload, at });
                let status = json!({
                    "event-id": wavs_types::hex_bytes::encode(&event_id),
                    "state": "pending", "signed-weight": 1, "threshold": 1, "signers": 1,
                    "detail": "acknowledged by the benchmark's stub",
                });
                (axum::http::StatusCode::OK, Json(status))
            }),
        )
        .with_state(tx);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.map_err(|e| e.to_string())?;
    let port = listener.local_addr().map_err(|e| e.to_string())?.port();
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    Ok((format!("http://127.0.0.1:{port}"), rx))
}

/// Waits for the arrival `wanted` picks out, keeping others for later.
async fn wait_arrival(
    rx: &mut mpsc::UnboundedReceiver<Arrival>,
    early: &mut Vec<Arrival>,
    wanted: impl Fn(&Arrival) -> bool,
    timeout: Duration,
) -> Result<Instant, String> {
    if let Some(i) = early.iter().position(&wanted) {
        return Ok(early.remove(i).at);
    }
    let deadline = tokio::time::Instant::now() + timeout;
    loop {
        match tokio::time::timeout_at(deadline, rx.recv()).await {
            Ok(Some(arrival)) if wanted(&arrival) => return Ok(arrival.at),
            Ok(Some(arrival)) => early.push(arrival),
            Ok(None) => return Err("the stub aggregator stopped".into()),
            Err(_) => return Err(format!("no signed envelope within {timeout:?}")),
        }
    }
}

/// Runs both paths: `tasks` manual tasks and `triggers` chain triggers, one at a time.
pub async fn run(tasks: usize, triggers: usize) -> Result<(), String> {
    let dir = tempfile::Builder::new().prefix("wavs-bench-envelope-").tempdir().map_err(|e| e.to_string())?;
    say("envelope: starting anvil, deploying the reference contracts");
    let chain = LocalChain::start_anvil(dir.path()).await?;
    let (registry, adapters_dir) = load_adapters(dir.path(), &[ChainKind::Anvil]).await?;
    let deployer = ChainAdapter::from_spec(registry, "anvil", &chain.spec, AdapterSigner::Submitting(dev_key(0)), Limits::ADAPTER_DEFAULT);
    // The node signs with its key for this chain, derived from its base key (dev key 2).
    let operators = [TestOperator { public_key: operator_chain_key(0, &chain.spec.family, &chain.spec.chain_id).public_key(), proof: vec![], weight: 1 }];
    let deployment = deployer.deploy_service(wavs_runtime::bindings::curves_api::Scheme::Secp256k1Ecdsa, &operators, 1).await.map_err(|e| e.to_string())?;

    let (stub_url, mut arrivals) = aggregator_stub().await?;
    let config = format!(
        "data-dir = \"{}\"\nadapters-dir = \"{}\"\napi-addr = \"127.0.0.1:0\"\naggregator-url = \"{stub_url}\"\n{}\n[operator]\n{}\n\n{}",
        dir.path().join("node").display(),
        adapters_dir.display(),
        // Opened in process, the node has no generated token: open, as the devnet's are.
        wavs_devnet::launch::DEVNET_OPEN_API,
        dev_key_toml(2),
        chains_toml(&[("anvil", &chain)]),
    );
    let config = wavs_node::NodeConfig::parse(&config).map_err(|e| e.to_string())?;
    config.validate().map_err(|e| e.to_string())?;
    let node = wavs_node::Node::open(config).await.map_err(|e| e.to_string())?;
    node.start_loops();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.map_err(|e| e.to_string())?;
    let node_url = format!("http://{}", listener.local_addr().map_err(|e| e.to_string())?);
    let router = wavs_node::api::router(node.clone());
    tokio::spawn(async move {
        let _ = axum::serve(listener, router).await;
    });

    let submit = json!({ "aggregator": { "chain": "anvil", "handler": deployment.handler, "manager": deployment.manager } });
    let (echo, _) = node.components().upload_component(&util::guest_bytes("components/echo.wasm")?).map_err(|e| e.to_string())?;
    let (square, _) = node.components().upload_component(&util::guest_bytes("components/square.wasm")?).map_err(|e| e.to_string())?;
    let manual = json!({
        "id": "env-manual",
        "components": { "c": { "digest": echo } },
        "workflows": { "main": { "trigger": "manual", "component": "c", "submit": submit } }
    });
    let on_chain = json!({
        "id": "env-chain",
        "components": { "c": { "digest": square } },
        "workflows": { "main": {
            "trigger": { "chain-event": {
                "chain": "anvil",
                "contract": deployment.trigger_filter.contract,
                "event": deployment.trigger_filter.event,
            } },
            "component": "c",
            "submit": submit
        } }
    });
    for manifest in [manual, on_chain] {
        let manifest = wavs_types::ServiceManifest::from_json(&manifest.to_string())?;
        node.services().deploy(manifest).map_err(|e| e.to_string())?;
    }
    let http = util::client();
    let mut early = Vec::new();

    say(&format!("envelope: {tasks} manual tasks"));
    let (mut to_envelope, mut to_answer) = (Vec::new(), Vec::new());
    // The first task opens connections and instantiates the adapter: not counted.
    for i in 0..=tasks {
        let task_id = format!("env-{i}");
        let event_id = derive_event_id("env-manual", "main", &TriggerIdentity::Manual { task_id: &task_id }, 0);
        let t0 = Instant::now();
        let record = util::task(&http, &node_url, "env-manual", &task_id, b"payload").await?;
        let answered = t0.elapsed();
        if !matches!(record.results.first().map(|r| &r.submission), Some(Submission::Sent { .. })) {
            return Err(format!("task {task_id}: the envelope was not sent: {record:?}"));
        }
        let at = wait_arrival(&mut arrivals, &mut early, |a| a.event_id == event_id, Duration::from_secs(10)).await?;
        if i > 0 {
            to_envelope.push(ms(at - t0));
            to_answer.push(ms(answered));
        }
    }
    let (env, ans) = (stats(&to_envelope), stats(&to_answer));
    emit!("envelope", {
        "trigger": "manual",
        "count": env.n,
        "to_signed_envelope_ms_mean": env.mean,
        "to_signed_envelope_ms_p50": env.p50,
        "to_signed_envelope_ms_p99": env.p99,
        "to_answer_ms_p50": ans.p50,
        "to_answer_ms_p99": ans.p99,
    });

    say(&format!("envelope: {triggers} chain triggers"));
    let (mut from_mined, mut from_fire, mut fire_ms) = (Vec::new(), Vec::new(), Vec::new());
    // Fired at a pseudo-random phase of the node's poll, as real triggers arrive (firing
    // right after the last envelope arrived would always land just after a poll).
    let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
    for i in 0..=triggers {
        let n = 1000 + i as u128;
        seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        tokio::time::sleep(Duration::from_millis((seed >> 33) % chain.spec.poll_interval_ms.max(1))).await;
        let t0 = Instant::now();
        deployer.fire_trigger(&deployment.trigger, &uint(n)).await.map_err(|e| e.to_string())?;
        let mined = Instant::now();
        let square = uint(n * n);
        let at = wait_arrival(&mut arrivals, &mut early, |a| a.payload == square, Duration::from_secs(20)).await?;
        if i > 0 {
            from_mined.push(ms(at - mined));
            from_fire.push(ms(at - t0));
            fire_ms.push(ms(mined - t0));
        }
    }
    let (mined, fired, send) = (stats(&from_mined), stats(&from_fire), stats(&fire_ms));
    emit!("envelope", {
        "trigger": "chain-event",
        "count": mined.n,
        "poll_interval_ms": chain.spec.poll_interval_ms,
        "mined_to_signed_envelope_ms_mean": mined.mean,
        "mined_to_signed_envelope_ms_p50": mined.p50,
        "mined_to_signed_envelope_ms_p99": mined.p99,
        "send_tx_to_signed_envelope_ms_p50": fired.p50,
        "send_tx_until_mined_ms_p50": send.p50,
    });
    drop(node);
    Ok(())
}
