//! The executor on a real component (`echo`), a real on-disk store and a fake chain for
//! digests: what it signs and records, what it retries and how that survives in the
//! store, and that an event id is signed once.

use crate::executions::{Outcome, Submission};
use crate::testing::{FakeTargets, KEY, rig, rig_with, task};
use wavs_runtime::Signer;

#[tokio::test]
async fn a_result_is_signed_over_the_target_chains_digest_recorded_and_sent() {
    let rig = rig("fake").await;
    let pending = task(&rig, "t1", b"hello").await;
    let record = rig.executor.run(pending.clone()).await.expect("recorded");

    assert!(matches!(record.outcome, Outcome::Ok), "{:?}", record.outcome);
    assert_eq!(record.results.len(), 1);
    assert_eq!(record.results[0].payload, b"hello");
    assert!(matches!(record.results[0].submission, Submission::Sent { .. }), "{:?}", record.results[0].submission);
    assert!(!rig.store.job_pending(pending.id).unwrap(), "a finished job leaves the store");

    let sent = rig.aggregator.received();
    assert_eq!(sent.len(), 1);
    let digest = FakeTargets::digest_of("0x02", &sent[0].envelope);
    let signer = wavs_runtime::recover_public_key(&digest, &sent[0].signature).unwrap();
    let index = rig.store.service_key_index(&sent[0].service_id).unwrap();
    let service_key = Signer::from_hex(KEY).unwrap().for_service(index).unwrap().public_key();
    assert_eq!(signer, service_key, "signed with the service's key over the chain's digest");
    assert_ne!(signer, Signer::from_hex(KEY).unwrap().public_key(), "a service deployed now has a key of its own");
    assert_eq!(sent[0].envelope.event_id, record.results[0].event_id);
    assert_eq!(rig.outcomes.snapshot().get("ok"), Some(&1));
}

#[tokio::test]
async fn an_adapter_fault_postpones_the_job_in_the_store_and_the_retry_lands() {
    let rig = rig("fake").await;
    *rig.targets.faults.lock() = 1;
    let pending = task(&rig, "t2", b"x").await;
    assert!(rig.executor.run(pending.clone()).await.is_none(), "postponed, not recorded");

    let stored = rig.store.pending_jobs().unwrap();
    assert_eq!(stored.len(), 1, "the job stays in the store");
    assert_eq!(stored[0].attempts, 1);
    assert!(stored[0].not_before_ms > crate::backoff::unix_ms(), "retried later");
    assert!(stored[0].last_error.as_deref().unwrap().contains("adapter instance failed in envelope-digest"));
    assert!(rig.store.recent_executions(None, 10).unwrap().is_empty());
    assert!(rig.aggregator.received().is_empty());

    let record = rig.executor.run(stored[0].clone()).await.expect("the retry runs");
    assert_eq!(record.retries, 1);
    assert!(matches!(record.results[0].submission, Submission::Sent { .. }));
    assert!(rig.store.pending_jobs().unwrap().is_empty());
}

#[tokio::test]
async fn a_chain_this_node_does_not_serve_fails_the_submission_not_the_execution() {
    let rig = rig("elsewhere").await;
    let record = rig.executor.run(task(&rig, "t3", b"y").await).await.expect("recorded");
    assert!(matches!(record.outcome, Outcome::Ok));
    match &record.results[0].submission {
        Submission::Failed { reason } => assert!(reason.contains("chain elsewhere is not configured"), "{reason}"),
        other => panic!("{other:?}"),
    }
    assert!(rig.aggregator.received().is_empty(), "nothing unsigned is sent");
    assert!(rig.store.pending_jobs().unwrap().is_empty(), "a failure for good is not retried");
}

#[tokio::test]
async fn an_event_id_is_signed_once_and_never_over_another_result() {
    let rig = rig("fake").await;
    let first = rig.executor.run(task(&rig, "t4", b"same").await).await.expect("recorded");
    // The same task again (an operator re-posting it): same event id, same result.
    let again = rig.executor.run(task(&rig, "t4", b"same").await).await.expect("recorded");
    assert_eq!(first.results[0].event_id, again.results[0].event_id);
    assert!(matches!(again.results[0].submission, Submission::Sent { .. }), "shows the earlier send");
    // The same task id with another payload: the event id is taken.
    let other = rig.executor.run(task(&rig, "t4", b"other").await).await.expect("recorded");
    match &other.results[0].submission {
        Submission::Failed { reason } => assert!(reason.contains("already signed with another result"), "{reason}"),
        s => panic!("{s:?}"),
    }
    assert_eq!(*rig.targets.calls.lock(), 1, "the chain is asked for a digest once");
    let sent = rig.aggregator.received();
    assert_eq!(sent.len(), 1, "one signature for the event id");
    assert_eq!(rig.store.signed_envelope(&first.results[0].event_id).unwrap().as_ref(), Some(&sent[0]));
}

#[tokio::test]
async fn a_job_of_a_removed_service_is_dropped() {
    let rig = rig("fake").await;
    let pending = task(&rig, "t5", b"z").await;
    rig.executor.services.write().clear();
    assert!(rig.executor.run(pending).await.is_none());
    assert!(rig.store.pending_jobs().unwrap().is_empty(), "dropped, not left to run again");
    assert!(rig.aggregator.received().is_empty());
}

#[tokio::test]
async fn a_slow_aggregator_does_not_hold_up_the_next_execution() {
    // One execution at a time; the aggregator holds its answers.
    let rig = rig_with("fake", 1).await;
    rig.aggregator.close();
    let first = task(&rig, "s1", b"one").await;
    let second = task(&rig, "s2", b"two").await;
    let executor = rig.executor.clone();
    let first_run = tokio::spawn(async move { executor.run(first).await });
    let executor = rig.executor.clone();
    let second_run = tokio::spawn(async move { executor.run(second).await });
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while rig.store.recent_executions(None, 10).unwrap().len() < 2 {
        assert!(std::time::Instant::now() < deadline, "the second execution waited for the first one's send");
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    assert!(!first_run.is_finished() || !second_run.is_finished(), "sends are still held");
    rig.aggregator.open();
    for run in [first_run, second_run] {
        let record = run.await.unwrap().expect("recorded");
        assert!(matches!(record.results[0].submission, Submission::Sent { .. }), "{:?}", record.results[0].submission);
    }
}
