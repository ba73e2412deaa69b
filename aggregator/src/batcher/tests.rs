//! The batcher on an in-memory chain and a real on-disk store: landing, is-handled,
//! recheck against a changed operator set, splitting around a bad envelope, the size
//! cap, an unreachable chain, a handler of another manager, and a refusal the operator
//! set explains.

use super::Rounds;
use crate::testing::{HANDLER, Rig, rig};
use std::sync::atomic::Ordering;
use wavs_types::EnvelopeState;

fn landed(rig: &Rig, ids: impl IntoIterator<Item = u8>) -> bool {
    ids.into_iter().all(|id| matches!(rig.state(id).state, EnvelopeState::Landed { .. }))
}

fn sizes(rig: &Rig) -> Vec<(usize, bool)> {
    rig.chain.submits().iter().map(|s| (s.envelopes.len(), s.landed)).collect()
}

#[tokio::test]
async fn quorum_complete_envelopes_land_in_one_transaction_and_handled_ones_are_skipped() {
    let rig = rig(100);
    for id in 1..=5 {
        rig.signed(id, &["a", "b"]).await;
    }
    rig.signed(6, &["a"]).await;
    rig.chain.set(|c| {
        c.handled.insert((HANDLER.to_string(), vec![3; 32]));
    });
    rig.agg.submit_now().await.unwrap();
    assert_eq!(sizes(&rig), [(4, true)], "one transaction with the four envelopes not handled yet");
    assert!(landed(&rig, [1, 2, 4, 5]));
    assert_eq!(rig.state(3).state, EnvelopeState::AlreadyHandled);
    assert!(matches!(rig.state(6).state, EnvelopeState::Pending { signed_weight: 1, threshold: 2, .. }), "below quorum: not sent");
    assert_eq!(rig.agg.counters.landed.load(Ordering::Relaxed), 4);
}

#[tokio::test]
async fn a_signer_removed_before_submission_is_dropped_and_what_still_meets_the_threshold_lands() {
    let rig = rig(100);
    rig.signed(1, &["a", "b", "c"]).await;
    rig.signed(2, &["a", "b"]).await;
    // `b` leaves the operator set after signing, before the batcher submits.
    rig.chain.set(|c| c.sets.get_mut(crate::testing::MANAGER).unwrap().0.retain(|(id, _)| id != "b"));
    rig.agg.submit_now().await.unwrap();
    let submits = rig.chain.submits();
    assert_eq!(submits.len(), 1);
    assert_eq!(submits[0].envelopes, [(vec![1; 32], vec!["a".to_string(), "c".to_string()])], "b's signature is not sent");
    assert!(landed(&rig, [1]));
    let waiting = rig.state(2);
    assert!(matches!(waiting.state, EnvelopeState::Pending { signed_weight: 1, threshold: 2, signers: 1 }), "{waiting:?}");
    assert_eq!(rig.agg.counters.stale_signatures.load(Ordering::Relaxed), 2);
    // A new operator's signature completes it again, and it lands.
    rig.signed(2, &["c"]).await;
    rig.agg.submit_now().await.unwrap();
    assert!(landed(&rig, [2]));
}

#[tokio::test]
async fn one_envelope_the_handler_refuses_fails_alone_in_log_n_transactions() {
    let rig = rig(100);
    for id in 1..=8 {
        rig.signed(id, &["a", "b"]).await;
    }
    rig.chain.set(|c| {
        c.reverts_on.insert(vec![6; 32]);
    });
    rig.agg.submit_now().await.unwrap();
    assert!(landed(&rig, [1, 2, 3, 4, 5, 7, 8]));
    match rig.state(6).state {
        EnvelopeState::Failed { reason } => {
            assert!(reason.contains("the handler refuses this payload") && reason.contains("final"), "{reason}")
        }
        other => panic!("the bad envelope should fail for good, not {other:?}"),
    }
    // 8 refused, 4 lands, 4 refused, 2 lands, 2 refused, 1 lands, 1 refused: 1 + 2 * 3.
    assert_eq!(sizes(&rig), [(8, false), (4, true), (4, false), (2, false), (1, true), (1, false), (2, true)]);
    assert_eq!(rig.agg.counters.failed.load(Ordering::Relaxed), 1);
}

#[tokio::test]
async fn a_batch_too_big_for_a_block_lands_in_parts_and_the_next_round_sends_smaller_ones() {
    let rig = rig(8);
    rig.chain.set(|c| c.fits = 3);
    for id in 1..=8 {
        rig.signed(id, &["a", "b"]).await;
    }
    let mut rounds = Rounds::default();
    rig.agg.round(&mut rounds).await.unwrap();
    assert!(landed(&rig, 1..=8), "every envelope lands, in parts that fit");
    assert_eq!(sizes(&rig), [(8, false), (4, false), (2, true), (2, true), (4, false), (2, true), (2, true)]);
    for id in 11..=18 {
        rig.signed(id, &["a", "b"]).await;
    }
    let before = rig.chain.submits().len();
    rig.agg.round(&mut rounds).await.unwrap();
    assert!(landed(&rig, 11..=18));
    let second: Vec<usize> = rig.chain.submits()[before..].iter().map(|s| s.envelopes.len()).collect();
    assert_eq!(second[0], 2, "the learned cap is used at once: {second:?}");
    assert!(second.iter().all(|n| *n <= 4), "never the size that was refused twice: {second:?}");
}

#[tokio::test]
async fn an_unreachable_chain_keeps_every_envelope_for_later_and_they_land_once_it_is_back() {
    let rig = rig(100);
    for id in 1..=3 {
        rig.signed(id, &["a", "b"]).await;
    }
    rig.chain.set(|c| c.down = Some("connection refused (127.0.0.1:8545)".into()));
    rig.agg.submit_now().await.unwrap();
    assert!(rig.chain.submits().is_empty());
    for id in 1..=3 {
        let status = rig.state(id);
        assert_eq!(status.state, EnvelopeState::Queued, "not failed: {status:?}");
        assert!(status.detail.contains("connection refused"), "the status says why it waits: {}", status.detail);
    }
    rig.chain.set(|c| c.down = None);
    // The first retry is due 500 ms to 1 s (jitter) after the failure.
    tokio::time::sleep(std::time::Duration::from_millis(1000)).await;
    rig.agg.submit_now().await.unwrap();
    assert!(landed(&rig, 1..=3));
    assert_eq!(rig.agg.counters.failed.load(Ordering::Relaxed), 0);
}

#[tokio::test]
async fn a_handler_that_validates_with_another_manager_fails_its_envelopes_naming_both() {
    let rig = rig(100);
    rig.signed(1, &["a", "b"]).await;
    rig.chain.set(|c| {
        c.managers.insert(HANDLER.to_string(), "0xcc".to_string());
    });
    rig.agg.submit_now().await.unwrap();
    assert!(rig.chain.submits().is_empty(), "nothing is sent where these signatures cannot land");
    match rig.state(1).state {
        EnvelopeState::Failed { reason } => assert!(reason.contains("0xcc") && reason.contains("not 0xaa"), "{reason}"),
        other => panic!("expected failed, got {other:?}"),
    }
}

#[tokio::test]
async fn a_refusal_the_raised_threshold_explains_waits_for_more_signatures_and_then_lands() {
    let rig = rig(100);
    rig.signed(1, &["a", "b"]).await;
    // The threshold rises between the batcher's recheck and the transaction.
    rig.chain.set(|c| {
        c.before_submit = Some(Box::new(|c| c.sets.get_mut(crate::testing::MANAGER).unwrap().1 = 3));
    });
    rig.agg.submit_now().await.unwrap();
    assert_eq!(sizes(&rig), [(1, false)]);
    let status = rig.state(1);
    assert!(matches!(status.state, EnvelopeState::Pending { signed_weight: 2, threshold: 3, .. }), "not failed: {status:?}");
    rig.signed(1, &["c"]).await;
    rig.agg.submit_now().await.unwrap();
    assert!(landed(&rig, [1]));
    assert_eq!(rig.agg.counters.failed.load(Ordering::Relaxed), 0);
}
