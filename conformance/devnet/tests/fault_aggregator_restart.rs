//! Fault: the aggregator is killed with SIGKILL (three times) while a burst of results is being
//! submitted, and started again on the same data dir and config. Every result still
//! lands exactly once, with the right payload, and the aggregator still knows each one
//! as landed (or already handled), never failed.
//!
//! `WAVS_FAULT_TRIGGERS` sets the burst size (default 200). Needs
//! `scripts/build-guests.sh`, `cargo build --workspace --bins` and anvil.

use std::collections::{BTreeMap, BTreeSet};
use std::time::{Duration, Instant};
use wavs_devnet::{Devnet, DevnetOptions, guest};
use wavs_runtime::bindings::adapter_api::{BlockTag, ContractEventFilter, EventBody, EventFilter};
use wavs_types::EnvelopeState;
use wavs_devnet::bursts::uint;

/// How often the handler emitted `event` (`EnvelopeHandled` or `EnvelopeSkipped`) per
/// event id from height `from` on, read from the chain's logs.
async fn handler_events(devnet: &Devnet, event: &str, from: u64) -> BTreeMap<Vec<u8>, usize> {
    let chain = devnet.primary();
    let head = chain.deployer.head(BlockTag::Latest).await.unwrap().height;
    let filter = [EventFilter::ContractEvent(ContractEventFilter {
        contract: chain.deployment.handler.clone(),
        event: event.into(),
    })];
    let mut counts = BTreeMap::new();
    // Small ranges keep each answer under the adapter's output limit.
    for start in (from..=head).step_by(100) {
        for e in chain.deployer.events(&filter, start, (start + 99).min(head)).await.unwrap() {
            if let EventBody::Contract(log) = e.body {
                // topic 1 is the indexed bytes20 event id, left-aligned in 32 bytes.
                *counts.entry(log.topics[1][..20].to_vec()).or_insert(0) += 1;
            }
        }
    }
    counts
}

/// The aggregator's `counters.landed` (this process's count) and `queue-depth`
/// (envelopes queued or in flight).
async fn landed_and_depth(devnet: &Devnet) -> (u64, u64) {
    match devnet.aggregator_health().await {
        Ok((200, health)) => (health.counters.landed, health.queue_depth as u64),
        _ => (0, 0),
    }
}

/// One kill: results fired so far, landed by the killed process, queued or in flight
/// at the kill, and how long the aggregator was down.
struct Kill {
    fired: usize,
    landed: u64,
    depth: u64,
    down: Duration,
}

/// Once results are landing and more are queued or in flight (or after 5 s), kill -9
/// the aggregator, keep it down a second (well inside the node's ~40 s of send
/// retries), and start it again on the same data dir and config.
async fn crash_aggregator(devnet: &mut Devnet, fired: usize) -> Kill {
    let waiting = Instant::now();
    let (landed, depth) = loop {
        let (landed, depth) = landed_and_depth(devnet).await;
        if (landed > 0 && depth > 0) || waiting.elapsed() > Duration::from_secs(5) {
            break (landed, depth);
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    };
    let down = Instant::now();
    devnet.kill_aggregator();
    tokio::time::sleep(Duration::from_secs(1)).await;
    devnet.start_aggregator_again().await.expect("the aggregator starts again on the same data dir");
    Kill { fired, landed, depth, down: down.elapsed() }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_result_lands_exactly_once_across_an_aggregator_kill() {
    let n: u128 = std::env::var("WAVS_FAULT_TRIGGERS").ok().and_then(|v| v.parse().ok()).unwrap_or(200);
    let opts = DevnetOptions { operators: 1, threshold: 1, ..DevnetOptions::default() };
    let mut devnet = Devnet::start(opts, &|s| eprintln!("[devnet] {s}")).await.expect("devnet starts");
    let manifest = devnet.square_manifest("square");
    devnet.deploy_service(manifest, &[("square", guest("components/square.wasm"))]).await.expect("square deploys");

    // The burst, with the aggregator killed at a quarter, half and three quarters of it.
    let started = Instant::now();
    let mut fired = Vec::new();
    let mut kills = Vec::new();
    for i in 1..=n {
        fired.push((i, devnet.fire_trigger(&uint(i)).await.expect("trigger fires")));
        if [n / 4, n / 2, 3 * n / 4].contains(&i) {
            kills.push(crash_aggregator(&mut devnet, fired.len()).await);
        }
    }
    let fired_in = started.elapsed();

    // Wait for every result on chain; give up only after 60 s without progress.
    let mut waiting: BTreeMap<Vec<u8>, u128> = fired.iter().map(|(i, t)| (devnet.event_id("square", t), *i)).collect();
    let mut wrong = Vec::new();
    let mut progress = Instant::now();
    while !waiting.is_empty() && progress.elapsed() < Duration::from_secs(60) {
        let mut found = Vec::new();
        for (id, i) in &waiting {
            if let Some(payload) = devnet.handled_payload(id).await.unwrap() {
                if payload != uint(i * i) {
                    wrong.push((*i, payload));
                }
                found.push(id.clone());
            }
        }
        if !found.is_empty() {
            progress = Instant::now();
        }
        for id in found {
            waiting.remove(&id);
        }
        if !waiting.is_empty() {
            tokio::time::sleep(Duration::from_millis(500)).await;
        }
    }
    let all_landed_in = started.elapsed();
    let lost: Vec<u128> = waiting.values().copied().collect();

    // On chain: one EnvelopeHandled per event id; resubmissions show as EnvelopeSkipped.
    let ids: BTreeSet<Vec<u8>> = fired.iter().map(|(_, t)| devnet.event_id("square", t)).collect();
    let from = fired[0].1.height;
    let handled = handler_events(&devnet, "EnvelopeHandled(bytes20,bytes)", from).await;
    let skipped = handler_events(&devnet, "EnvelopeSkipped(bytes20)", from).await;
    let on_chain = ids.iter().filter(|id| handled.contains_key(*id)).count();
    let duplicated = ids.iter().filter(|id| handled.get(*id).copied().unwrap_or(0) > 1).count();
    let resubmitted: usize = ids.iter().filter_map(|id| skipped.get(id)).sum();

    // At the aggregator, after the restart: each is landed or already handled.
    let mut states: BTreeMap<&str, usize> = BTreeMap::new();
    let mut not_final = Vec::new();
    for (i, trigger) in &fired {
        let status = devnet.aggregator_status(&devnet.event_id("square", trigger)).await;
        let state = match status.as_ref().map(|s| &s.state) {
            Some(EnvelopeState::Landed { .. }) => "landed",
            Some(EnvelopeState::AlreadyHandled) => "already-handled",
            Some(EnvelopeState::Failed { .. }) => "failed",
            Some(EnvelopeState::Queued) => "queued",
            Some(EnvelopeState::Pending { .. }) => "pending",
            None => "unknown",
        };
        *states.entry(state).or_default() += 1;
        if !matches!(state, "landed" | "already-handled") {
            not_final.push((*i, status));
        }
    }

    eprintln!("== aggregator kill -9 during a burst ==");
    eprintln!("triggers sent:            {n} (fired in {:.1} s)", fired_in.as_secs_f64());
    for k in &kills {
        eprintln!(
            "kill -9 after:            {} fired, {} landed by that process, {} queued or in flight; down {:.1} s",
            k.fired,
            k.landed,
            k.depth,
            k.down.as_secs_f64()
        );
    }
    eprintln!("results on chain:         {on_chain} (right payload: {})", on_chain - wrong.len());
    eprintln!("lost:                     {}", lost.len());
    eprintln!("duplicated on chain:      {duplicated}");
    eprintln!("resubmitted, skipped:     {resubmitted} (handler skipped an already-handled id)");
    eprintln!("aggregator statuses:      {states:?}");
    eprintln!("time, first trigger to all results on chain: {:.1} s", all_landed_in.as_secs_f64());
    eprintln!(
        "[figures] aggregator kill -9 x{} mid-burst: triggers sent {n}, results on chain {on_chain}, lost {}, \
         duplicated {duplicated}, all landed {:.1} s after the first trigger",
        kills.len(),
        lost.len(),
        all_landed_in.as_secs_f64()
    );

    assert!(lost.is_empty(), "results lost (trigger values): {lost:?}; node logs are in {}", devnet.dir.path().display());
    assert!(wrong.is_empty(), "wrong payloads on chain: {wrong:?}");
    assert_eq!(duplicated, 0, "an event id landed twice");
    assert_eq!(on_chain, fired.len(), "every trigger's result is on chain");
    assert!(not_final.is_empty(), "the aggregator reports these as neither landed nor already handled: {not_final:?}");
}
