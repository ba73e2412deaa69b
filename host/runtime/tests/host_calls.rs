//! Limits hold when a component leans on the host instead of computing: host calls are
//! charged fuel, stopped at the deadline, and what the host holds for a guest counts
//! against its limits. Each failure names the limit; a failed run reports what it used.
//! Needs the guests built by `scripts/build-guests.sh`.

mod common;

use common::{action, component as guest, permissions};
use std::sync::Arc;
use std::time::Duration;
use wavs_runtime::service::kv::SetOutcome;
use wavs_runtime::{ComponentRunner, KvBackend, Limits, MemoryKv, RuntimeError, ServiceKv, WasmEngine};

/// A store whose writes take as long as a slow disk's commits.
struct SlowDisk(MemoryKv);

impl KvBackend for SlowDisk {
    fn get(&self, ns: &str, key: &str) -> Result<Option<Vec<u8>>, String> {
        self.0.get(ns, key)
    }
    fn set(&self, ns: &str, key: &str, value: &[u8], quota: u64) -> Result<SetOutcome, String> {
        std::thread::sleep(Duration::from_millis(20));
        self.0.set(ns, key, value, quota)
    }
    fn delete(&self, ns: &str, key: &str) -> Result<(), String> {
        self.0.delete(ns, key)
    }
    fn list_keys(&self, ns: &str, prefix: &str, after: Option<&str>, limit: usize) -> Result<Vec<String>, String> {
        self.0.list_keys(ns, prefix, after, limit)
    }
}

struct Setup {
    runner: ComponentRunner,
    hostile: String,
    echo: String,
    _dir: tempfile::TempDir,
}

fn setup() -> Setup {
    let dir = tempfile::tempdir().unwrap();
    let runner = ComponentRunner::new(WasmEngine::new(dir.path()).unwrap()).unwrap();
    let (hostile, _) = runner.load(&guest("hostile.wasm")).unwrap();
    let (echo, _) = runner.load(&guest("echo.wasm")).unwrap();
    Setup { runner, hostile, echo, _dir: dir }
}

impl Setup {
    async fn run(&self, digest: &str, mode: &str, limits: Limits, kv: Arc<dyn KvBackend>) -> (Result<wavs_runtime::ExecOutcome, RuntimeError>, wavs_runtime::Usage) {
        let kv = ServiceKv::new(kv, "s");
        self.runner.execute_metered(digest, &action(mode.as_bytes()), &limits, &permissions(), kv).await
    }

    /// An honest execution after the hostile one still succeeds.
    async fn echo_still_works(&self) {
        let (out, _) = self.run(&self.echo, "still here", Limits::COMPONENT_DEFAULT, Arc::new(MemoryKv::new())).await;
        assert_eq!(out.unwrap().responses[0].payload, b"still here");
    }
}

fn limit_message(result: Result<wavs_runtime::ExecOutcome, RuntimeError>) -> String {
    match result {
        Err(RuntimeError::LimitExceeded(message)) => message,
        other => panic!("expected limit-exceeded, got {other:?}"),
    }
}

#[tokio::test]
async fn writes_to_a_slow_store_stop_at_the_time_limit() {
    let s = setup();
    // Fuel for thousands of writes: only the deadline can stop the flood early (1,000
    // writes of 20 ms would take 20 s).
    let limits = Limits { fuel: 100_000_000_000, time_ms: 400, ..Limits::COMPONENT_DEFAULT };
    let (result, usage) = s.run(&s.hostile, "kv-flood", limits, Arc::new(SlowDisk(MemoryKv::new()))).await;
    let message = limit_message(result);
    assert!(message.contains("time limit"), "{message}");
    // The record says how long it ran, not 0 ms.
    assert!(usage.elapsed >= Duration::from_millis(400), "{usage:?}");
    assert!(usage.fuel_used > 0, "{usage:?}");
    s.echo_still_works().await;
}

#[tokio::test]
async fn store_writes_are_charged_fuel() {
    let s = setup();
    // 1,000 writes of 1 MiB cost about 2e9 fuel in host charges, over this budget,
    // although the component's own code burns far less.
    let limits = Limits { fuel: 500_000_000, time_ms: 60_000, ..Limits::COMPONENT_DEFAULT };
    let (result, usage) = s.run(&s.hostile, "kv-flood", limits, Arc::new(MemoryKv::new())).await;
    let message = limit_message(result);
    assert!(message.contains("out of fuel"), "{message}");
    assert_eq!(usage.fuel_used, limits.fuel, "{usage:?}");
    s.echo_still_works().await;
}

#[tokio::test]
async fn a_log_flood_is_cut_at_the_budget_and_counted() {
    let s = setup();
    let before = wavs_runtime::log_lines_dropped();
    let limits = Limits { fuel: 200_000_000, time_ms: 10_000, log_lines: 10, ..Limits::COMPONENT_DEFAULT };
    let (result, _) = s.run(&s.hostile, "log-flood", limits, Arc::new(MemoryKv::new())).await;
    // Each line costs fuel, so the endless flood ends like an endless loop.
    let message = limit_message(result);
    assert!(message.contains("out of fuel"), "{message}");
    // 200e6 fuel / ~14e3 a line: thousands of lines, all but 10 dropped.
    let dropped = wavs_runtime::log_lines_dropped() - before;
    assert!(dropped > 1_000, "dropped {dropped}");
    s.echo_still_works().await;
}

#[tokio::test]
async fn headers_held_by_the_host_hit_the_host_handles_limit() {
    let s = setup();
    let limits = Limits { fuel: 10_000_000_000, time_ms: 30_000, ..Limits::COMPONENT_DEFAULT };
    let (result, _) = s.run(&s.hostile, "header-bomb", limits, Arc::new(MemoryKv::new())).await;
    let message = limit_message(result);
    assert!(message.contains("host-handles limit reached"), "{message}");
    assert!(message.contains("host-handles limit 256"), "{message}");
    s.echo_still_works().await;
}

#[tokio::test]
async fn a_component_stopped_in_a_loop_reports_fuel_and_time() {
    let s = setup();
    let limits = Limits { fuel: u64::MAX / 2, time_ms: 300, ..Limits::COMPONENT_DEFAULT };
    let (result, usage) = s.run(&s.hostile, "loop", limits, Arc::new(MemoryKv::new())).await;
    assert!(limit_message(result).contains("time limit"));
    assert!(usage.fuel_used > 1_000_000, "{usage:?}");
    assert!(usage.elapsed >= Duration::from_millis(300), "{usage:?}");
}

#[test]
fn a_memory_limit_smaller_than_the_host_reserve_is_refused() {
    let limits = Limits { memory_bytes: 1 << 20, ..Limits::COMPONENT_DEFAULT };
    let message = limits.exceeding(&Limits::UNBOUNDED).expect("refused");
    assert!(message.contains("host-handles"), "{message}");
}
