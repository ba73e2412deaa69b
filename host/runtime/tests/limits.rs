//! Every call into a component runs under fuel, time, memory and output limits; a
//! hostile component fails alone with an error that names the limit.
//! Needs the guests built by `scripts/build-guests.sh`.

mod common;

use common::{action, component as guest, permissions};
use std::sync::Arc;
use wavs_runtime::{ComponentRunner, Limits, MemoryKv, RuntimeError, ServiceKv, WasmEngine};

fn kv() -> ServiceKv {
    ServiceKv::new(Arc::new(MemoryKv::new()), "s")
}

fn runner() -> (ComponentRunner, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let engine = WasmEngine::new(dir.path()).unwrap();
    (ComponentRunner::new(engine).unwrap(), dir)
}

const TIGHT: Limits =
    Limits { fuel: 200_000_000, time_ms: 5_000, memory_bytes: 16 << 20, output_bytes: 1 << 20, ..Limits::COMPONENT_DEFAULT };

async fn run_hostile(mode: &str, limits: Limits) -> Result<wavs_runtime::ExecOutcome, RuntimeError> {
    let (runner, _dir) = runner();
    let (digest, _) = runner.load(&guest("hostile.wasm")).unwrap();
    runner.execute(&digest, &action(mode.as_bytes()), &limits, &permissions(), kv()).await
}

#[tokio::test]
async fn echo_returns_its_input_and_reports_fuel() {
    let (runner, _dir) = runner();
    let (digest, _) = runner.load(&guest("echo.wasm")).unwrap();
    let out = runner.execute(&digest, &action(b"hello"), &TIGHT, &permissions(), kv()).await.unwrap();
    assert_eq!(out.responses.len(), 1);
    assert_eq!(out.responses[0].payload, b"hello");
    assert!(out.fuel_used > 0);
}

#[tokio::test]
async fn endless_loop_runs_out_of_fuel() {
    let err = run_hostile("loop", TIGHT).await.unwrap_err();
    assert!(matches!(err, RuntimeError::LimitExceeded(ref m) if m.contains("out of fuel")), "{err}");
}

#[tokio::test]
async fn endless_loop_hits_the_time_limit_when_fuel_is_plenty() {
    let limits = Limits { fuel: u64::MAX / 2, time_ms: 300, ..TIGHT };
    let err = run_hostile("loop", limits).await.unwrap_err();
    assert!(matches!(err, RuntimeError::LimitExceeded(ref m) if m.contains("time limit")), "{err}");
}

#[tokio::test]
async fn memory_bomb_hits_the_memory_cap() {
    let err = run_hostile("alloc", Limits { fuel: u64::MAX / 2, ..TIGHT }).await.unwrap_err();
    assert!(matches!(err, RuntimeError::LimitExceeded(ref m) if m.contains("memory")), "{err}");
}

#[tokio::test]
async fn huge_output_is_refused() {
    let limits = Limits { memory_bytes: 64 << 20, ..TIGHT };
    let err = run_hostile("output", limits).await.unwrap_err();
    assert!(matches!(err, RuntimeError::LimitExceeded(ref m) if m.contains("output of")), "{err}");
}

#[tokio::test]
async fn trap_panic_and_deep_recursion_fail_with_their_cause() {
    let err = run_hostile("trap", TIGHT).await.unwrap_err();
    assert!(matches!(err, RuntimeError::Trap(ref m) if m.contains("unreachable")), "{err}");
    let err = run_hostile("panic", TIGHT).await.unwrap_err();
    // The guest's panic message, not just "unreachable", reaches the builder.
    assert!(matches!(err, RuntimeError::Trap(ref m) if m.contains("hostile component panics on purpose")), "{err}");
    let err = run_hostile("recurse", Limits { fuel: u64::MAX / 2, ..TIGHT }).await.unwrap_err();
    assert!(matches!(err, RuntimeError::LimitExceeded(ref m) if m.contains("stack overflow")), "{err}");
}

#[tokio::test]
async fn the_runner_keeps_serving_after_a_hostile_call() {
    let (runner, _dir) = runner();
    let (hostile, _) = runner.load(&guest("hostile.wasm")).unwrap();
    let (echo, _) = runner.load(&guest("echo.wasm")).unwrap();
    assert!(runner.execute(&hostile, &action(b"trap"), &TIGHT, &permissions(), kv()).await.is_err());
    let out = runner.execute(&echo, &action(b"still here"), &TIGHT, &permissions(), kv()).await.unwrap();
    assert_eq!(out.responses[0].payload, b"still here");
}

#[tokio::test]
async fn bytes_that_are_not_a_component_are_refused() {
    let (runner, _dir) = runner();
    let err = runner.load(b"not wasm at all").unwrap_err();
    assert!(matches!(err, RuntimeError::InvalidComponent(_)), "{err}");
}

#[test]
fn compiled_components_are_cached_on_disk() {
    let dir = tempfile::tempdir().unwrap();
    let bytes = guest("echo.wasm");
    let (_, _, first) = WasmEngine::new(dir.path()).unwrap().load(&bytes).unwrap();
    let (_, _, second) = WasmEngine::new(dir.path()).unwrap().load(&bytes).unwrap();
    assert_eq!((first, second), (wavs_runtime::LoadSource::Compiled, wavs_runtime::LoadSource::Cache));
}
