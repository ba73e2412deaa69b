//! The limits that hold for components hold for chain adapters too, per call: a log
//! flood is cut at the call's log budget and runs out of fuel, headers held by the host
//! stop at the host-handles limit, and an endless loop stops at the time limit even with
//! fuel to spare. Each failed call restarts the instance, and the next call is served.
//! Needs the fixtures built by `scripts/build-guests.sh`.

mod common;

use std::sync::Arc;
use wavs_runtime::bindings::adapter_api::BlockTag;
use wavs_runtime::{AdapterRegistry, ChainAdapter, Limits, RuntimeError, Signer, WasmEngine};

/// A registry holding only fixture `variant`, and a chain of `family` served by it.
async fn chain(variant: &str, family: &str, limits: Limits) -> (ChainAdapter, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let adapters = dir.path().join("adapters");
    std::fs::create_dir_all(&adapters).unwrap();
    let file = common::guest_path(&format!("fixtures/adapter-{variant}.wasm"));
    std::fs::copy(&file, adapters.join(format!("{variant}.wasm"))).unwrap();
    let engine = WasmEngine::new(dir.path().join("cache")).unwrap();
    let registry = Arc::new(AdapterRegistry::new(engine, &adapters).unwrap());
    registry.scan().await.unwrap();
    let signer = wavs_runtime::AdapterSigner::public_only(&Signer::from_hex(&"22".repeat(32)).unwrap()).unwrap();
    (common::fixture_chain(registry, family, signer, limits), dir)
}

/// Calls `events`, expects a limit naming `says`, and checks the chain recovers.
async fn stopped(chain: &ChainAdapter, says: &str) -> String {
    let head = chain.head(BlockTag::Latest).await.expect("head works").height;
    let err = chain.events(&[], head, head).await.unwrap_err();
    assert!(err.is_retryable(), "the instance is dropped; the next call may pass: {err}");
    let message = match err.cause() {
        RuntimeError::LimitExceeded(m) => m.clone(),
        other => panic!("expected limit-exceeded, got {other}"),
    };
    assert!(message.contains(says) && message.contains("events"), "{message}");
    assert_eq!(chain.restarts(), 1, "the instance was dropped");
    assert!(chain.head(BlockTag::Latest).await.is_ok(), "a fresh instance serves the next call");
    message
}

#[tokio::test]
async fn an_adapter_log_flood_is_cut_at_the_budget_and_runs_out_of_fuel() {
    let before = wavs_runtime::log_lines_dropped();
    let limits = Limits { fuel: 300_000_000, log_lines: 5, ..Limits::ADAPTER_DEFAULT };
    let (chain, _dir) = chain("log-flood-in-events", "broken-log", limits).await;
    stopped(&chain, "out of fuel").await;
    // ~14,000 fuel a line: about 20,000 lines, all but 5 dropped.
    let dropped = wavs_runtime::log_lines_dropped() - before;
    assert!(dropped > 10_000, "dropped {dropped}");
}

#[tokio::test]
async fn headers_an_adapter_holds_in_the_host_stop_at_the_host_handles_limit() {
    let limits = Limits { host_handles: 64, ..Limits::ADAPTER_DEFAULT };
    let (chain, _dir) = chain("header-bomb-in-events", "broken-headers", limits).await;
    let message = stopped(&chain, "host-handles limit reached").await;
    assert!(message.contains("host-handles limit 64"), "{message}");
}

#[tokio::test]
async fn an_adapter_loop_stops_at_the_time_limit_with_fuel_to_spare() {
    let limits = Limits { fuel: u64::MAX / 2, time_ms: 300, ..Limits::ADAPTER_DEFAULT };
    let (chain, _dir) = chain("loop-in-events", "broken", limits).await;
    stopped(&chain, "time limit").await;
}
