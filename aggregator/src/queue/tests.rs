//! The queue's core: keying, counting, batching, settling, change records, restore.

use super::*;

pub(super) const NOW: u64 = 1_700_000_000_000;

pub(super) fn target(handler: &str) -> Target {
    Target::new("c", "0xmanager", handler)
}

pub(super) fn envelope(event: u8, payload: u8) -> WireEnvelope {
    WireEnvelope { event_id: vec![event; 20], ordering: vec![0; 12], payload: vec![payload] }
}

pub(super) fn key(t: &Target, event: u8, digest: u8) -> Key {
    Key { target: t.clone(), event_id: vec![event; 20], digest: vec![digest; 32] }
}

/// Operators a, b, c of weight 1 each, threshold `threshold`.
pub(super) fn quorum(threshold: u64) -> Quorum {
    Quorum::of(&[("a", 1), ("b", 1), ("c", 1)], threshold)
}

/// Counts `operator`'s signature for (`handler`, `event`, `payload`) with the default caps.
pub(super) fn sign(q: &mut Queue, handler: &str, event: u8, payload: u8, operator: &str, quorum: &Quorum) -> EnvelopeStatus {
    let t = target(handler);
    q.add(key(&t, event, payload), &envelope(event, payload), operator.into(), vec![1; 65], quorum, &Caps::default(), NOW).unwrap()
}

pub(super) fn pending_weight(status: &EnvelopeStatus) -> u64 {
    match status.state {
        EnvelopeState::Pending { signed_weight, .. } => signed_weight,
        ref other => panic!("expected pending, got {other:?}"),
    }
}

#[test]
fn weights_add_up_per_distinct_operator_until_the_threshold() {
    let mut q = Queue::default();
    let first = sign(&mut q, "h", 1, 7, "a", &quorum(2));
    assert_eq!(pending_weight(&first), 1);
    assert!(first.detail.contains("insufficient quorum: weight 1 of 2"), "{}", first.detail);
    // The same operator again changes nothing.
    assert_eq!(pending_weight(&sign(&mut q, "h", 1, 7, "a", &quorum(2))), 1);
    assert_eq!(sign(&mut q, "h", 1, 7, "b", &quorum(2)).state, EnvelopeState::Queued);
    assert_eq!(q.depth(), 1);
}

#[test]
fn signatures_over_different_digests_or_for_different_targets_never_combine() {
    let mut q = Queue::default();
    sign(&mut q, "h", 1, 7, "a", &quorum(2));
    assert_eq!(pending_weight(&sign(&mut q, "h", 1, 8, "b", &quorum(2))), 1, "another payload");
    // The same event id and digest for another handler: a separate entry.
    assert_eq!(pending_weight(&sign(&mut q, "other", 1, 7, "b", &quorum(2))), 1, "another target");
    assert_eq!(q.depth(), 0);
    assert_eq!(q.entries().count(), 3);
    assert_eq!(q.total().entries, 3);
}

#[test]
fn a_landing_for_one_target_finishes_neither_another_target_nor_blocks_it() {
    let mut q = Queue::default();
    // A poster pre-posts the (predictable) envelope for its own target, which lands.
    sign(&mut q, "attacker", 1, 7, "a", &quorum(1));
    let batch = q.take_ready(10, Instant::now()).pop().unwrap();
    q.landed(&batch.entries[0].0, vec![0xaa], 5, NOW);
    // The honest target's signatures still count and reach the quorum.
    assert_eq!(pending_weight(&sign(&mut q, "honest", 1, 7, "a", &quorum(2))), 1);
    assert_eq!(sign(&mut q, "honest", 1, 7, "b", &quorum(2)).state, EnvelopeState::Queued);
    assert!(matches!(q.status(&[1; 20], |t| t.handler == "attacker").unwrap().state, EnvelopeState::Landed { .. }));
    assert_eq!(q.status(&[1; 20], |t| t.handler == "honest").unwrap().state, EnvelopeState::Queued);
}

#[test]
fn ready_entries_are_batched_per_target_and_taken_once() {
    let mut q = Queue::default();
    let now = Instant::now();
    for (event, handler) in [(3, "h1"), (1, "h1"), (2, "h2")] {
        sign(&mut q, handler, event, 0, "a", &quorum(1));
    }
    let batches = q.take_ready(10, now);
    assert_eq!(batches.len(), 2);
    assert_eq!(batches.iter().map(|b| b.entries.len()).sum::<usize>(), 3);
    assert!(q.take_ready(10, now).is_empty(), "in-flight entries are not taken twice");
}

#[test]
fn a_landed_event_id_is_never_queued_again_and_keeps_only_its_status() {
    let mut q = Queue::default();
    sign(&mut q, "h", 1, 7, "a", &quorum(1));
    sign(&mut q, "h", 1, 9, "b", &quorum(2)); // another payload, pending
    let batch = q.take_ready(10, Instant::now()).pop().unwrap();
    let landed = batch.entries[0].0.clone();
    q.landed(&landed, vec![0xaa], 5, NOW);
    let again = sign(&mut q, "h", 1, 7, "b", &quorum(1));
    assert!(matches!(again.state, EnvelopeState::Landed { height: 5, .. }));
    // A different payload for the same target and event id stays finished: its entry is gone.
    assert!(matches!(sign(&mut q, "h", 1, 8, "c", &quorum(1)).state, EnvelopeState::Landed { .. }));
    assert_eq!(q.entries().count(), 1);
    let (_, entry) = q.entries().next().unwrap();
    assert!(entry.envelope.payload.is_empty() && entry.signatures.is_empty(), "payload and signatures dropped: {entry:?}");
    assert_eq!(q.total(), Usage::default(), "a final entry holds nothing against the caps");
    assert!(q.take_ready(10, Instant::now()).is_empty());
}

#[test]
fn retry_backs_off_says_why_and_failure_is_final() {
    let mut q = Queue::default();
    let now = Instant::now();
    sign(&mut q, "h", 1, 7, "a", &quorum(1));
    let key = q.take_ready(10, now).pop().unwrap().entries[0].0.clone();
    q.retry_later(&key, "rpc down".into(), now);
    assert!(q.take_ready(10, now).is_empty(), "not before the backoff passes");
    let status = q.status_of(&key).unwrap();
    assert!(status.detail.contains("attempt 1 did not land: rpc down"), "{}", status.detail);
    // The first delay is in [500 ms, 1 s).
    assert!(q.take_ready(10, now + Duration::from_millis(499)).is_empty(), "not before 500 ms");
    assert_eq!(q.take_ready(10, now + Duration::from_secs(1)).len(), 1);
    q.failed(&key, "reverted: PayloadRefused".into(), NOW);
    let status = q.status(&[1; 20], |_| true).unwrap();
    assert!(matches!(status.state, EnvelopeState::Failed { .. }) && status.state.is_final());
    assert!(status.detail.contains("PayloadRefused"));
    assert!(q.take_ready(10, now + Duration::from_secs(120)).is_empty());
    // A late signature for a failed entry gets the final status, and is not counted.
    assert!(matches!(sign(&mut q, "h", 1, 7, "b", &quorum(1)).state, EnvelopeState::Failed { .. }));
}

fn touched(changes: &Changes) -> (Vec<Key>, Vec<Key>, Vec<Key>) {
    let put = changes.put.iter().map(|(k, _)| k.clone()).collect();
    (put, changes.delete.clone(), changes.finished.clone())
}

#[test]
fn every_stored_change_is_recorded_until_cleared() {
    let mut q = Queue::default();
    let now = Instant::now();
    sign(&mut q, "h", 1, 7, "a", &quorum(1));
    sign(&mut q, "h", 1, 8, "b", &quorum(2));
    let (put, delete, finished) = touched(&q.changes());
    assert_eq!((put.len(), delete.len(), finished.len()), (2, 0, 0));
    q.clear_changes();

    // Taking a batch changes nothing that is stored.
    let key = q.take_ready(10, now).pop().unwrap().entries[0].0.clone();
    assert!(q.changes().is_empty());

    q.retry_later(&key, "x".into(), now);
    assert_eq!(q.changes().put[0].1.attempts(), 1, "the attempt count is part of the stored entry");
    q.clear_changes();

    // Landing writes the entry and the finished id, and deletes the other digest.
    q.landed(&key, vec![0xaa], 5, NOW);
    let (put, delete, finished) = touched(&q.changes());
    assert_eq!(put, vec![key.clone()]);
    assert_eq!(delete, vec![self::key(&target("h"), 1, 8)]);
    assert_eq!(finished, vec![key.clone()]);
    q.clear_changes();
    assert!(q.changes().is_empty());
}

#[test]
fn a_restored_queue_resubmits_in_flight_entries_and_backs_off_again() {
    let mut q = Queue::default();
    let now = Instant::now();
    for event in [1, 2] {
        sign(&mut q, "h", event, 0, "a", &quorum(1));
    }
    let taken = q.take_ready(10, now).pop().unwrap();
    let backing_off = taken.entries[1].0.clone();
    q.retry_later(&backing_off, "x".into(), now);
    q.retry_later(&backing_off, "x".into(), now);
    sign(&mut q, "h", 3, 0, "a", &quorum(2));

    let entries: Vec<(Key, Entry)> = q.entries().map(|(k, e)| (k.clone(), e.clone())).collect();
    let restarted = Instant::now();
    let mut restored = Queue::restore(entries, Vec::new(), restarted);
    assert_eq!(restored.total(), q.total(), "usage is rebuilt");
    // Event 1 was in flight when the process died: it is ready again at once.
    let ready = restored.take_ready(10, restarted);
    assert_eq!(ready[0].entries.iter().map(|(k, _)| k.event_id[0]).collect::<Vec<_>>(), vec![1]);
    // Event 2 keeps its attempts and waits its delay again from the restart: the
    // second one, in [1 s, 2 s).
    assert!(restored.take_ready(10, restarted + Duration::from_millis(999)).is_empty());
    let later = restored.take_ready(10, restarted + Duration::from_secs(2));
    assert_eq!(later[0].entries[0].0, backing_off);
    assert_eq!(later[0].entries[0].1.attempts(), 2);
    assert_eq!(pending_weight(&restored.status(&[3; 20], |_| true).unwrap()), 1);
    assert!(restored.changes().is_empty(), "restoring writes nothing back");
}

#[test]
fn resubmit_delays_double_from_500_ms_to_30_s_with_jitter_below_their_own_length() {
    for _ in 0..20 {
        for attempts in 1..=12u32 {
            let base = Duration::from_millis(500 << (attempts - 1).min(6)).min(Duration::from_secs(30));
            let delay = backoff(attempts);
            assert!(base <= delay && delay < 2 * base, "attempt {attempts}: {delay:?} not in [{base:?}, {:?})", 2 * base);
        }
    }
    // Jitter spreads envelopes that failed together.
    let firsts: BTreeSet<Duration> = (0..20).map(|_| backoff(1)).collect();
    assert!(firsts.len() > 1, "{firsts:?}");
}
