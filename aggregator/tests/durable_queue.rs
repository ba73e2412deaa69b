//! The aggregator's queue written through the store comes back whole from the same
//! data directory: every entry with its signatures, state and attempts, and every
//! finished event id.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};
use wavs_aggregator::durable::DurableQueue;
use wavs_aggregator::queue::{Key, Queue};
use wavs_types::{EnvelopeState, EnvelopeStatus, SignedSubmission, WireEnvelope};

fn submission(event: u8, payload: u8) -> SignedSubmission {
    SignedSubmission {
        service_id: "s".into(),
        workflow_id: "w".into(),
        chain: "anvil".into(),
        handler: "0xhandler".into(),
        manager: "0xmanager".into(),
        envelope: WireEnvelope { event_id: vec![event; 20], ordering: vec![0; 12], payload: vec![payload] },
        signature: vec![event; 65],
    }
}

/// Everything about an entry that must survive, in comparable form.
type Stored = (String, String, u64, EnvelopeState, u32, Vec<(String, Vec<u8>, u64)>, Vec<u8>);

/// Entries, finished ids, and the status of event ids 1..=7.
type Snapshot = (BTreeMap<Key, Stored>, BTreeMap<Vec<u8>, Key>, Vec<Option<EnvelopeStatus>>);

fn snapshot(q: &Queue) -> Snapshot {
    let entries = q
        .entries()
        .map(|(k, e)| {
            let signatures = e.signatures.iter().map(|(op, s)| (op.clone(), s.bytes.clone(), s.weight)).collect();
            let stored = (e.target.chain.clone(), e.target.handler.clone(), e.threshold, e.state.clone(), e.attempts(), signatures, e.envelope.payload.clone());
            (k.clone(), stored)
        })
        .collect();
    let finished = q.finished().map(|(id, k)| (id.clone(), k.clone())).collect();
    let statuses = (1..=7).map(|event| q.status(&[event; 20])).collect();
    (entries, finished, statuses)
}

/// Drives one entry into each state a queue entry can have.
fn fill(q: &mut DurableQueue) -> Key {
    let now = Instant::now();
    // 1: pending, one of two signatures; two payloads seen for the same event id.
    q.update(|q| q.add(&submission(1, 1), vec![1, 1], "a".into(), 1, 2)).unwrap();
    q.update(|q| q.add(&submission(1, 2), vec![1, 2], "b".into(), 1, 2)).unwrap();
    // 2..=6: quorum reached.
    for event in 2..=6 {
        q.update(|q| q.add(&submission(event, event), vec![event], "a".into(), 1, 2)).unwrap();
        q.update(|q| q.add(&submission(event, event), vec![event], "b".into(), 1, 2)).unwrap();
    }
    let taken: Vec<Key> = q.take_ready(10, now).unwrap().into_iter().flat_map(|b| b.entries).map(|(k, _)| k).collect();
    assert_eq!(taken.len(), 5);
    q.update(|q| q.landed(&taken[0], vec![0xaa; 32], 17)).unwrap(); // 2: landed
    q.update(|q| q.already_handled(&taken[1])).unwrap(); // 3: already handled
    q.update(|q| q.failed(&taken[2], "reverted: InsufficientQuorum".into())).unwrap(); // 4: failed
    q.update(|q| q.retry_later(&taken[3], now)).unwrap(); // 5: backing off, twice
    q.update(|q| q.retry_later(&taken[3], now)).unwrap();
    // 6 stays in flight, as if the process died during its submission.
    // 7: a landed event id whose other payload was dropped on landing.
    q.update(|q| q.add(&submission(7, 1), vec![7, 1], "a".into(), 1, 1)).unwrap();
    q.update(|q| q.add(&submission(7, 2), vec![7, 2], "b".into(), 1, 2)).unwrap();
    q.update(|q| q.landed(&(vec![7; 20], vec![7, 1]), vec![0xbb; 32], 18)).unwrap();
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
    assert_eq!(after.1, before.1, "finished event ids");
    assert_eq!(after.2, before.2, "statuses");
    assert_eq!(before.1.len(), 3, "2, 3 and 7 are finished");
    assert!(!before.0.contains_key(&(vec![7; 20], vec![7, 2])), "the other payload of a landed id is gone");

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
    assert_eq!(later, vec![(vec![5; 20], vec![5])]);

    // Finished ids stay finished after the restart: a late signature gets the final status.
    let late = reopened.update(|q| q.add(&submission(2, 9), vec![2, 9], "c".into(), 5, 2)).unwrap();
    assert!(matches!(late.state, EnvelopeState::Landed { height: 17, .. }), "{late:?}");
}

#[test]
fn changes_after_a_reopen_are_stored_too() {
    let dir = tempfile::tempdir().unwrap();
    {
        let mut q = DurableQueue::open(dir.path()).unwrap();
        q.update(|q| q.add(&submission(1, 1), vec![1], "a".into(), 1, 1)).unwrap();
    }
    {
        let mut q = DurableQueue::open(dir.path()).unwrap();
        let key = q.take_ready(10, Instant::now()).unwrap().pop().unwrap().entries[0].0.clone();
        q.update(|q| q.landed(&key, vec![1; 32], 3)).unwrap();
    }
    let q = DurableQueue::open(dir.path()).unwrap();
    assert!(matches!(q.status(&[1; 20]).unwrap().state, EnvelopeState::Landed { height: 3, .. }));
    assert_eq!(q.depth(), 0);
}

#[test]
fn a_second_aggregator_on_the_same_data_dir_is_refused_by_name() {
    let dir = tempfile::tempdir().unwrap();
    let _first = DurableQueue::open(dir.path()).unwrap();
    let err = DurableQueue::open(dir.path()).err().expect("the database is locked by the first");
    assert!(err.to_string().contains("another aggregator"), "{err}");
}
