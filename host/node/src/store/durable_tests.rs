//! The durable parts of the store, written and read back across a reopen.

use super::*;
use crate::executions::{ExecutionRecord, Submission};
use crate::job::{Job, TriggerKey};
use wavs_runtime::bindings::wit_types::TriggerData;
use wavs_types::{EnvelopeState, EnvelopeStatus, SignedSubmission};

fn job(height: u64) -> Job {
    Job {
        service_id: "s".into(),
        workflow_id: "w".into(),
        data: TriggerData::Raw(vec![height as u8]),
        key: TriggerKey::Block { chain: "anvil".into(), caip2: "evm:31337".into(), height },
    }
}

/// The shared signed envelope for `event`, carrying `payload` instead.
fn signed(event: u8, payload: u8) -> SignedSubmission {
    let mut signed = crate::testing::signed(event);
    signed.envelope.payload = vec![payload];
    signed
}

/// The record of the execution that signed [`signed`]`(event, payload)`.
fn record(event: u8, payload: u8) -> ExecutionRecord {
    crate::testing::record_of(&[signed(event, payload)])
}

#[tokio::test]
async fn jobs_and_cursor_move_together_and_survive_reopening() {
    let dir = tempfile::tempdir().unwrap();
    {
        let store = Store::open(dir.path()).unwrap();
        let pending = store.enqueue_jobs("anvil", vec![job(5), job(6)], 6, &[6; 32]).await.unwrap();
        assert_eq!(pending.iter().map(|p| p.id).collect::<Vec<_>>(), vec![1, 2]);
        store.finish_job(Some(1), record(1, 25), vec![signed(1, 25)]).await.unwrap();
    }
    let store = Store::open(dir.path()).unwrap();
    assert_eq!(store.cursor("anvil").unwrap(), Some(7));
    let left: Vec<u64> = store.pending_jobs().unwrap().iter().map(|p| p.id).collect();
    assert_eq!(left, vec![2], "the finished job is gone, the other still pending");
    assert_eq!(store.enqueue_job(job(9), 0).await.unwrap().id, 3, "ids continue after a reopen");
    assert_eq!(store.due_outbox(u64::MAX).unwrap().len(), 1, "the signed envelope waits to be sent");

    // A reorg rewinds the cursor and drops jobs of orphaned heights.
    assert_eq!(store.block_hash("anvil", 6).unwrap(), Some(vec![6; 32]));
    assert_eq!(store.rewind("anvil", 6).unwrap(), 2);
    assert_eq!(store.cursor("anvil").unwrap(), Some(6));
    assert!(store.pending_jobs().unwrap().is_empty());
    assert_eq!(store.block_hash("anvil", 6).unwrap(), None, "the orphaned block's hash is forgotten");
}

#[tokio::test]
async fn an_event_id_is_signed_once_and_acks_reach_the_execution_record() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path()).unwrap();
    let (first, queued) = store.finish_job(None, record(1, 25), vec![signed(1, 25)]).await.unwrap();
    assert_eq!(queued.len(), 1);
    // Another result for the same event id is refused, not queued.
    let (second, queued) = store.finish_job(None, record(1, 26), vec![signed(1, 26)]).await.unwrap();
    assert!(queued.is_empty());
    assert!(matches!(&second.results[0].submission, Submission::Failed { reason } if reason.contains("already signed")));
    // The same result again is not queued twice either.
    let (_, queued) = store.finish_job(None, record(1, 25), vec![signed(1, 25)]).await.unwrap();
    assert!(queued.is_empty());

    // Held by the aggregator but not landed: it is sent again (to read its state) later.
    let status = EnvelopeStatus { event_id: vec![1; 20], state: EnvelopeState::Queued, detail: "queued".into() };
    store.settle_outbox(&[1; 20], OutboxState::Acked { status, checks: 1, not_before_ms: 5_000 }).await.unwrap();
    assert!(store.due_outbox(4_999).unwrap().is_empty(), "not due before its time");
    assert_eq!(store.due_outbox(5_000).unwrap().len(), 1, "a state that is not final is asked for again");
    let landed = EnvelopeState::Landed { tx_hash: vec![9; 32], height: 7 };
    let status = EnvelopeStatus { event_id: vec![1; 20], state: landed, detail: "landed in block 7".into() };
    store.settle_outbox(&[1; 20], OutboxState::Acked { status, checks: 2, not_before_ms: 0 }).await.unwrap();
    assert!(store.due_outbox(u64::MAX).unwrap().is_empty(), "landed: nothing left to send");
    let records = store.recent_executions(None, 10).unwrap();
    assert_eq!(records.len(), 3);
    let first = records.iter().find(|r| r.seq == first.seq).unwrap();
    let Submission::Sent { aggregator } = &first.results[0].submission else { panic!("{:?}", first.results[0]) };
    assert_eq!(aggregator.state, EnvelopeState::Landed { tx_hash: vec![9; 32], height: 7 }, "the record shows where it landed");
}
