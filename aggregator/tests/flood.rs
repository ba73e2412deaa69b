//! 1,000 bogus 32 KiB envelopes cost the aggregator nothing it keeps: posted for unknown
//! targets, and for a known target by a non-operator, all are refused and neither the
//! store nor the process grows; an honest result still lands afterwards. An operator
//! flooding its own target is held to the target's caps (429, retryable, beyond them).
//! A real `wavs-aggregator` process against a real anvil; the figures are printed, the
//! assertions are against the caps (not timings).

mod common;

use common::{Process, envelope, signed};
use reqwest::StatusCode;
use std::time::Duration;
use wavs_types::EnvelopeState;

const PAYLOAD: usize = 32 << 10;
const CAP_BYTES: u64 = 4 << 20;

fn mib(kib_or_bytes: f64, per_mib: f64) -> String {
    format!("{:.1} MiB", kib_or_bytes / per_mib)
}

#[tokio::test(flavor = "multi_thread")]
async fn a_thousand_bogus_envelopes_leave_store_and_memory_within_the_caps() {
    let common::TwoOperators { dir, chain, service, manager: m, handler: h } = common::two_operators().await;
    let top = format!("api-token = \"none\"\nbatch-interval-ms = 100\n[limits]\nmax-pending-bytes = {CAP_BYTES}");
    let process = Process::start(dir.path(), &chain.config(&dir.path().join("agg"), &top, "", &[&service])).await;
    let api = &process.api;
    let store = dir.path().join("agg/aggregator.redb");
    let store_size = || std::fs::metadata(&store).unwrap().len();

    // Warm up: one honest result lands (adapter instance, caches, allocator).
    let warm = envelope(0, vec![1; PAYLOAD]);
    for key in [2, 3] {
        api.accept(&signed(&chain, &m, &h, &warm, key).await).await;
    }
    api.final_status(&warm.event_id, &h, Duration::from_secs(60)).await;
    // The status is answered from memory; the write that records the landing (and frees
    // the payload's pages) follows through the group committer. Measure after it.
    let mut settled = (store_size(), 0);
    for _ in 0..200 {
        tokio::time::sleep(Duration::from_millis(100)).await;
        let now = store_size();
        settled = if now == settled.0 { (now, settled.1 + 1) } else { (now, 0) };
        if settled.1 == 10 {
            break;
        }
    }
    let (store0, rss0) = (store_size(), process.rss_kib());

    // A: 1,000 for targets nobody registered (the poster's own manager and handler).
    for i in 0..1000u32 {
        let fake_manager = format!("0x{:040x}", 0xa000_0000u64 + u64::from(i));
        let fake_handler = format!("0x{:040x}", 0xb000_0000u64 + u64::from(i));
        let e = envelope(10_000 + i, vec![0xab; PAYLOAD]);
        let mut s = signed(&chain, &m, &h, &e, 9).await;
        (s.manager, s.handler) = (fake_manager, fake_handler);
        let (status, body) = api.post(&s).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    }
    let (store_a, rss_a) = (store_size(), process.rss_kib());

    // B: 1,000 for the known target, signed by a non-operator (dev key 9).
    for i in 0..1000u32 {
        let e = envelope(20_000 + i, vec![0xcd; PAYLOAD]);
        let (status, body) = api.post(&signed(&chain, &m, &h, &e, 9).await).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
        assert!(body["error"].as_str().unwrap().contains("is not an operator"), "{body}");
    }
    let (store_b, rss_b) = (store_size(), process.rss_kib());
    let (_, health) = api.health().await;
    println!(
        "bogus envelopes ({} KiB each): store {} -> {} (1,000 unknown targets) -> {} (1,000 non-operator); rss {} -> {} -> {}",
        PAYLOAD >> 10,
        mib(store0 as f64, 1048576.0),
        mib(store_a as f64, 1048576.0),
        mib(store_b as f64, 1048576.0),
        mib(rss0 as f64, 1024.0),
        mib(rss_a as f64, 1024.0),
        mib(rss_b as f64, 1024.0),
    );
    assert_eq!((store_a, store_b), (store0, store0), "nothing refused was written");
    assert_eq!(health.pending.entries, 0, "{health:?}");
    assert_eq!(health.counters.refused_targets, 1000, "{health:?}");
    assert_eq!(health.counters.rejected_signatures, 1000, "{health:?}");
    // Nothing refused is kept: memory grows by less than what one target may hold.
    let grown = rss_b.saturating_sub(rss0) * 1024;
    assert!(grown < CAP_BYTES, "rss grew by {grown} bytes for 2,000 refused envelopes (cap per target: {CAP_BYTES})");

    // An honest result still lands.
    let honest = envelope(1, b"honest".to_vec());
    for key in [2, 3] {
        api.accept(&signed(&chain, &m, &h, &honest, key).await).await;
    }
    let status = api.final_status(&honest.event_id, &h, Duration::from_secs(60)).await;
    assert!(matches!(status.state, EnvelopeState::Landed { .. }), "{status:?}");

    // C: an operator floods its own target with 1,000 envelopes it alone signs: the
    // target's byte cap holds, beyond it 429 (retryable), and the store stays bounded.
    let (mut accepted, mut refused) = (0, 0);
    for i in 0..1000u32 {
        let (status, body) = api.post(&signed(&chain, &m, &h, &envelope(30_000 + i, vec![0xef; PAYLOAD]), 2).await).await;
        match status {
            StatusCode::OK => accepted += 1,
            StatusCode::TOO_MANY_REQUESTS => {
                assert_eq!(body["retryable"], true, "{body}");
                refused += 1;
            }
            other => panic!("{other}: {body}"),
        }
    }
    let (store_c, rss_c) = (store_size(), process.rss_kib());
    let (_, health) = api.health().await;
    let pending = health.pending.bytes;
    println!(
        "operator flood: {accepted} accepted, {refused} refused (429); pending {} of the {} cap; store {}; rss {}",
        mib(pending as f64, 1048576.0),
        mib(CAP_BYTES as f64, 1048576.0),
        mib(store_c as f64, 1048576.0),
        mib(rss_c as f64, 1024.0)
    );
    assert!(pending <= CAP_BYTES && accepted > 0 && refused > 0, "{health:?}");
    assert_eq!(health.counters.over_capacity, refused, "{health:?}");
    // Bounded by a small multiple of the cap: redb rounds a 32 KiB value up to a 64 KiB
    // page and keeps the pages of the copy-on-write commits before it for reuse
    // (measured: 126 entries at the 4 MiB cap grew it by 15.4 MiB).
    assert!(store_c.saturating_sub(store0) < 6 * CAP_BYTES, "store grew by {} bytes", store_c - store0);
}
