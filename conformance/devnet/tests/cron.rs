//! Cron triggers end to end on anvil: a service whose workflow runs `*/1 * * * *` (the
//! echo component answers a tick with its scheduled time) lands one result a minute from
//! three operators with quorum 2 of 3, each operator deriving the same event id from the
//! tick's time. A node stopped across two ticks runs both after its restart, with the
//! event ids that landed meanwhile, and its log says it ran missed ticks. `/health` shows
//! the schedule with its next tick and the last tick each node queued.
//! Needs `scripts/build-guests.sh`, `cargo build --workspace` and anvil. Takes ~3 minutes:
//! cron ticks are whole minutes.

use serde_json::json;
use std::collections::BTreeSet;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};
use wavs_devnet::{Devnet, DevnetOptions, guest};
use wavs_types::cron::Schedule;
use wavs_types::health::NodeHealth;
use wavs_types::{TriggerIdentity, derive_event_id};

fn now_s() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_secs()
}

/// The log without its ANSI color codes (`ESC [ ... m`).
fn without_colors(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        if c == '\u{1b}' {
            chars.by_ref().find(|&c| c == 'm');
        } else {
            out.push(c);
        }
    }
    out
}

fn event_id(tick: u64) -> Vec<u8> {
    derive_event_id("ticker", "main", &TriggerIdentity::Cron { time_unix_s: tick }, 0)
}

/// The event ids node `i` signed for the ticker service.
async fn signed_by(devnet: &Devnet, i: usize) -> BTreeSet<String> {
    let records = devnet.executions(i, "ticker").await.unwrap_or_default();
    records.iter().flat_map(|r| &r.results).map(|r| wavs_types::hex_bytes::encode(&r.event_id)).collect()
}

/// Waits until node `i` has signed every one of `ticks`.
async fn wait_signed(devnet: &Devnet, i: usize, ticks: &[u64], timeout: Duration) {
    let wanted: BTreeSet<String> = ticks.iter().map(|t| format!("0x{}", hex::encode(event_id(*t)))).collect();
    let started = Instant::now();
    loop {
        let signed = signed_by(devnet, i).await;
        if wanted.is_subset(&signed) {
            return;
        }
        assert!(started.elapsed() < timeout, "node {i} signed {signed:?}, not all of {wanted:?} (ticks {ticks:?})");
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cron_service_lands_a_result_each_minute_and_a_restarted_node_runs_the_ticks_it_missed() {
    let mut devnet = Devnet::start(DevnetOptions::default(), &|s| eprintln!("[devnet] {s}")).await.expect("devnet starts");
    let mut manifest = devnet.square_manifest("ticker");
    manifest["components"] = json!({ "echo": { "digest": "" } });
    manifest["workflows"]["main"]["trigger"] = json!({ "cron": { "schedule": "*/1 * * * *" } });
    manifest["workflows"]["main"]["component"] = json!("echo");
    devnet.deploy_service(manifest, &[("echo", guest("components/echo.wasm"))]).await.expect("deploys on all three");
    let schedule = Schedule::parse("*/1 * * * *").unwrap();
    // Each node starts its schedule when it first sees the service (within a second of
    // the deploy); a tick closer than that to the deploy is not everyone's.
    let first = schedule.next_after(now_s() + 3).unwrap();
    eprintln!("first tick at {first} (in {} s)", first.saturating_sub(now_s()));
    // /health shows the workflow with its next tick: a whole minute, ahead.
    let node = devnet.nodes[0].url.clone();
    let next_tick = |h: &NodeHealth| h.cron.first().and_then(|c| c.next_tick);
    let shown = devnet
        .wait_for_health(&node, "the cron workflow in /health", |h| next_tick(h).is_some_and(|t| t > now_s()))
        .await
        .unwrap();
    let entry = &shown.cron[0];
    assert_eq!((entry.service.as_str(), entry.workflow.as_str(), entry.schedule.as_str()), ("ticker", "main", "*/1 * * * *"));
    assert_eq!(entry.next_tick.unwrap() % 60, 0, "{entry:?}");

    // Tick 1: every operator runs it and signs the same id; it lands once.
    let landed = devnet.wait_landed(&event_id(first), Duration::from_secs(first.saturating_sub(now_s()) + 60)).await.unwrap();
    assert_eq!(landed, first.to_be_bytes().to_vec(), "the handler holds the tick's scheduled time");
    for i in 0..3 {
        wait_signed(&devnet, i, &[first], Duration::from_secs(30)).await;
    }

    let queued = |tick: u64| move |h: &NodeHealth| h.cron.first().and_then(|c| c.last_queued_tick).is_some_and(|t| t >= tick);
    devnet.wait_for_health(&node, "tick 1 as the last queued", queued(first)).await.unwrap();

    // Node 1 stops across two ticks; the other two still meet the quorum each minute.
    devnet.stop_node(0);
    let second = schedule.next_after(first).unwrap();
    let third = schedule.next_after(second).unwrap();
    for tick in [second, third] {
        let wait = Duration::from_secs(tick.saturating_sub(now_s()) + 60);
        let landed = devnet.wait_landed(&event_id(tick), wait).await.unwrap();
        assert_eq!(landed, tick.to_be_bytes().to_vec(), "tick {tick} lands with one node down");
    }
    // One result a minute, not more: nothing landed for a time between the ticks.
    assert_eq!(devnet.handled_payload(&event_id(first + 30)).await.unwrap(), None);

    // Back up: it runs both ticks it missed, with the ids that landed.
    devnet.restart_node(0).await.expect("node restarts");
    wait_signed(&devnet, 0, &[second, third], Duration::from_secs(30)).await;
    let node = devnet.nodes[0].url.clone();
    devnet.wait_for_health(&node, "the missed ticks as queued", queued(third)).await.unwrap();
    let log = without_colors(&std::fs::read_to_string(devnet.dir.path().join("node1-run2.log")).unwrap());
    assert!(log.contains("running missed cron ticks") && log.contains("missed=2"), "the node says it ran missed ticks:\n{log}");
}
