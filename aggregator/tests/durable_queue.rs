//! The aggregator's queue written through the store comes back whole from the same
//! data directory: every entry with its target, signatures, state and attempts, every
//! finished (target, event id), and the targets registered at runtime.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};
use wavs_aggregator::durable::DurableQueue;
use wavs_aggregator::queue::{Caps, Key, Queue};
use wavs_aggregator::quorum::Quorum;
use wavs_aggregator::targets::{Source, Target};
use wavs_types::{EnvelopeState, EnvelopeStatus, WireEnvelope};

const NOW: u64 = 1_700_000_000_000;

fn target(handler: &str) -> Target {
    Target::new("anvil", "0xmanager", handler)
}

fn key(handler: &str, event: u8, payload: u8) -> Key {
    Key { target: target(handler), event_id: vec![event; 20], digest: vec![event, payload] }
}

/// Counts `operator`'s signature (weight 1 of operators a, b, c) on (`handler`, `event`, `payload`).
fn sign(q: &mut DurableQueue, handler: &str, event: u8, payload: u8, operator: &str, threshold: u64) -> EnvelopeStatus {
    let envelope = WireEnvelope { event_id: vec![event; 20], ordering: vec![0; 12], payload: vec![payload] };
    let quorum = Quorum::of(&[("a", 1), ("b", 1), ("c", 1)], threshold);
    let k = key(handler, event, payload);
    q.update(|q| q.add(k, &envelope, operator.into(), vec![event; 65], &quorum, &Caps::default(), NOW)).unwrap().unwrap()
}

/// Everything about an entry that must survive, in comparable form.
type Stored = (u64, EnvelopeState, u32, Vec<(String, Vec<u8>, u64)>, Vec<u8>, u64, Option<u64>);

/// Entries, finished keys, and the status of event ids 1..=7 on handler "h".
type Snapshot = (BTreeMap<Key, Stored>, Vec<Key>, Vec<Option<EnvelopeStatus>>);

fn snapshot(q: &Queue) -> Snapshot {
    let entries = q
        .entries()
        .map(|(k, e)| {
            let signatures = e.signatures.iter().map(|(op, s)| (op.clone(), s.bytes.clone(), s.weight)).collect();
            (k.clone(), (e.threshold, e.state.clone(), e.attempts(), signatures, e.envelope.payload.clone(), e.created_ms, e.settled_ms))
        })
        .collect();
    let mut finished: Vec<Key> = q.finished().cloned().collect();
    finished.sort();
    let statuses = (1..=7).map(|event| q.status(&[event; 20], |t| t.handler == "0xh")).collect();
    (entries, finished, statuses)
}

/// Drives one entry into each state a queue entry can have.
fn fill(q: &mut DurableQueue) -> Key {
    let now = Instant::now();
    // 1: pending, one of two signatures; two payloads seen for the same event id.
    sign(q, "0xh", 1, 1, "a", 2);
    sign(q, "0xh", 1, 2, "b", 2);
    // 2..=6: quorum reached.
    for event in 2..=6 {
        sign(q, "0xh", event, event, "a", 2);
        sign(q, "0xh", event, event, "b", 2);
    }
    let taken: Vec<Key> = q.take_ready(10, now).unwrap().into_iter().flat_map(|b| b.entries).map(|(k, _)| k).collect();
    assert_eq!(taken.len(), 5);
    q.update(|q| q.landed(&taken[0], vec![0xaa; 32], 17, NOW)).unwrap(); // 2: landed
    q.update(|q| q.already_handled(&taken[1], NOW)).unwrap(); // 3: already handled
    q.update(|q| q.failed(&taken[2], "reverted: PayloadRefused".into(), NOW)).unwrap(); // 4: failed
    q.update(|q| q.retry_later(&taken[3], "rpc down".into(), now)).unwrap(); // 5: backing off, twice
    q.update(|q| q.retry_later(&taken[3], "rpc down".into(), now)).unwrap();
    // 6 stays in flight, as if the process died during its submission.
    // 7: a landed event id whose other payload was dropped on landing; and the same
    // event id pending for another handler, which the landing does not touch.
    sign(q, "0xh", 7, 1, "a", 1);
    sign(q, "0xh", 7, 2, "b", 2);
    sign(q, "0xother", 7, 1, "c", 2);
    q.update(|q| q.landed(&key("0xh", 7, 1), vec![0xbb; 32], 18, NOW)).unwrap();
    taken[4].clone()
}

#[test]
fn a_reopened_queue_has_the_same_entries_statuses_and_finished_ids() {
    let dir = tempfile::tempdir().unwrap();
    let (before, in_flight) = {
        let mut q = DurableQueue::open(dir.path()).unwrap();
        let in_flight = fill(&mut q);
        (snapshot(&q), in_flight)
    };
    assert!(dir.path().join("aggregator.redb").exists());
    let mut reopened = DurableQueue::open(dir.path()).unwrap();
    let after = snapshot(&reopened);
    assert_eq!(after.0, before.0, "entries");
    assert_eq!(after.1, before.1, "finished (target, event id)s");
    assert_eq!(after.2, before.2, "statuses");
    assert_eq!(before.1.len(), 3, "2, 3 and 7 are finished");
    assert!(!before.0.contains_key(&key("0xh", 7, 2)), "the other payload of a landed id is gone");
    assert!(before.0.contains_key(&key("0xother", 7, 1)), "another target's entry is not");
    assert_eq!(reopened.usage(&target("0xh")).entries, 4, "1 (two payloads), 5 (backing off) and 6 (in flight) are open");

    // The entry that was in flight is submitted again at once; the one backing off
    // only after its delay (its two attempts kept).
    let now = Instant::now();
    let ready: Vec<Key> = reopened.take_ready(10, now).unwrap().into_iter().flat_map(|b| b.entries).map(|(k, _)| k).collect();
    assert_eq!(ready, vec![in_flight]);
    let later: Vec<Key> = reopened
        .take_ready(10, now + Duration::from_secs(60))
        .unwrap()
        .into_iter()
        .flat_map(|b| b.entries)
        .map(|(k, _)| k)
        .collect();
    assert_eq!(later, vec![key("0xh", 5, 5)]);

    // Finished ids stay finished after the restart: a late signature gets the final status.
    let late = sign(&mut reopened, "0xh", 2, 9, "c", 2);
    assert!(matches!(late.state, EnvelopeState::Landed { height: 17, .. }), "{late:?}");
}

#[test]
fn changes_after_a_reopen_are_stored_too() {
    let dir = tempfile::tempdir().unwrap();
    {
        let mut q = DurableQueue::open(dir.path()).unwrap();
        sign(&mut q, "0xh", 1, 1, "a", 1);
    }
    {
        let mut q = DurableQueue::open(dir.path()).unwrap();
        let key = q.take_ready(10, Instant::now()).unwrap().pop().unwrap().entries[0].0.clone();
        q.update(|q| q.landed(&key, vec![1; 32], 3, NOW)).unwrap();
    }
    let q = DurableQueue::open(dir.path()).unwrap();
    assert!(matches!(q.status(&[1; 20], |_| true).unwrap().state, EnvelopeState::Landed { height: 3, .. }));
    assert_eq!(q.depth(), 0);
}

#[test]
fn registered_targets_survive_a_restart_and_removed_ones_do_not() {
    let dir = tempfile::tempdir().unwrap();
    {
        let mut q = DurableQueue::open(dir.path()).unwrap();
        q.store_mut().put_target(&target("0xa"), Source::Api).unwrap();
        q.store_mut().put_target(&target("0xb"), Source::Verified).unwrap();
        q.store_mut().put_target(&target("0xc"), Source::Api).unwrap();
        q.store_mut().delete_target(&target("0xc")).unwrap();
    }
    let q = DurableQueue::open(dir.path()).unwrap();
    let mut stored = q.store().targets().unwrap();
    stored.sort_by(|a, b| a.0.cmp(&b.0));
    assert_eq!(stored, vec![(target("0xa"), Source::Api), (target("0xb"), Source::Verified)]);
}

#[test]
fn a_second_aggregator_on_the_same_data_dir_is_refused_by_name() {
    let dir = tempfile::tempdir().unwrap();
    let _first = DurableQueue::open(dir.path()).unwrap();
    let err = DurableQueue::open(dir.path()).err().expect("the database is locked by the first");
    assert!(err.to_string().contains("another aggregator"), "{err}");
}
