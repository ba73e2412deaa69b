//! The scheduler on the executor's rig (real component and store, fake chain): pause
//! and resume, kept across a restart; the loop resuming what a crash left; postponed
//! jobs released when their chain comes back.

use super::Scheduler;
use crate::testing::{Rig, rig, task};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Waits until `rig`'s store has no pending job and `n` executions are recorded.
async fn until_recorded(rig: &Rig, n: usize) {
    let deadline = Instant::now() + Duration::from_secs(10);
    while !rig.store.pending_jobs().unwrap().is_empty() || rig.store.recent_executions(None, 100).unwrap().len() < n {
        assert!(Instant::now() < deadline, "{n} execution(s) expected, jobs left: {:?}", rig.store.pending_jobs().unwrap());
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test]
async fn a_paused_service_keeps_its_jobs_until_resumed_even_across_a_restart() {
    let rig = rig("fake").await;
    let scheduler = Arc::new(Scheduler::new(rig.store.clone(), rig.executor.clone()).unwrap());
    assert_eq!(scheduler.pause("svc").unwrap(), 0);
    let pending = task(&rig, "p1", b"a").await;
    scheduler.schedule_job(pending);
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert_eq!(rig.store.pending_jobs().unwrap().len(), 1, "a paused service's job waits");
    assert!(rig.aggregator.received().is_empty());

    // A new scheduler on the same store (a restart) still has it paused.
    let scheduler = Arc::new(Scheduler::new(rig.store.clone(), rig.executor.clone()).unwrap());
    assert_eq!(scheduler.paused(), vec!["svc".to_string()]);
    assert_eq!(scheduler.resume("svc").unwrap(), 1, "one job waited");
    until_recorded(&rig, 1).await;
    assert_eq!(rig.aggregator.received().len(), 1);
    assert!(scheduler.paused().is_empty());
}

#[tokio::test]
async fn the_loop_runs_what_was_stored_before_it_started() {
    let rig = rig("fake").await;
    task(&rig, "c1", b"a").await;
    task(&rig, "c2", b"b").await;
    let scheduler = Arc::new(Scheduler::new(rig.store.clone(), rig.executor.clone()).unwrap());
    let looping = tokio::spawn(scheduler.clone().run());
    until_recorded(&rig, 2).await;
    looping.abort();
    assert_eq!(rig.aggregator.received().len(), 2);
}

#[tokio::test]
async fn postponed_jobs_run_at_once_when_their_chain_comes_back() {
    let rig = rig("fake").await;
    *rig.targets.faults.lock() = 1;
    let scheduler = Arc::new(Scheduler::new(rig.store.clone(), rig.executor.clone()).unwrap());
    scheduler.run_now(task(&rig, "r1", b"a").await).await;
    let postponed = rig.store.pending_jobs().unwrap();
    assert_eq!(postponed[0].attempts, 1);
    assert!(postponed[0].not_before_ms > crate::backoff::unix_ms(), "waits out its backoff");
    crate::reader::JobSink::retry_postponed(scheduler.clone());
    until_recorded(&rig, 1).await;
    assert_eq!(rig.store.recent_executions(None, 1).unwrap()[0].retries, 1);
}
