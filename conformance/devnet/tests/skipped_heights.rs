//! A chain that skips heights, and a trigger kind its adapter defines, through a real node
//! process. The sparse fixture (`conformance/fixtures/sparse-chain`) makes a height every
//! 200 ms from the wall clock and holds no block at each height h with h % 3 == 1: its
//! `block-hash` answers `skipped` there. One service, submitting nowhere, has two
//! workflows running the echo component, which answers with the height:
//! - `blocks`, a block-interval trigger every 1: it runs for produced heights only, each
//!   once, and the node steps over skipped heights instead of stalling at the first one;
//! - `ticks`, the adapter's custom kind `tick` with `every = 2`: it runs for the even
//!   produced heights only.
//!
//! A manifest whose `tick` lacks `every`, or that names a kind the adapter does not
//! deliver, is refused at deploy with the adapter's own words (`check-filter`).
//!
//! Needs `cargo build --bins` and `scripts/build-guests.sh`; no chain process.

use serde_json::{Value, json};
use std::collections::BTreeSet;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};
use wavs_client::{ClientError, NodeClient};
use wavs_devnet::launch::{NodeProcess, start_node};
use wavs_devnet::{guest, paths};
use wavs_types::execution::{ExecutionRecord, Outcome};
use wavs_types::health::NodeHealth;
use wavs_types::{ChainState, TriggerIdentity, derive_event_id};

/// Where results would go; unused, as the service submits nowhere.
const NO_AGGREGATOR: &str = "http://127.0.0.1:9";

/// The service's id.
const SERVICE: &str = "sparse-steps";

/// The chain's shared identity, `family:chain-id`, which event ids hash.
const CAIP2: &str = "sparse:sparse-1";

/// The chain's `skip-every`: height h holds no block when h % SKIP_EVERY == 1.
const SKIP_EVERY: u64 = 3;

/// Produced heights the `blocks` workflow must run for, one after the other.
const BLOCKS_WANTED: usize = 12;

/// Even produced heights the `ticks` workflow must run for, one after the other.
const TICKS_WANTED: usize = 4;

/// How long each workflow has for them: 12 produced heights take ~4 s of chain time.
const WAIT: Duration = Duration::from_secs(30);

fn now_ms() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_millis() as u64
}

fn produced(height: u64) -> bool {
    height % SKIP_EVERY != 1
}

fn even_produced(height: u64) -> bool {
    height.is_multiple_of(2) && produced(height)
}

/// The node's `[chains.sparse]`: heights counted from `genesis_ms`, so they stay small.
/// The sparse adapter reaches nothing; a node needs some RPC URL all the same.
fn chain_toml(genesis_ms: u64) -> String {
    format!(
        "[chains.sparse]\nfamily = \"sparse\"\nchain-id = \"sparse-1\"\nrpc-urls = [\"http://127.0.0.1:9\"]\npoll-interval-ms = 100\n\n\
         [chains.sparse.options]\ngenesis-ms = \"{genesis_ms}\"\nblock-ms = \"200\"\nskip-every = \"{SKIP_EVERY}\"\n"
    )
}

/// A manifest of service `id` running echo on `trigger` in workflow `workflow`, submitting
/// nowhere.
fn manifest(id: &str, digest: &str, workflows: &[(&str, Value)]) -> Value {
    let workflows: serde_json::Map<String, Value> = workflows
        .iter()
        .map(|(name, trigger)| (name.to_string(), json!({ "trigger": trigger, "component": "echo", "submit": "none" })))
        .collect();
    json!({ "id": id, "components": { "echo": { "digest": digest } }, "workflows": workflows })
}

fn tick_trigger(params: Value) -> Value {
    json!({ "custom": { "chain": "sparse", "kind": "tick", "params": params } })
}

/// The height an execution ran for: echo answers a block with its height and a tick with
/// its data, the height, both as u64 big-endian.
fn height_of(record: &ExecutionRecord) -> u64 {
    assert!(matches!(record.outcome, Outcome::Ok), "every execution succeeds: {record:?}");
    let result = record.results.first().unwrap_or_else(|| panic!("echo answers once: {record:?}"));
    let bytes: [u8; 8] = result.payload.as_slice().try_into().unwrap_or_else(|_| panic!("a u64 height: {record:?}"));
    u64::from_be_bytes(bytes)
}

/// The heights `workflow` ran for, in the order of the records, repeats kept.
fn heights(records: &[ExecutionRecord], workflow: &str) -> Vec<u64> {
    records.iter().filter(|r| r.workflow_id == workflow).map(height_of).collect()
}

/// The first `n` heights from `from` on that `wanted` selects.
fn first_heights(from: u64, n: usize, wanted: fn(u64) -> bool) -> Vec<u64> {
    (from..).filter(|h| wanted(*h)).take(n).collect()
}

/// The service's newest execution records on the node.
async fn records(client: &NodeClient) -> Vec<ExecutionRecord> {
    client.executions(Some(SERVICE), 1000).await.unwrap_or_else(|e| panic!("GET /executions: {e}"))
}

/// What to show when a wait fails: the chain's health and the node's log.
async fn state(client: &NodeClient, node: &NodeProcess) -> String {
    let health = client.health().await.map(|h| format!("{:?}", h.chains.get("sparse"))).unwrap_or_else(|e| e.to_string());
    format!("chain sparse: {health}\nnode log:\n{}", node.process.log_tail(30))
}

/// Waits until `workflow` has run for the first `n` heights `wanted` selects from the
/// lowest height it ran for on: consecutive selected heights, none left out.
async fn wait_for_run(client: &NodeClient, node: &NodeProcess, workflow: &str, n: usize, wanted: fn(u64) -> bool) -> Vec<u64> {
    let started = Instant::now();
    loop {
        let ran: BTreeSet<u64> = heights(&records(client).await, workflow).into_iter().collect();
        if let Some(&lowest) = ran.first() {
            let expected = first_heights(lowest, n, wanted);
            if expected.iter().all(|h| ran.contains(h)) {
                return expected;
            }
        }
        if started.elapsed() > WAIT {
            let lowest = ran.first().copied().unwrap_or(0);
            let expected = first_heights(lowest, n, wanted);
            panic!(
                "{workflow}: after {WAIT:?} ran for heights {ran:?}, not all of {expected:?} (stalled at a skipped height?)\n{}",
                state(client, node).await
            );
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
}

/// Polls the node's `/health` until `done` holds for it.
async fn wait_for_health(client: &NodeClient, node: &NodeProcess, what: &str, done: impl Fn(&NodeHealth) -> bool) -> NodeHealth {
    let started = Instant::now();
    loop {
        if let Ok(health) = client.health().await
            && done(&health)
        {
            return health;
        }
        if started.elapsed() > WAIT {
            panic!("{what}: not after {WAIT:?}\n{}", state(client, node).await);
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// Deploys `manifest`, which must be refused as the client's fault, with a message that
/// contains every one of `words`.
async fn assert_refused(client: &NodeClient, manifest: &Value, words: &[&str]) {
    match client.deploy(manifest).await {
        Err(ClientError::Refused { status, error, .. }) => {
            assert!(status.is_client_error(), "refused as the manifest's fault: {status} {error:?}");
            assert!(!error.retryable, "sending it again cannot help: {error:?}");
            for word in words {
                assert!(error.error.contains(word), "the refusal says {word:?}, in the adapter's words: {}", error.error);
            }
        }
        other => panic!("deploying {manifest} must be refused at deploy, got {other:?}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_node_steps_over_skipped_heights_and_serves_the_adapters_own_trigger_kind() {
    paths::require(&paths::binary("wavs"), "run `cargo build --bins`").unwrap();
    let sparse = guest("fixtures/sparse-chain.wasm");
    let echo = guest("components/echo.wasm");
    for file in [&sparse, &echo] {
        paths::require(file, "run scripts/build-guests.sh").unwrap();
    }
    let dir = tempfile::tempdir().unwrap();
    let adapters = dir.path().join("adapters");
    std::fs::create_dir_all(&adapters).unwrap();
    std::fs::copy(&sparse, adapters.join("sparse.wasm")).unwrap();
    let mut node = start_node(dir.path(), &adapters, 0, &chain_toml(now_ms()), NO_AGGREGATOR).await.expect("node starts");
    let client = NodeClient::new(&node.url);

    // The adapter is loaded with the kinds it delivers, and the chain is read.
    let listed = client.adapters().await.unwrap();
    let loaded = listed.loaded.iter().find(|a| a.family == "sparse").unwrap_or_else(|| panic!("sparse loaded: {listed:?}"));
    assert_eq!(loaded.trigger_kinds, ["block-interval", "tick"], "{loaded:?}");
    wait_for_health(&client, &node, "the sparse chain is read", |h| h.chain_is("sparse", ChainState::Active)).await;

    let bytes = std::fs::read(&echo).unwrap();
    let digest = client.upload_component(bytes, true).await.unwrap_or_else(|e| panic!("POST /components: {e}"));

    // A tick without `every`, or with a bad one, is refused at deploy with what to write;
    // a kind the adapter does not deliver is refused naming the ones it does.
    for params in [json!({}), json!({ "every": "0" }), json!({ "every": "two" })] {
        let bad = manifest("sparse-bad", &digest, &[("ticks", tick_trigger(params))]);
        assert_refused(&client, &bad, &["`every`"]).await;
    }
    let unknown = json!({ "custom": { "chain": "sparse", "kind": "tock", "params": { "every": "2" } } });
    assert_refused(&client, &manifest("sparse-bad", &digest, &[("tocks", unknown)]), &["tick", "block-interval"]).await;
    let services = client.services().await.unwrap();
    assert!(services.is_empty(), "nothing refused was deployed: {services:?}");

    let blocks = json!({ "block-interval": { "chain": "sparse", "every": 1 } });
    let ticks = tick_trigger(json!({ "every": "2" }));
    let service = manifest(SERVICE, &digest, &[("blocks", blocks), ("ticks", ticks)]);
    client.deploy(&service).await.unwrap_or_else(|e| panic!("POST /services: {e}"));

    // The node runs consecutive produced heights, stepping over the skipped ones.
    let ran_blocks = wait_for_run(&client, &node, "blocks", BLOCKS_WANTED, produced).await;
    let ran_ticks = wait_for_run(&client, &node, "ticks", TICKS_WANTED, even_produced).await;
    eprintln!("blocks ran for {ran_blocks:?}; ticks for {ran_ticks:?}");
    let skipped_over = (ran_blocks[0]..=ran_blocks[BLOCKS_WANTED - 1]).filter(|h| !produced(*h)).count();
    assert!(skipped_over >= 3, "the heights run span skipped ones: {ran_blocks:?}");

    let snapshot = records(&client).await;
    let block_heights = heights(&snapshot, "blocks");
    let tick_heights = heights(&snapshot, "ticks");
    let skipped: Vec<u64> = block_heights.iter().copied().filter(|h| !produced(*h)).collect();
    assert!(skipped.is_empty(), "no execution for a skipped height: {skipped:?} of {block_heights:?}");
    let odd_or_skipped: Vec<u64> = tick_heights.iter().copied().filter(|h| !even_produced(*h)).collect();
    assert!(odd_or_skipped.is_empty(), "ticks run for even produced heights only: {odd_or_skipped:?} of {tick_heights:?}");
    for (workflow, ran) in [("blocks", &block_heights), ("ticks", &tick_heights)] {
        let distinct: BTreeSet<u64> = ran.iter().copied().collect();
        assert_eq!(distinct.len(), ran.len(), "{workflow}: each height runs once: {ran:?}");
    }

    // A block's event id is the one every operator derives from the chain's shared id.
    for record in snapshot.iter().filter(|r| r.workflow_id == "blocks") {
        let height = height_of(record);
        let expected = derive_event_id(SERVICE, "blocks", &TriggerIdentity::Block { chain: CAIP2, height }, 0);
        assert_eq!(record.results[0].event_id, expected, "event id of block {height}: {record:?}");
    }
    let tick_ids: BTreeSet<&Vec<u8>> = snapshot.iter().filter(|r| r.workflow_id == "ticks").map(|r| &r.results[0].event_id).collect();
    assert_eq!(tick_ids.len(), tick_heights.len(), "each tick has an event id of its own");

    // The chain is healthy and read past every height that ran.
    let newest = block_heights.iter().chain(&tick_heights).copied().max().unwrap();
    let health = wait_for_health(&client, &node, "the chain read past the heights run", |h| {
        h.chains.get("sparse").is_some_and(|c| c.cursor.is_some_and(|cursor| cursor > newest))
    })
    .await;
    let chain = &health.chains["sparse"];
    assert_eq!(chain.state, ChainState::Active, "{chain:?}");
    assert_eq!((chain.error.as_deref(), chain.adapter_restarts), (None, 0), "{chain:?}");
    assert!(!node.process.has_exited(), "the node ran throughout:\n{}", node.process.log_tail(30));
}
