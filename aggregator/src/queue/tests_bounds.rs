//! What bounds the queue and keeps results alive: caps per target, expiry, retention,
//! stale signers dropped against the current operator set, sums that cannot overflow.

use super::tests::{NOW, envelope, key, pending_weight, quorum, sign, target};
use super::*;

fn add(q: &mut Queue, handler: &str, event: u8, payload: Vec<u8>, caps: &Caps) -> Result<EnvelopeStatus, Refusal> {
    let t = target(handler);
    let env = WireEnvelope { payload, ..envelope(event, 0) };
    q.add(key(&t, event, 0), &env, "a".into(), vec![1; 65], &quorum(2), caps, NOW)
}

#[test]
fn a_target_at_its_entry_cap_refuses_new_entries_but_not_signatures_or_other_targets() {
    let mut q = Queue::default();
    let caps = Caps { entries: 3, ..Caps::default() };
    for event in 0..3 {
        add(&mut q, "h", event, vec![0; 10], &caps).unwrap();
    }
    let Err(Refusal::Full(why)) = add(&mut q, "h", 3, vec![0; 10], &caps) else { panic!("a fourth entry was taken") };
    assert!(why.contains("3 open envelopes") && why.contains("send again later"), "{why}");
    // A signature for an entry it holds still counts; another target has its own cap.
    let t = target("h");
    let more = q.add(key(&t, 0, 0), &envelope(0, 0), "b".into(), vec![1; 65], &quorum(2), &caps, NOW).unwrap();
    assert_eq!(more.state, EnvelopeState::Queued);
    add(&mut q, "other", 3, vec![0; 10], &caps).unwrap();
    // Once one lands, there is room again.
    let batch = q.take_ready(10, Instant::now()).pop().unwrap();
    q.landed(&batch.entries[0].0, vec![1], 1, NOW);
    assert_eq!(q.usage(&t).entries, 2);
    add(&mut q, "h", 3, vec![0; 10], &caps).unwrap();
}

#[test]
fn a_target_at_its_byte_cap_refuses_what_would_pass_it() {
    let mut q = Queue::default();
    let caps = Caps { bytes: 100_000, ..Caps::default() };
    add(&mut q, "h", 0, vec![0; 60_000], &caps).unwrap();
    let used = q.usage(&target("h")).bytes;
    assert!(used > 60_000 && used < 61_000, "payload, signature and overhead: {used}");
    assert!(matches!(add(&mut q, "h", 1, vec![0; 40_000], &caps), Err(Refusal::Full(_))));
    add(&mut q, "h", 1, vec![0; 30_000], &caps).unwrap();
    assert_eq!(q.usage(&target("h")).entries, 2);
    assert!(q.usage(&target("h")).bytes <= caps.bytes);
}

#[test]
fn open_entries_expire_with_the_weight_they_reached_and_drop_their_payload() {
    let mut q = Queue::default();
    let caps = Caps { expiry_ms: 60_000, ..Caps::default() };
    sign(&mut q, "h", 1, 7, "a", &quorum(2));
    sign(&mut q, "h", 2, 7, "a", &quorum(1)); // queued, then in flight
    let in_flight = q.take_ready(10, Instant::now()).pop().unwrap().entries[0].0.clone();
    assert_eq!(q.expire(&caps, NOW + 59_999), 0, "not yet");
    assert_eq!(q.expire(&caps, NOW + 60_000), 1, "the in-flight one waits for its outcome");
    let status = q.status(&[1; 20], |_| true).unwrap();
    let EnvelopeState::Failed { reason } = &status.state else { panic!("{status:?}") };
    assert!(reason.starts_with("expired: not landed within 60 s") && reason.contains("weight 1 of 2 (1 signer)"), "{reason}");
    assert_eq!(q.usage(&target("h")).entries, 1, "only the in-flight one is still open");
    // Back from flight without landing, it expires too, saying it had reached quorum.
    q.retry_later(&in_flight, "rpc down".into(), Instant::now());
    assert_eq!(q.expire(&caps, NOW + 60_000), 1);
    let EnvelopeState::Failed { reason } = q.status_of(&in_flight).unwrap().state else { panic!() };
    assert!(reason.contains("quorum was reached but it did not land; last attempt: rpc down"), "{reason}");
    assert_eq!(q.total(), Usage::default());
    // Expired is final: a late signature is answered with it.
    assert!(sign(&mut q, "h", 1, 7, "b", &quorum(2)).state.is_final());
}

#[test]
fn final_statuses_are_forgotten_after_their_retention() {
    let mut q = Queue::default();
    let caps = Caps { retention_ms: 1_000, ..Caps::default() };
    sign(&mut q, "h", 1, 7, "a", &quorum(1));
    let key = q.take_ready(10, Instant::now()).pop().unwrap().entries[0].0.clone();
    q.landed(&key, vec![1], 3, NOW);
    q.clear_changes();
    assert_eq!(q.prune(&caps, NOW + 999), 0);
    assert_eq!(q.prune(&caps, NOW + 1_000), 1);
    assert!(q.status(&[1; 20], |_| true).is_none() && q.finished().count() == 0);
    let changes = q.changes();
    assert_eq!((changes.delete.len(), changes.unfinished.len()), (1, 1), "the store forgets it too");
}

#[test]
fn a_signer_removed_before_submission_is_dropped_and_the_rest_still_lands() {
    let mut q = Queue::default();
    let three = quorum(2);
    for op in ["a", "b", "c"] {
        sign(&mut q, "h", 1, 7, op, &three);
    }
    let key = q.take_ready(10, Instant::now()).pop().unwrap().entries[0].0.clone();
    // `c` is removed from the set: a and b still meet the threshold of 2.
    let now = Quorum::of(&[("a", 1), ("b", 1)], 2);
    let recheck = q.recheck(&key, &now).unwrap().unwrap();
    assert_eq!(recheck.reweighed.dropped, vec!["c".to_string()]);
    let ready = recheck.ready.expect("still meets the threshold");
    assert_eq!(ready.signatures.keys().collect::<Vec<_>>(), ["a", "b"]);
    // Unchanged on a second look: nothing explains a refusal then.
    assert!(!q.recheck(&key, &now).unwrap().unwrap().reweighed.changed);
}

#[test]
fn below_the_threshold_after_a_removal_it_waits_and_a_returning_signer_counts_again() {
    let mut q = Queue::default();
    sign(&mut q, "h", 1, 7, "a", &quorum(2));
    sign(&mut q, "h", 1, 7, "b", &quorum(2));
    let key = q.take_ready(10, Instant::now()).pop().unwrap().entries[0].0.clone();
    let without_b = Quorum::of(&[("a", 1), ("c", 1)], 2);
    let recheck = q.recheck(&key, &without_b).unwrap().unwrap();
    assert!(recheck.ready.is_none() && recheck.reweighed.changed);
    assert_eq!(pending_weight(&recheck.status), 1, "back to pending, not failed");
    assert!(q.take_ready(10, Instant::now()).is_empty());
    // b is an operator again and its node re-sends: counted, queued again.
    assert_eq!(sign(&mut q, "h", 1, 7, "b", &quorum(2)).state, EnvelopeState::Queued);
    assert_eq!(q.take_ready(10, Instant::now()).len(), 1);
}

#[test]
fn changed_weights_and_thresholds_are_taken_on_every_signature() {
    let mut q = Queue::default();
    sign(&mut q, "h", 1, 7, "a", &quorum(3));
    // By the next signature a's weight grew to 2 and the threshold to 4.
    let status = sign(&mut q, "h", 1, 7, "b", &Quorum::of(&[("a", 2), ("b", 1)], 4));
    assert_eq!(pending_weight(&status), 3, "a's new weight counts");
    assert!(status.detail.contains("of 4"), "{}", status.detail);
}

#[test]
fn weights_of_two_to_the_63_twice_meet_a_huge_threshold_without_panic() {
    let mut q = Queue::default();
    let half = 1u64 << 63;
    let heavy = Quorum::of(&[("a", half), ("b", half)], u64::MAX);
    assert_eq!(pending_weight(&sign(&mut q, "h", 1, 7, "a", &heavy)), half);
    assert_eq!(sign(&mut q, "h", 1, 7, "b", &heavy).state, EnvelopeState::Queued, "2^64 >= 2^64 - 1");
}
