//! The group committer: signatures staged by many handlers at once are on disk once
//! each handler's commit answers (and come back after a restart), and nothing staged
//! is handed to the batcher before it is written.

use parking_lot::Mutex;
use std::sync::Arc;
use std::time::Instant;
use wavs_aggregator::committer::Committer;
use wavs_aggregator::durable::DurableQueue;
use wavs_aggregator::queue::{Caps, Key};
use wavs_aggregator::quorum::Quorum;
use wavs_aggregator::targets::Target;
use wavs_types::{EnvelopeState, WireEnvelope};

const NOW: u64 = 1_700_000_000_000;

/// Stages `operator`'s signature on event `event` (operators a, b; `threshold`).
fn stage(q: &Mutex<DurableQueue>, event: u8, operator: &str, threshold: u64) {
    let envelope = WireEnvelope { event_id: vec![event; 20], ordering: vec![0; 12], payload: vec![event] };
    let quorum = Quorum::of(&[("a", 1), ("b", 1)], threshold);
    let key = Key { target: Target::new("anvil", "0xmanager", "0xh"), event_id: vec![event; 20], digest: vec![event] };
    q.lock().stage(|q| q.add(key, &envelope, operator.into(), vec![event; 65], &quorum, &Caps::default(), NOW)).unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn what_many_handlers_staged_is_on_disk_when_their_commits_answer() {
    let dir = tempfile::tempdir().unwrap();
    {
        let q = Arc::new(Mutex::new(DurableQueue::open(dir.path()).unwrap()));
        let committer = Arc::new(Committer::start(q.clone()).unwrap());
        let mut handlers = tokio::task::JoinSet::new();
        for event in 1..=100u8 {
            let (q, committer) = (q.clone(), committer.clone());
            handlers.spawn(async move {
                stage(&q, event, "a", 2);
                committer.commit().await.unwrap();
            });
        }
        while let Some(done) = handlers.join_next().await {
            done.unwrap();
        }

        // Quorum staged but not written: the batcher does not get it yet.
        stage(&q, 200, "a", 2);
        stage(&q, 200, "b", 2);
        assert!(q.lock().take_written(10, Instant::now()).is_empty(), "an unwritten entry is never submitted");
        committer.commit().await.unwrap();
        let taken = q.lock().take_written(10, Instant::now());
        assert_eq!(taken.iter().map(|b| b.entries.len()).sum::<usize>(), 1, "written, so submitted");
        drop(committer);
    }
    let q = DurableQueue::open(dir.path()).unwrap();
    for event in 1..=100u8 {
        let status = q.status(&[event; 20], |_| true).unwrap_or_else(|| panic!("event {event} was acknowledged and lost"));
        assert!(matches!(status.state, EnvelopeState::Pending { signed_weight: 1, .. }), "{status:?}");
    }
    assert!(matches!(q.status(&[200; 20], |_| true).unwrap().state, EnvelopeState::Queued));
}
