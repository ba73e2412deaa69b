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

fn touched(changes: &Changes) -> (Vec<Key>, Vec<Key>, Vec<Vec<u8>>) {
    let put = changes.put.iter().map(|(k, _)| k.clone()).collect();
    let finished = changes.finished.iter().map(|(id, _)| id.clone()).collect();
    (put, changes.delete.clone(), finished)
}

#[test]
fn every_stored_change_is_recorded_until_cleared() {
    let mut q = Queue::default();
    let now = Instant::now();
    q.add(&submission(1, 7, "h"), vec![1], "a".into(), 1, 1);
    q.add(&submission(1, 8, "h"), vec![2], "b".into(), 1, 2);
    let (put, delete, finished) = touched(&q.changes());
    assert_eq!((put.len(), delete.len(), finished.len()), (2, 0, 0));
    q.clear_changes();

    // A repeated signature and taking a batch change nothing that is stored.
    q.add(&submission(1, 7, "h"), vec![1], "a".into(), 1, 1);
    let key = q.take_ready(10, now).pop().unwrap().entries[0].0.clone();
    assert!(q.changes().is_empty());

    q.retry_later(&key, now);
    let changes = q.changes();
    assert_eq!(changes.put[0].1.attempts(), 1, "the attempt count is part of the stored entry");
    q.clear_changes();

    // Landing writes the entry and the finished id, and deletes the other digest.
    q.landed(&key, vec![0xaa], 5);
    let (put, delete, finished) = touched(&q.changes());
    assert_eq!(put, vec![key.clone()]);
    assert_eq!(delete, vec![(vec![1; 20], vec![2])]);
    assert_eq!(finished, vec![vec![1; 20]]);
    q.clear_changes();
    assert!(q.changes().is_empty());
}

#[test]
fn a_restored_queue_resubmits_in_flight_entries_and_backs_off_again() {
    let mut q = Queue::default();
    let now = Instant::now();
    for event in [1, 2] {
        q.add(&submission(event, 0, "h"), vec![event], "a".into(), 1, 1);
    }
    let taken = q.take_ready(10, now).pop().unwrap();
    let backing_off = taken.entries[1].0.clone();
    q.retry_later(&backing_off, now);
    q.retry_later(&backing_off, now);
    q.add(&submission(3, 0, "h"), vec![3], "a".into(), 1, 2);
    q.landed(&(vec![9; 20], vec![9]), vec![], 0); // unknown key: no effect

    let entries: Vec<(Key, Entry)> = q.entries().map(|(k, e)| (k.clone(), e.clone())).collect();
    let restarted = Instant::now();
    let mut restored = Queue::restore(entries, Vec::new(), restarted);
    // Event 1 was in flight when the process died: it is ready again at once.
    let ready = restored.take_ready(10, restarted);
    assert_eq!(ready.len(), 1);
    assert_eq!(ready[0].entries.iter().map(|(k, _)| k.0[0]).collect::<Vec<_>>(), vec![1]);
    // Event 2 keeps its attempts and waits its delay again from the restart.
    let entry = restored.entries().find(|(k, _)| k == &&backing_off).unwrap().1;
    assert_eq!(entry.attempts(), 2);
    let later = restored.take_ready(10, restarted + Duration::from_secs(60));
    assert_eq!(later[0].entries[0].0, backing_off);
    // Event 3 is still pending and its status says so.
    assert_eq!(pending_weight(&restored.status(&[3; 20]).unwrap()), 1);
    assert!(restored.changes().is_empty(), "restoring writes nothing back");
}
