//! A deterministic workflow on a chain whose adapter has no `blocks` export, through a
//! real node process: its runs are recorded as failed, naming the adapter and what to do,
//! while a workflow without the flag on the same chain keeps running. The sparse fixture
//! (`conformance/fixtures/sparse-chain`, world `chain-adapter`) makes a height every 200 ms
//! and reaches nothing, so no chain process is needed.
//! Needs `cargo build --bins` and `scripts/build-guests.sh`.

use serde_json::json;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};
use wavs_client::NodeClient;
use wavs_devnet::launch::start_node;
use wavs_devnet::{guest, paths};
use wavs_types::execution::{ExecutionRecord, Outcome};

/// Where results would go; unused, as the service submits nowhere.
const NO_AGGREGATOR: &str = "http://127.0.0.1:9";

fn chain_toml() -> String {
    let genesis_ms = SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_millis();
    format!(
        "[chains.sparse]\nfamily = \"sparse\"\nchain-id = \"sparse-1\"\nrpc-urls = [\"http://127.0.0.1:9\"]\npoll-interval-ms = 100\n\n\
         [chains.sparse.options]\ngenesis-ms = \"{genesis_ms}\"\nblock-ms = \"200\"\nskip-every = \"1000\"\n"
    )
}

/// Waits until `workflow` has a recorded execution; returns it.
async fn first_run(client: &NodeClient, workflow: &str, log: impl Fn() -> String) -> ExecutionRecord {
    let started = Instant::now();
    loop {
        let records = client.executions(Some("entropy"), 100).await.unwrap_or_else(|e| panic!("GET /executions: {e}"));
        if let Some(record) = records.into_iter().find(|r| r.workflow_id == workflow) {
            return record;
        }
        assert!(started.elapsed() < Duration::from_secs(30), "{workflow} never ran\n{}", log());
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_deterministic_run_on_an_adapter_without_blocks_fails_naming_it() {
    paths::require(&paths::binary("wavs"), "run `cargo build --bins`").unwrap();
    let (sparse, entropy) = (guest("fixtures/sparse-chain.wasm"), guest("components/entropy.wasm"));
    let dir = tempfile::tempdir().unwrap();
    let adapters = dir.path().join("adapters");
    std::fs::create_dir_all(&adapters).unwrap();
    std::fs::copy(&sparse, adapters.join("sparse.wasm")).unwrap();
    let node = start_node(dir.path(), &adapters, 0, &chain_toml(), NO_AGGREGATOR).await.expect("node starts");
    let client = NodeClient::new(&node.url);

    let digest = client.upload_component(std::fs::read(&entropy).unwrap(), true).await.unwrap();
    let every_block = json!({ "block-interval": { "chain": "sparse", "every": 1 } });
    let manifest = json!({
        "id": "entropy",
        "components": { "entropy": { "digest": digest } },
        "workflows": {
            "fixed": { "trigger": every_block, "component": "entropy", "submit": "none", "deterministic": true },
            "free": { "trigger": every_block, "component": "entropy", "submit": "none" },
        },
    });
    client.deploy(&manifest).await.unwrap_or_else(|e| panic!("POST /services: {e}"));

    let log = || node.process.log_tail(30);
    let fixed = first_run(&client, "fixed", log).await;
    let Outcome::Error { kind, message, retryable } = &fixed.outcome else { panic!("the run must fail: {fixed:?}") };
    assert!(!retryable, "{fixed:?}");
    assert_eq!(kind, "adapter", "{fixed:?}");
    assert!(message.contains("sparse") && message.contains("no `blocks` interface") && message.contains("deterministic"), "{message}");

    let free = first_run(&client, "free", log).await;
    assert_eq!(free.outcome, Outcome::Ok, "the same chain serves a workflow without the flag: {free:?}");
}
