//! Nothing fails for good while it can still land, against a real anvil: an operator
//! removed after its signature was counted does not stop the result landing; below the
//! threshold after a removal the envelope waits, and the returning operator's
//! re-sent signature lands it; an envelope that never reaches its quorum expires with
//! the weight it reached; a target at its cap answers 429, retryable.
//!
//! The batcher sleeps an hour between rounds here; the test runs rounds itself
//! (`Aggregator::submit_now`), so each change to the operator set happens exactly
//! between counting and submitting.

mod common;

use common::{Api, Chain, envelope, signed};
use reqwest::StatusCode;
use std::time::Duration;
use wavs_aggregator::Aggregator;
use wavs_aggregator::config::AggregatorConfig;
use wavs_types::EnvelopeState;

#[tokio::test(flavor = "multi_thread")]
async fn a_removed_signer_is_dropped_and_the_rest_lands_or_waits_for_more() {
    let dir = tempfile::tempdir().unwrap();
    let chain = Chain::start(dir.path()).await;
    let service = chain.deploy(&[2, 3, 4], 2).await;
    let (m, h) = (service.manager.clone(), service.handler.clone());
    let top = "batch-interval-ms = 3600000\n[limits]\nmax-pending-entries = 3\npending-expiry-secs = 6";
    let text = chain.config(&dir.path().join("agg"), top, "", &[&service]);
    let handle = Aggregator::start(AggregatorConfig::parse(&text).unwrap()).await.unwrap();
    let agg = handle.aggregator.clone();
    let api = Api::new(format!("http://{}", handle.addr));

    // 1. All three sign; operator 4 is removed before the submission. Sent with all
    // three signatures the manager would revert (UnknownSigner); sent with the two
    // current operators', it lands.
    let one = envelope(1, b"one".to_vec());
    for key in [2, 3, 4] {
        api.accept(&signed(&chain, &m, &h, &one, key).await).await;
    }
    chain.set_weight(&m, 4, 0).await;
    agg.submit_now().await.unwrap();
    let status = api.status(&one.event_id, &h).await.unwrap();
    assert!(matches!(status.state, EnvelopeState::Landed { .. }), "{status:?}");
    assert_eq!(chain.handled(&h, &one.event_id).await.as_deref(), Some(&b"one"[..]));
    let (_, health) = api.health().await;
    assert_eq!(health.counters.stale_signatures, 1, "{health:?}");
    assert_eq!(health.counters.failed, 0, "{health:?}");

    // 2. Two sign (quorum), then 3 is removed: below the threshold, the envelope is
    // pending again, not failed. 3 returns and its node re-sends: it lands.
    let two = envelope(2, b"two".to_vec());
    for key in [2, 3] {
        api.accept(&signed(&chain, &m, &h, &two, key).await).await;
    }
    chain.set_weight(&m, 3, 0).await;
    agg.submit_now().await.unwrap();
    let status = api.status(&two.event_id, &h).await.unwrap();
    assert!(matches!(status.state, EnvelopeState::Pending { signed_weight: 1, threshold: 2, signers: 1 }), "{status:?}");
    assert!(!status.state.is_final(), "the node keeps re-sending it");
    assert_eq!(chain.handled(&h, &two.event_id).await, None);
    chain.set_weight(&m, 3, 1).await;
    // The operator-set cache holds a read for up to 2 s.
    tokio::time::sleep(Duration::from_millis(2100)).await;
    let again = api.accept(&signed(&chain, &m, &h, &two, 3).await).await;
    assert_eq!(again.state, EnvelopeState::Queued, "{again:?}");
    agg.submit_now().await.unwrap();
    assert_eq!(chain.handled(&h, &two.event_id).await.as_deref(), Some(&b"two"[..]));

    // 3. The target's cap: three open envelopes, the fourth is refused, retryably.
    for event in 10..13 {
        api.accept(&signed(&chain, &m, &h, &envelope(event, vec![event as u8]), 2).await).await;
    }
    let (status, body) = api.post(&signed(&chain, &m, &h, &envelope(13, vec![13]), 2).await).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "{body}");
    assert_eq!(body["retryable"], true, "{body}");
    assert!(body["error"].as_str().unwrap().contains("3 open envelopes"), "{body}");
    let (_, health) = api.health().await;
    assert_eq!(health.pending.entries, 3, "{health:?}");

    // 4. Never reaching quorum, they expire (6 s here) with the weight they reached,
    // drop their payload, and make room.
    tokio::time::sleep(Duration::from_millis(6100)).await;
    agg.submit_now().await.unwrap();
    let expired = api.status(&envelope(10, vec![]).event_id, &h).await.unwrap();
    let EnvelopeState::Failed { reason } = &expired.state else { panic!("{expired:?}") };
    assert!(reason.starts_with("expired: not landed within 6 s") && reason.contains("weight 1 of 2"), "{reason}");
    let (_, health) = api.health().await;
    assert_eq!((health.pending.entries, health.counters.expired), (0, 3), "{health:?}");
    api.accept(&signed(&chain, &m, &h, &envelope(13, vec![13]), 2).await).await;
}
