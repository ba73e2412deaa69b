//! Pending jobs: triggers read from a chain (or posted as tasks) whose results are not
//! signed yet. A range's jobs and the cursor past it are written in one transaction,
//! so a crash can neither skip a trigger nor run one twice to completion.

use super::{CURSORS, Store, blocks, from_json, next_id, to_json};
use crate::error::Result;
use crate::job::Job;
use redb::{ReadableDatabase, ReadableTable, ReadableTableMetadata, TableDefinition, WriteTransaction};
use serde::{Deserialize, Serialize};

const JOBS: TableDefinition<u64, &str> = TableDefinition::new("jobs");

pub(super) fn create_tables(txn: &WriteTransaction) -> Result<()> {
    txn.open_table(JOBS)?;
    Ok(())
}

/// A job waiting to run (again).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub struct PendingJob {
    /// Its number on this node.
    pub id: u64,
    /// The job.
    pub job: Job,
    /// Runs that failed in a way that may pass.
    pub attempts: u32,
    /// Not to run before this time (Unix ms); 0 for at once.
    pub not_before_ms: u64,
    /// Why the last run failed, if one did.
    pub last_error: Option<String>,
}

impl Store {
    /// Records `jobs` read from `chain` up to block `last` (whose hash is `last_hash`)
    /// and moves the cursor past it, in one transaction.
    pub async fn enqueue_jobs(&self, chain: &str, jobs: Vec<Job>, last: u64, last_hash: &[u8]) -> Result<Vec<PendingJob>> {
        let (chain, last_hash) = (chain.to_string(), last_hash.to_vec());
        self.committer
            .write(move |txn| {
                let pending = insert_jobs(txn, jobs.clone())?;
                txn.open_table(CURSORS)?.insert(chain.as_str(), last + 1)?;
                blocks::record_hash(txn, &chain, last, &last_hash)?;
                Ok(pending)
            })
            .await
    }

    /// Records one job that does not come from a chain (a manual task), which the caller
    /// runs at once; the job loop picks it up only from `not_before_ms`, i.e. if the node
    /// stopped before the caller's run finished.
    pub async fn enqueue_job(&self, job: Job, not_before_ms: u64) -> Result<PendingJob> {
        self.committer
            .write(move |txn| {
                let mut pending = insert_jobs(txn, vec![job.clone()])?.remove(0);
                pending.not_before_ms = not_before_ms;
                txn.open_table(JOBS)?.insert(pending.id, to_json(&pending)?.as_str())?;
                Ok(pending)
            })
            .await
    }

    /// Every pending job, oldest first.
    pub fn pending_jobs(&self) -> Result<Vec<PendingJob>> {
        self.with_db(|db| {
            let txn = db.begin_read()?;
            let table = txn.open_table(JOBS)?;
            let mut out = Vec::new();
            for row in table.iter()? {
                let (_, json) = row?;
                out.push(from_json("job", json.value())?);
            }
            Ok(out)
        })
    }

    /// How many jobs are pending, without reading them.
    pub fn pending_job_count(&self) -> Result<u64> {
        self.with_db(|db| {
            let txn = db.begin_read()?;
            Ok(txn.open_table(JOBS)?.len()?)
        })
    }

    /// Whether job `id` is still pending.
    pub fn job_pending(&self, id: u64) -> Result<bool> {
        self.with_db(|db| {
            let txn = db.begin_read()?;
            Ok(txn.open_table(JOBS)?.get(id)?.is_some())
        })
    }

    /// Stores a job's retry state after a run that may pass later.
    pub fn postpone_job(&self, job: &PendingJob) -> Result<()> {
        self.with_db(|db| {
            let txn = db.begin_write()?;
            txn.open_table(JOBS)?.insert(job.id, to_json(job)?.as_str())?;
            txn.commit()?;
            Ok(())
        })
    }

    /// Drops a job that can never run (its service was removed).
    pub fn drop_job(&self, id: u64) -> Result<()> {
        self.with_db(|db| {
            let txn = db.begin_write()?;
            txn.open_table(JOBS)?.remove(id)?;
            txn.commit()?;
            Ok(())
        })
    }

    /// Drops the pending jobs read from `chain` at heights `from` and above (triggers
    /// of blocks a reorg orphaned) and rewinds the cursor to `from`, in one transaction.
    pub fn rewind(&self, chain: &str, from: u64) -> Result<usize> {
        let orphaned: Vec<u64> = self
            .pending_jobs()?
            .into_iter()
            .filter(|p| p.job.key.chain_height().is_some_and(|(c, h)| c == chain && h >= from))
            .map(|p| p.id)
            .collect();
        self.with_db(|db| {
            let txn = db.begin_write()?;
            {
                let mut table = txn.open_table(JOBS)?;
                for id in &orphaned {
                    table.remove(*id)?;
                }
                txn.open_table(CURSORS)?.insert(chain, from)?;
            }
            blocks::forget_from(&txn, chain, from)?;
            txn.commit()?;
            Ok(orphaned.len())
        })
    }
}

/// The cursor of a cron workflow: the newest tick queued (Unix seconds). Kept beside the
/// chains' cursors; a chain name cannot hold '/', so none collides.
fn cron_key(service: &str, workflow: &str) -> String {
    format!("cron/{service}/{workflow}")
}

impl Store {
    /// The newest tick of `workflow`'s cron trigger in `service` already queued.
    pub fn cron_cursor(&self, service: &str, workflow: &str) -> Result<Option<u64>> {
        self.cursor(&cron_key(service, workflow))
    }

    /// Queues the jobs of due ticks and moves the workflow's cron cursor to `newest`, in
    /// one transaction: a tick is queued once, whatever crashes. `jobs` may be empty (the
    /// schedule's first sight, or every due tick skipped).
    pub async fn enqueue_cron(&self, service: &str, workflow: &str, jobs: Vec<Job>, newest: u64) -> Result<Vec<PendingJob>> {
        let key = cron_key(service, workflow);
        self.committer
            .write(move |txn| {
                let pending = insert_jobs(txn, jobs.clone())?;
                txn.open_table(CURSORS)?.insert(key.as_str(), newest)?;
                Ok(pending)
            })
            .await
    }

    /// Forgets the cron cursors of a removed service, so deploying it again starts its
    /// schedules afresh instead of catching up on the time it was gone.
    pub fn forget_cron(&self, service: &str) -> Result<()> {
        let prefix = format!("cron/{service}/");
        self.with_db(|db| {
            let txn = db.begin_write()?;
            {
                let mut table = txn.open_table(CURSORS)?;
                let keys: Vec<String> = table
                    .iter()?
                    .filter_map(|row| row.ok().map(|(k, _)| k.value().to_string()))
                    .filter(|k| k.starts_with(&prefix))
                    .collect();
                for key in keys {
                    table.remove(key.as_str())?;
                }
            }
            txn.commit()?;
            Ok(())
        })
    }
}

fn insert_jobs(txn: &WriteTransaction, jobs: Vec<Job>) -> Result<Vec<PendingJob>> {
    let mut pending = Vec::with_capacity(jobs.len());
    let mut table = txn.open_table(JOBS)?;
    for job in jobs {
        let entry = PendingJob { id: next_id(txn, "next-job")?, job, attempts: 0, not_before_ms: 0, last_error: None };
        table.insert(entry.id, to_json(&entry)?.as_str())?;
        pending.push(entry);
    }
    Ok(pending)
}

/// Removes job `id` inside a larger transaction (the one that records its outcome).
pub(super) fn remove_job(txn: &WriteTransaction, id: u64) -> Result<()> {
    txn.open_table(JOBS)?.remove(id)?;
    Ok(())
}
