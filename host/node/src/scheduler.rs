//! Runs pending jobs: new ones as soon as they are stored, postponed ones when their
//! retry time comes, and after a restart every job the node had not finished.

use crate::backoff::unix_ms;
use crate::executions::ExecutionRecord;
use crate::job::Job;
use crate::node::Node;
use crate::store::PendingJob;
use std::sync::Arc;
use std::time::Duration;
use tracing::Instrument;

/// How often the store is checked for jobs due to run again.
const JOB_POLL: Duration = Duration::from_millis(500);

impl Node {
    /// Starts `pending` in the background unless it is already running or its service
    /// is paused (it then waits in the store for `resume`).
    pub(crate) fn schedule(self: &Arc<Self>, pending: PendingJob) {
        if self.is_paused(&pending.job.service_id) || !self.running.lock().insert(pending.id) {
            return;
        }
        let node = self.clone();
        let span = trigger_span(&pending);
        tokio::spawn(
            async move {
                let id = pending.id;
                node.run_pending(pending).await;
                node.running.lock().remove(&id);
            }
            .instrument(span),
        );
    }

    /// Runs `pending` now and returns its record (a manual task answered in the request).
    pub(crate) async fn run_now(self: &Arc<Self>, pending: PendingJob) -> Option<ExecutionRecord> {
        let id = pending.id;
        self.running.lock().insert(id);
        let span = trigger_span(&pending);
        let record = self.run_pending(pending).instrument(span).await;
        self.running.lock().remove(&id);
        record
    }

    /// Runs every pending job now, whatever its retry time (a chain came back).
    pub(crate) fn retry_postponed_jobs(self: &Arc<Self>) {
        match self.store.pending_jobs() {
            Ok(jobs) => jobs.into_iter().filter(|p| p.attempts > 0).for_each(|p| self.schedule(p)),
            Err(e) => tracing::error!("cannot read pending jobs: {e}"),
        }
    }

    /// Picks up due jobs forever; the first round resumes what a crash interrupted.
    pub(crate) async fn job_loop(self: Arc<Self>) {
        loop {
            match self.store.pending_jobs() {
                Ok(jobs) => {
                    let now = unix_ms();
                    for pending in jobs.into_iter().filter(|p| p.not_before_ms <= now) {
                        self.schedule(pending);
                    }
                }
                Err(e) => tracing::error!("cannot read pending jobs: {e}"),
            }
            tokio::time::sleep(JOB_POLL).await;
        }
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
        event_id = %first_event_id(job),
        trigger = %job.key.describe(),
    )
}

/// The event id of the job's first response (hex), as its envelope carries it; a
/// component that returns several responses numbers the others on from it.
pub(crate) fn first_event_id(job: &Job) -> String {
    wavs_types::hex_bytes::encode(&wavs_types::derive_event_id(&job.service_id, &job.workflow_id, &job.key.identity(), 0))
}
