//! Fault test: components that lean on the host instead of computing fail alone.
//!
//! Against a real node process and anvil, beside a `square` service landing results:
//! a component writing 1 MiB values to the node's on-disk key-value store 1,000 times
//! (two at once), one logging 4 KiB lines without end, and one holding 6,000 HTTP header
//! objects in the host. Each must fail with `limit-exceeded` naming the limit it broke,
//! while `/health` keeps answering; the node's log must grow by about the log budget,
//! not by the flood; the header bomb must not grow the node's memory by its size; and
//! every square result fired meanwhile must land with the right value.

use serde_json::{Value, json};
use std::time::{Duration, Instant};
use wavs_devnet::bursts::uint;
use wavs_devnet::{Devnet, DevnetOptions, guest};
use wavs_types::execution::{ExecutionRecord, Outcome};

/// A hostile service: its id, the payload selecting the behaviour, its limits, and what
/// the error must say (any one of them).
struct Case {
    service: &'static str,
    payload: &'static str,
    limits: fn() -> Value,
    says: &'static [&'static str],
}

const CASES: &[Case] = &[
    // Fuel for five times the flood's host charges: only the deadline stops it early.
    Case { service: "kv-flood", payload: "kv-flood", limits: || json!({ "time-ms": 2000, "fuel": 10_000_000_000u64 }), says: &["time limit"] },
    Case { service: "log-flood", payload: "log-flood", limits: || json!({ "time-ms": 2000 }), says: &["out of fuel", "time limit"] },
    Case { service: "header-bomb", payload: "header-bomb", limits: || json!({ "time-ms": 10000 }), says: &["host-handles limit reached"] },
];

fn manifest(case: &Case) -> Value {
    json!({
        "id": case.service,
        "components": { "c": { "digest": "", "limits": (case.limits)() } },
        "workflows": { "main": { "trigger": "manual", "component": "c", "submit": "none" } }
    })
}

/// What the node looked like while a hostile task ran.
#[derive(Debug, Default)]
struct Watch {
    health_answers: u32,
    health_failures: Vec<String>,
    slowest_health: Duration,
    peak_rss_kib: u64,
}

/// Polls `/health` and the node's RSS every 100 ms until `until` resolves.
async fn watch<T>(devnet: &Devnet, node: &str, until: impl Future<Output = T>) -> (T, Watch) {
    let http = reqwest::Client::builder().timeout(Duration::from_secs(10)).build().unwrap();
    let mut seen = Watch::default();
    tokio::pin!(until);
    loop {
        let started = Instant::now();
        tokio::select! {
            out = &mut until => return (out, seen),
            answer = http.get(format!("{node}/health")).send() => {
                match answer {
                    Ok(r) if r.status().as_u16() == 200 => seen.health_answers += 1,
                    Ok(r) => seen.health_failures.push(format!("status {}", r.status())),
                    Err(e) => seen.health_failures.push(e.to_string()),
                }
                seen.slowest_health = seen.slowest_health.max(started.elapsed());
            }
        }
        seen.peak_rss_kib = seen.peak_rss_kib.max(devnet.nodes[0].process.rss_kib().unwrap_or(0));
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// How long the execution in `record` ran before it was stopped, as the node recorded it.
fn ran_ms(record: &Result<ExecutionRecord, String>) -> String {
    record.as_ref().map_or_else(|_| "?".into(), |r| r.elapsed_ms.to_string())
}

/// Whether `record` failed with `limit-exceeded` saying one of `says`.
fn stopped_by_limit(record: &Result<ExecutionRecord, String>, says: &[&str]) -> Result<String, String> {
    let record = record.as_ref().map_err(Clone::clone)?;
    let message = match &record.outcome {
        Outcome::Error { kind, message, .. } if kind == "limit-exceeded" && says.iter().any(|s| message.contains(s)) => message,
        other => return Err(format!("expected limit-exceeded saying one of {says:?}, got {other:?}")),
    };
    if record.elapsed_ms == 0 || record.fuel_used == 0 {
        return Err(format!("a stopped run must record what it used: {record:?}"));
    }
    Ok(format!("{message} (after {} ms, fuel {})", record.elapsed_ms, record.fuel_used))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn components_leaning_on_the_host_fail_alone_while_results_keep_landing() {
    let opts = DevnetOptions { operators: 1, threshold: 1, ..DevnetOptions::default() };
    let devnet = Devnet::start(opts, &|s| eprintln!("[devnet] {s}")).await.expect("devnet starts");
    let node = devnet.nodes[0].url.clone();
    devnet.deploy_service(devnet.square_manifest("square"), &[("square", guest("components/square.wasm"))]).await.expect("square deploys");
    for case in CASES {
        devnet.deploy_service(manifest(case), &[("c", guest("components/hostile.wasm"))]).await.expect("deploys");
    }
    let mut fired = Vec::new();
    let mut failures = Vec::new();

    // Two store floods at once: before, each blocked an async worker for its whole run.
    let trigger = devnet.fire_trigger(&uint(5)).await.expect("trigger fires");
    fired.push((5u128, devnet.event_id("square", &trigger)));
    let floods = async {
        tokio::join!(
            devnet.post_task(&node, CASES[0].service, "main", "kv-1", CASES[0].payload.as_bytes()),
            devnet.post_task(&node, CASES[0].service, "main", "kv-2", CASES[0].payload.as_bytes())
        )
    };
    let ((first, second), seen) = watch(&devnet, &node, floods).await;
    for (i, record) in [&first, &second].into_iter().enumerate() {
        match stopped_by_limit(record, CASES[0].says) {
            Ok(m) => eprintln!("[hostile] kv-flood {}: {m}", i + 1),
            Err(e) => failures.push(format!("kv-flood {}: {e}", i + 1)),
        }
    }
    eprintln!("[hostile] kv-flood: {seen:?}");
    eprintln!(
        "[figures] host calls: two 1 MiB kv floods (time-ms 2000) stopped after {} and {} ms; /health answered {} times meanwhile, slowest {} ms",
        ran_ms(&first),
        ran_ms(&second),
        seen.health_answers,
        seen.slowest_health.as_millis()
    );
    if seen.health_answers == 0 || !seen.health_failures.is_empty() {
        failures.push(format!("/health during the kv floods: {seen:?}"));
    }

    // The log flood: the node's log grows by the budget, not by the flood.
    let log = devnet.nodes[0].process.log().to_path_buf();
    let log_before = std::fs::metadata(&log).map(|m| m.len()).unwrap_or(0);
    let trigger = devnet.fire_trigger(&uint(6)).await.expect("trigger fires");
    fired.push((6u128, devnet.event_id("square", &trigger)));
    let (record, seen) = watch(&devnet, &node, devnet.post_task(&node, CASES[1].service, "main", "log-1", CASES[1].payload.as_bytes())).await;
    match stopped_by_limit(&record, CASES[1].says) {
        Ok(m) => eprintln!("[hostile] log-flood: {m}"),
        Err(e) => failures.push(format!("log-flood: {e}")),
    }
    let grown = std::fs::metadata(&log).map(|m| m.len()).unwrap_or(0).saturating_sub(log_before);
    let (_, metrics) = devnet.get(&format!("{node}/metrics")).await.unwrap();
    let dropped = metrics
        .as_str()
        .and_then(|m| m.lines().find_map(|l| l.strip_prefix("wavs_guest_log_lines_dropped_total ")))
        .and_then(|n| n.trim().parse::<u64>().ok())
        .unwrap_or(0);
    eprintln!(
        "[figures] host calls: log flood (4 KiB lines, time-ms 2000) stopped after {} ms and grew the node's log by {} KiB; {dropped} lines dropped past the budget",
        ran_ms(&record),
        grown / 1024
    );
    // The default budget is 256 KiB a run; the node's own lines for the run add a little.
    if grown > 1 << 20 || dropped == 0 || !seen.health_failures.is_empty() {
        failures.push(format!("log flood: log grew {grown} bytes, {dropped} dropped, {seen:?}"));
    }

    // The header bomb: 6,000 x 30 KiB held by the host, about 180 MB without a cap.
    let rss_before = devnet.nodes[0].process.rss_kib().unwrap_or(0);
    let trigger = devnet.fire_trigger(&uint(7)).await.expect("trigger fires");
    fired.push((7u128, devnet.event_id("square", &trigger)));
    let (record, seen) = watch(&devnet, &node, devnet.post_task(&node, CASES[2].service, "main", "bomb-1", CASES[2].payload.as_bytes())).await;
    match stopped_by_limit(&record, CASES[2].says) {
        Ok(m) => eprintln!("[hostile] header-bomb: {m}"),
        Err(e) => failures.push(format!("header-bomb: {e}")),
    }
    let grew_kib = seen.peak_rss_kib.saturating_sub(rss_before);
    eprintln!(
        "[figures] host calls: header bomb stopped at the host-handles limit after {} ms; node RSS {} MiB before, peak {} MiB during",
        ran_ms(&record),
        rss_before / 1024,
        seen.peak_rss_kib / 1024
    );
    // 256 handles of at most 32 KiB: 8 MiB; the bomb itself would be 180 MB.
    if grew_kib > 100 << 10 || !seen.health_failures.is_empty() {
        failures.push(format!("header bomb: RSS grew {grew_kib} KiB, {seen:?}"));
    }

    let mut landed = 0;
    for (n, event_id) in &fired {
        match devnet.wait_landed(event_id, Duration::from_secs(60)).await {
            Ok(payload) if payload == uint(n * n) => landed += 1,
            other => failures.push(format!("square({n}): {other:?}")),
        }
    }
    eprintln!("[figures] host calls: healthy results landed {landed} of {} meanwhile", fired.len());
    assert!(failures.is_empty(), "not contained: {failures:#?}");
    let (_, health) = devnet.node_health(&node).await.unwrap();
    assert_eq!(health.executions.get("limit-exceeded").copied(), Some(4), "{health:?}");
}
