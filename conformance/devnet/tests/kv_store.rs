//! A service's key-value store through a real node process: the `kv-counter` component
//! counts 1, 2, 3; the node is killed with SIGKILL (no chance to flush) and started
//! again on the same data directory; the count goes on at 4. A second service on the
//! same node counts from 1: stores are per service.
//! Needs `cargo build --bins` and `scripts/build-guests.sh`; no chain.

use serde_json::json;
use std::path::Path;
use std::time::Duration;
use wavs_devnet::launch::{NodeProcess, start_node};
use wavs_devnet::process::{Managed, port_open};
use wavs_devnet::{guest, paths};
use wavs_client::NodeClient;
use wavs_types::execution::Outcome;

/// Where results would go; unused, as the services submit nowhere.
const NO_AGGREGATOR: &str = "http://127.0.0.1:9";

/// Uploads kv-counter and deploys it as service `id`, with one manual workflow `tick`
/// that submits nowhere.
async fn deploy_counter(node: &str, id: &str) {
    let bytes = std::fs::read(guest("components/kv-counter.wasm")).expect("run scripts/build-guests.sh");
    let client = NodeClient::new(node);
    let digest = client.upload_component(bytes, true).await.unwrap_or_else(|e| panic!("POST {node}/components: {e}"));
    let manifest = json!({
        "id": id,
        "components": { "counter": { "digest": digest } },
        "workflows": { "tick": { "trigger": "manual", "component": "counter", "submit": "none" } },
    });
    client.deploy(&manifest).await.unwrap_or_else(|e| panic!("POST {node}/services: {e}"));
}

/// Posts a manual task to `service` and returns the count it answered with.
async fn tick(node: &str, service: &str, task_id: &str) -> u64 {
    let answer = NodeClient::new(node).post_task(service, "tick", task_id, b"").await;
    let record = answer.unwrap_or_else(|e| panic!("POST {node}/services/{service}/workflows/tick/tasks: {e}"));
    assert!(matches!(record.outcome, Outcome::Ok), "{record:?}");
    let bytes = &record.results.first().unwrap_or_else(|| panic!("no result: {record:?}")).payload;
    assert_eq!(bytes.len(), 32, "a uint256, as on chain: {bytes:?}");
    assert!(bytes[..24].iter().all(|&b| b == 0), "{bytes:?}");
    u64::from_be_bytes(bytes[24..].try_into().unwrap())
}

/// Kills the node with SIGKILL and starts the same binary on the same config file
/// (same port, same data directory), logging to `node1-restarted.log`.
async fn kill_and_restart(dir: &Path, node: &mut NodeProcess) {
    node.process.stop();
    let port: u16 = node.url.rsplit(':').next().and_then(|p| p.parse().ok()).expect("a port in the node URL");
    let config = dir.join("node1.toml");
    let args = ["node", "--config", config.to_str().unwrap()];
    let mut process = Managed::spawn("node1-restarted", &paths::binary("wavs"), &args, &[("RUST_LOG", "info")], dir).unwrap();
    process.wait_until(Duration::from_secs(60), || port_open(port)).await.unwrap();
    node.process = process;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_store_survives_a_crash_and_is_separate_per_service() {
    paths::require(&paths::binary("wavs"), "run `cargo build --bins`").unwrap();
    let dir = tempfile::tempdir().unwrap();
    let adapters = dir.path().join("adapters");
    std::fs::create_dir_all(&adapters).unwrap();
    let mut node = start_node(dir.path(), &adapters, 0, "", NO_AGGREGATOR).await.expect("node starts");
    let url = node.url.clone();

    deploy_counter(&url, "counter-a").await;
    deploy_counter(&url, "counter-b").await;
    for expected in 1..=3 {
        assert_eq!(tick(&url, "counter-a", &format!("a-{expected}")).await, expected);
    }

    kill_and_restart(dir.path(), &mut node).await;
    assert_eq!(tick(&url, "counter-a", "a-4").await, 4, "the count survives kill -9 and a restart");
    assert_eq!(tick(&url, "counter-b", "b-1").await, 1, "another service on the same node has its own store");
    assert_eq!(tick(&url, "counter-a", "a-5").await, 5, "and does not touch the first one's");
    assert!(!node.process.has_exited(), "the node ran throughout:\n{}", node.process.log_tail(30));
}
