use super::*;

fn submission(event: u8, payload: u8, handler: &str) -> SignedSubmission {
    SignedSubmission {
        service_id: "s".into(),
        workflow_id: "w".into(),
        chain: "c".into(),
        handler: handler.into(),
        manager: "m".into(),
        envelope: WireEnvelope { event_id: vec![event; 20], ordering: vec![0; 12], payload: vec![payload] },
        signature: vec![1; 65],
    }
}

fn pending_weight(status: &EnvelopeStatus) -> u64 {
    match status.state {
        EnvelopeState::Pending { signed_weight, .. } => signed_weight,
        ref other => panic!("expected pending, got {other:?}"),
    }
}

#[test]
fn weights_add_up_per_distinct_operator_until_the_threshold() {
    let mut q = Queue::default();
    let s = submission(1, 7, "h");
    let first = q.add(&s, vec![9], "a".into(), 1, 2);
    assert_eq!(pending_weight(&first), 1);
    assert!(first.detail.contains("insufficient quorum: weight 1 of 2"), "{}", first.detail);
    // The same operator again changes nothing.
    assert_eq!(pending_weight(&q.add(&s, vec![9], "a".into(), 1, 2)), 1);
    let second = q.add(&s, vec![9], "b".into(), 1, 2);
    assert_eq!(second.state, EnvelopeState::Queued);
    assert_eq!(q.depth(), 1);
}

#[test]
fn signatures_over_different_digests_never_combine() {
    let mut q = Queue::default();
    q.add(&submission(1, 7, "h"), vec![1], "a".into(), 1, 2);
    let other = q.add(&submission(1, 8, "h"), vec![2], "b".into(), 1, 2);
    assert_eq!(pending_weight(&other), 1);
    assert_eq!(q.depth(), 0);
}

#[test]
fn ready_entries_are_batched_per_target_and_taken_once() {
    let mut q = Queue::default();
    let now = Instant::now();
    for (event, handler) in [(1, "h1"), (2, "h1"), (3, "h2")] {
        q.add(&submission(event, 0, handler), vec![event], "a".into(), 1, 1);
    }
    let batches = q.take_ready(10, now);
    assert_eq!(batches.len(), 2);
    assert_eq!(batches.iter().map(|b| b.entries.len()).sum::<usize>(), 3);
    assert!(q.take_ready(10, now).is_empty(), "in-flight entries are not taken twice");
}

#[test]
fn a_landed_event_id_is_never_queued_again() {
    let mut q = Queue::default();
    let s = submission(1, 7, "h");
    q.add(&s, vec![9], "a".into(), 1, 1);
    let batch = q.take_ready(10, Instant::now()).pop().unwrap();
    let key = batch.entries[0].0.clone();
    q.landed(&key, vec![0xaa], 5);
    let again = q.add(&s, vec![9], "b".into(), 1, 1);
    assert!(matches!(again.state, EnvelopeState::Landed { height: 5, .. }));
    // Even a different payload for the same event id stays finished.
    let other = q.add(&submission(1, 8, "h"), vec![10], "c".into(), 5, 1);
    assert!(matches!(other.state, EnvelopeState::Landed { .. }));
    assert!(q.take_ready(10, Instant::now()).is_empty());
}

#[test]
fn retry_backs_off_and_failure_is_final() {
    let mut q = Queue::default();
    let now = Instant::now();
    q.add(&submission(1, 7, "h"), vec![9], "a".into(), 1, 1);
    let key = q.take_ready(10, now).pop().unwrap().entries[0].0.clone();
    q.retry_later(&key, now);
    assert!(q.take_ready(10, now).is_empty(), "not before the backoff passes");
    assert_eq!(q.take_ready(10, now + Duration::from_secs(60)).len(), 1);
    q.failed(&key, "reverted: InsufficientQuorum".into());
    let status = q.status(&[1; 20]).unwrap();
    assert!(matches!(status.state, EnvelopeState::Failed { .. }));
    assert!(status.detail.contains("InsufficientQuorum"));
    assert!(q.take_ready(10, now + Duration::from_secs(120)).is_empty());
}
