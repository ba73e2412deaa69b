//! Finished executions, newest last, for the API. A job's record, its signed envelopes
//! and the removal of the job are one transaction: after a crash a job is either still
//! pending or fully recorded with its envelopes in the outbox. A result whose envelope
//! is in the outbox is stored as [`Submission::InOutbox`]: its state lives there only
//! and is joined in when records are read.

use super::outbox::{OUTBOX, OutboxEntry, OutboxState, index_state};
use super::{Store, from_json, jobs, next_id, to_json};
use crate::error::Result;
use crate::executions::{ExecutionRecord, Submission};
use redb::{ReadableDatabase, ReadableTable, TableDefinition, WriteTransaction};
use wavs_types::SignedSubmission;

const EXECUTIONS: TableDefinition<u64, &str> = TableDefinition::new("executions");

/// Executions kept; older ones are pruned as new ones are recorded.
const KEEP: u64 = 10_000;

pub(super) fn create_tables(txn: &WriteTransaction) -> Result<()> {
    txn.open_table(EXECUTIONS)?;
    Ok(())
}

impl Store {
    /// Records the execution of job `job` (if it was a stored job), puts `signed` in the
    /// outbox and removes the job, in one transaction. An event id already signed with a
    /// different payload is refused: its result in `record` says so, nothing is queued.
    pub async fn finish_job(
        &self,
        job: Option<u64>,
        record: ExecutionRecord,
        signed: Vec<SignedSubmission>,
    ) -> Result<(ExecutionRecord, Vec<SignedSubmission>)> {
        self.committer.write(move |txn| finish_in(txn, job, record.clone(), signed.clone())).await
    }

    /// The newest executions first, optionally of one service.
    pub fn recent_executions(&self, service: Option<&str>, limit: usize) -> Result<Vec<ExecutionRecord>> {
        self.with_db(|db| {
            let txn = db.begin_read()?;
            let table = txn.open_table(EXECUTIONS)?;
            let outbox = txn.open_table(OUTBOX)?;
            let mut out = Vec::new();
            for row in table.iter()?.rev() {
                if out.len() >= limit {
                    break;
                }
                let (_, json) = row?;
                let mut record: ExecutionRecord = from_json("execution", json.value())?;
                if service.is_none_or(|s| record.service_id == s) {
                    join_outbox(&outbox, &mut record)?;
                    out.push(record);
                }
            }
            Ok(out)
        })
    }
}

/// Records a job's execution, queues its signed envelopes and removes the job, in `txn`.
fn finish_in(
    txn: &WriteTransaction,
    job: Option<u64>,
    mut record: ExecutionRecord,
    signed: Vec<SignedSubmission>,
) -> Result<(ExecutionRecord, Vec<SignedSubmission>)> {
    record.seq = next_id(txn, "next-execution")?;
    let mut queued = Vec::new();
    {
        let mut outbox = txn.open_table(OUTBOX)?;
        for submission in signed {
            let id = submission.envelope.event_id.clone();
            let earlier = outbox.get(id.as_slice())?.map(|v| v.value().to_string());
            let result = record.results.iter_mut().find(|r| r.event_id == id);
            if let Some(json) = earlier {
                let earlier: OutboxEntry = from_json("outbox entry", &json)?;
                if let Some(result) = result {
                    result.submission = if earlier.submission.envelope.payload == submission.envelope.payload {
                        // The same result again (a task posted twice): already signed once.
                        earlier.state.submission()
                    } else {
                        Submission::Failed {
                            reason: format!(
                                "event id already signed with another result in execution {}; not signing a second",
                                earlier.execution
                            ),
                        }
                    };
                }
                continue;
            }
            let state = OutboxState::Pending { attempts: 0, not_before_ms: 0, last_error: None };
            if let Some(result) = result {
                result.submission = state.submission();
            }
            index_state(txn, &id, &state)?;
            let entry = OutboxEntry { submission: submission.clone(), execution: record.seq, state };
            outbox.insert(id.as_slice(), to_json(&entry)?.as_str())?;
            queued.push(submission);
        }
    }
    // Stored without the outbox's state, which changes there only.
    let mut stored = record.clone();
    for result in stored.results.iter_mut().filter(|r| r.submission.follows_outbox()) {
        result.submission = Submission::InOutbox;
    }
    let mut executions = txn.open_table(EXECUTIONS)?;
    executions.insert(record.seq, to_json(&stored)?.as_str())?;
    if record.seq > KEEP {
        executions.remove(record.seq - KEEP)?;
    }
    drop(executions);
    if let Some(id) = job {
        jobs::remove_job(txn, id)?;
    }
    Ok((record, queued))
}

/// Shows the outbox's state on each result whose envelope is there (the same payload:
/// a result refused for reusing an event id keeps its own `Failed`).
fn join_outbox(outbox: &impl ReadableTable<&'static [u8], &'static str>, record: &mut ExecutionRecord) -> Result<()> {
    for result in record.results.iter_mut().filter(|r| r.submission.follows_outbox()) {
        let Some(json) = outbox.get(result.event_id.as_slice())? else { continue };
        let entry: OutboxEntry = from_json("outbox entry", json.value())?;
        if entry.submission.envelope.payload == result.payload {
            result.submission = entry.state.submission();
        }
    }
    Ok(())
}
