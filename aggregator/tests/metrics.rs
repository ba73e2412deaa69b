//! `GET /metrics` of a running aggregator: Prometheus text whose counters follow the
//! submissions it was sent, queue and store sizes, and per-chain adapter state.

use wavs_types::fuzzing::prometheus_samples;
use wavs_aggregator::Aggregator;
use wavs_aggregator::config::AggregatorConfig;
use wavs_types::{SignedSubmission, WireEnvelope};

const SUBMITTER_KEY: &str = "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80";


#[tokio::test]
async fn metrics_count_received_and_rejected_submissions() {
    let dir = tempfile::tempdir().unwrap();
    let adapters = dir.path().join("adapters");
    std::fs::create_dir_all(&adapters).unwrap();
    let config = format!(
        "data-dir = {:?}\nadapters-dir = {adapters:?}\napi-addr = \"127.0.0.1:0\"\n\
         [submitter]\nprivate-key = \"{SUBMITTER_KEY}\"\n\
         [chains.anvil]\nfamily = \"evm\"\nchain-id = \"31337\"\nrpc-urls = [\"http://127.0.0.1:1\"]\n",
        dir.path().join("data")
    );
    let config = AggregatorConfig::parse(&config).unwrap();
    config.validate().unwrap();
    let handle = Aggregator::start(config).await.unwrap();
    let base = format!("http://{}", handle.addr);
    let http = reqwest::Client::new();

    // Two that parse (for a chain not configured here yet, so refused as retryable) and
    // one that does not.
    // Then one for a configured chain but an unknown target: refused by name (403)
    // before any chain work (the chain's RPC is unreachable and no adapter is loaded,
    // so touching it would have answered 503).
    let submission = SignedSubmission {
        service_id: "s".into(),
        workflow_id: "w".into(),
        chain: "nowhere".into(),
        handler: "0xhandler".into(),
        manager: "0xmanager".into(),
        envelope: WireEnvelope { event_id: vec![1; 20], ordering: vec![0; 12], payload: vec![7] },
        signature: vec![1; 65],
        scheme: Default::default(),
        public_key: vec![],
    };
    let parsed = serde_json::to_string(&submission).unwrap();
    for (body, expected) in [(parsed.clone(), 503), (parsed, 503), ("{".into(), 400)] {
        let status = http.post(format!("{base}/envelopes")).body(body).send().await.unwrap().status();
        assert_eq!(status, expected);
    }
    let unknown = SignedSubmission { chain: "anvil".into(), ..submission.clone() };
    let answer = http.post(format!("{base}/envelopes")).json(&unknown).send().await.unwrap();
    assert_eq!(answer.status(), 403);
    let error: wavs_types::ApiError = answer.json().await.unwrap();
    assert!(error.error.contains("is not served by this aggregator") && error.error.contains("POST /targets"), "{}", error.error);
    assert!(!error.retryable);

    let response = http.get(format!("{base}/metrics")).send().await.unwrap();
    assert_eq!(response.status(), 200);
    let content_type = response.headers()["content-type"].to_str().unwrap().to_string();
    assert!(content_type.starts_with("text/plain; version=0.0.4"), "{content_type}");
    let text = response.text().await.unwrap();
    let s = prometheus_samples(&text);
    assert_eq!(s["wavs_aggregator_received_total"], 4.0, "{text}");
    assert_eq!(s["wavs_aggregator_rejected_signatures_total"], 0.0, "{text}");
    assert_eq!(s["wavs_aggregator_refused_targets_total"], 3.0, "{text}");
    assert_eq!(s["wavs_aggregator_queue_depth"], 0.0, "{text}");
    assert_eq!(s["wavs_aggregator_pending_entries"], 0.0, "{text}");
    assert_eq!(s["wavs_aggregator_pending_bytes"], 0.0, "{text}");
    assert_eq!(s["wavs_aggregator_store_healthy"], 1.0, "{text}");
    assert!(s["wavs_aggregator_store_file_bytes"] > 0.0, "{text}");
    for counter in ["landed", "failed", "expired", "over_capacity", "stale_signatures", "batches", "store_errors"] {
        assert_eq!(s[&format!("wavs_aggregator_{counter}_total")], 0.0, "{text}");
    }
    assert_eq!(s["wavs_aggregator_adapter_loaded{chain=\"anvil\"}"], 0.0, "{text}");
    assert_eq!(s["wavs_aggregator_adapter_restarts_total{chain=\"anvil\"}"], 0.0, "{text}");
    assert!(text.contains("# TYPE wavs_aggregator_received_total counter"), "{text}");
}
