//! The scheduler stage: runs pending jobs through the [`Executor`], new ones as soon as
//! they are stored, postponed ones when their retry time comes, and after a restart
//! every job the node had not finished. It owns which jobs are running and which
//! services are paused; the trigger readers and the cron stage hand it jobs through
//! [`JobSink`].

use crate::backoff::unix_ms;
use crate::error::Result;
use crate::executions::ExecutionRecord;
use crate::executor::Executor;
use crate::reader::JobSink;
use crate::store::{PendingJob, Store};
use parking_lot::{Mutex, RwLock};
use std::collections::{BTreeMap, HashSet};
use std::sync::Arc;
use std::time::Duration;
use tracing::Instrument;

/// How often the store is checked for jobs due to run again.
const JOB_POLL: Duration = Duration::from_millis(500);

/// Pending jobs and who runs them.
pub struct Scheduler {
    store: Arc<Store>,
    executor: Arc<Executor>,
    /// Jobs being run now, so no job runs twice at once.
    running: Mutex<HashSet<u64>>,
    /// Paused services and since when (unix ms): their jobs wait, their tasks are refused.
    paused: RwLock<BTreeMap<String, u64>>,
}

impl Scheduler {
    /// A scheduler over `store`'s pending jobs; the services paused before a restart stay so.
    pub(crate) fn new(store: Arc<Store>, executor: Arc<Executor>) -> Result<Scheduler> {
        let paused = RwLock::new(store.paused_services()?);
        Ok(Scheduler { store, executor, running: Mutex::default(), paused })
    }

    /// Starts `pending` in the background unless it is already running or its service
    /// is paused (it then waits in the store for `resume`).
    pub(crate) fn schedule_job(self: &Arc<Self>, pending: PendingJob) {
        if self.is_paused(&pending.job.service_id) || !self.running.lock().insert(pending.id) {
            return;
        }
        let scheduler = self.clone();
        let span = trigger_span(&pending);
        tokio::spawn(
            async move {
                let id = pending.id;
                scheduler.executor.run(pending).await;
                scheduler.running.lock().remove(&id);
            }
            .instrument(span),
        );
    }

    /// Runs `pending` now and returns its record (a manual task answered in the request).
    pub(crate) async fn run_now(&self, pending: PendingJob) -> Option<ExecutionRecord> {
        let id = pending.id;
        self.running.lock().insert(id);
        let span = trigger_span(&pending);
        let record = self.executor.run(pending).instrument(span).await;
        self.running.lock().remove(&id);
        record
    }

    /// Runs every pending job now, whatever its retry time (a chain came back).
    pub(crate) fn retry_postponed_jobs(self: &Arc<Self>) {
        match self.store.pending_jobs() {
            Ok(jobs) => jobs.into_iter().filter(|p| p.attempts > 0).for_each(|p| self.schedule_job(p)),
            Err(e) => tracing::error!("cannot read pending jobs: {e}"),
        }
    }

    /// Picks up due jobs forever; the first round resumes what a crash interrupted.
    pub(crate) async fn run(self: Arc<Self>) {
        loop {
            match self.store.pending_jobs() {
                Ok(jobs) => {
                    let now = unix_ms();
                    for pending in jobs.into_iter().filter(|p| p.not_before_ms <= now) {
                        self.schedule_job(pending);
                    }
                }
                Err(e) => tracing::error!("cannot read pending jobs: {e}"),
            }
            tokio::time::sleep(JOB_POLL).await;
        }
    }

    /// Whether service `id` is paused.
    pub fn is_paused(&self, id: &str) -> bool {
        self.paused.read().contains_key(id)
    }

    /// The paused services, by id.
    pub fn paused(&self) -> Vec<String> {
        self.paused.read().keys().cloned().collect()
    }

    /// Pauses service `id` (kept across restarts); returns how many of its jobs wait.
    pub(crate) fn pause(&self, id: &str) -> Result<usize> {
        if !self.is_paused(id) {
            let now = unix_ms();
            self.store.set_paused(id, Some(now))?;
            self.paused.write().insert(id.to_string(), now);
            tracing::info!(service = %id, "service paused");
        }
        Ok(self.jobs_of(id)?.len())
    }

    /// Resumes service `id`: the jobs that waited run now, oldest first. Returns how
    /// many there were.
    pub(crate) fn resume(self: &Arc<Self>, id: &str) -> Result<usize> {
        if self.is_paused(id) {
            self.store.set_paused(id, None)?;
            self.paused.write().remove(id);
            tracing::info!(service = %id, "service resumed");
        }
        let now = unix_ms();
        let jobs = self.jobs_of(id)?;
        let waiting = jobs.len();
        jobs.into_iter().filter(|p| p.not_before_ms <= now).for_each(|p| self.schedule_job(p));
        Ok(waiting)
    }

    /// Forgets that a removed service was paused.
    pub(crate) fn forget(&self, id: &str) -> Result<()> {
        if self.paused.write().remove(id).is_some() {
            self.store.set_paused(id, None)?;
        }
        Ok(())
    }

    /// Service `id`'s pending jobs, oldest first.
    fn jobs_of(&self, id: &str) -> Result<Vec<PendingJob>> {
        Ok(self.store.pending_jobs()?.into_iter().filter(|p| p.job.service_id == id).collect())
    }
}

/// Where the trigger readers' and the cron stage's jobs go.
impl JobSink for Scheduler {
    fn schedule(self: Arc<Self>, pending: PendingJob) {
        self.schedule_job(pending);
    }

    fn retry_postponed(self: Arc<Self>) {
        self.retry_postponed_jobs();
    }
}

/// The span a job's run is logged in: its trigger, service, workflow and event id.
fn trigger_span(pending: &PendingJob) -> tracing::Span {
    let job = &pending.job;
    tracing::info_span!(
        "trigger",
        job = pending.id,
        service = %job.service_id,
        workflow = %job.workflow_id,
        event_id = %job.first_event_id(),
        trigger = %job.key.describe(),
    )
}

#[cfg(test)]
mod tests;
