//! Where cron triggers enter: once a second the node looks at every workflow whose trigger
//! is `cron`, queues each tick that came due since the last one it queued (with the
//! workflow's cron cursor, in one transaction) and hands the jobs to the scheduler. A
//! tick's event id comes from its scheduled time, so every operator signs the same
//! envelope whenever it runs the tick. After downtime the node runs the missed ticks, the
//! newest `cron-catch-up` of them, and says so.

use crate::error::Result;
use crate::job::{Job, TriggerKey};
use crate::node::Node;
use std::sync::Arc;
use std::time::Duration;
use wavs_runtime::bindings::wit_types::{CronTrigger, TriggerData};
use wavs_types::TriggerSpec;
use wavs_types::cron::Schedule;

/// How often due ticks are looked for: ticks are whole minutes, so a run starts at most
/// this late.
const CRON_POLL: Duration = Duration::from_secs(1);

/// Seconds since the Unix epoch.
fn unix_now_s() -> u64 {
    crate::backoff::unix_ms() / 1000
}

impl Node {
    /// Queues due cron ticks forever; a failure (the store) is logged and tried again.
    pub(crate) async fn cron_loop(self: Arc<Self>) {
        let mut previous = None;
        loop {
            let now = unix_now_s();
            match self.queue_due_ticks(now, previous).await {
                Ok(()) => previous = Some(now),
                Err(e) => tracing::warn!("queueing cron ticks failed, trying again: {e}"),
            }
            tokio::time::sleep(CRON_POLL).await;
        }
    }

    /// Queues every cron workflow's ticks due by `now`. `previous` is when this process
    /// last looked: ticks due before it (or, on the first look, all of them) were missed.
    async fn queue_due_ticks(self: &Arc<Self>, now: u64, previous: Option<u64>) -> Result<()> {
        for (service_id, workflow_id, schedule) in self.cron_workflows() {
            let Some(after) = self.store.cron_cursor(&service_id, &workflow_id)? else {
                // First sight (just deployed): ticks from now on, none from before.
                self.store.enqueue_cron(&service_id, &workflow_id, vec![], now).await?;
                continue;
            };
            let due = schedule.due(after, now, self.config.cron_catch_up);
            let Some(newest) = due.newest else { continue };
            if due.skipped > 0 {
                tracing::warn!(
                    service = %service_id, workflow = %workflow_id, skipped = due.skipped, running = due.ticks.len(),
                    "missed cron ticks while the node was down; running the newest (cron-catch-up), skipping older ones"
                );
            }
            // Due while the node was down, or while the store stalled.
            let missed = due.ticks.iter().filter(|&&t| previous.is_none_or(|p| t <= p)).count();
            if missed > 0 {
                tracing::info!(service = %service_id, workflow = %workflow_id, missed, "running missed cron ticks");
            }
            let jobs = due
                .ticks
                .iter()
                .map(|&time_unix_s| Job {
                    service_id: service_id.clone(),
                    workflow_id: workflow_id.clone(),
                    data: TriggerData::Cron(CronTrigger { time_unix_s }),
                    key: TriggerKey::Cron { time_unix_s },
                })
                .collect();
            for pending in self.store.enqueue_cron(&service_id, &workflow_id, jobs, newest).await? {
                self.schedule(pending);
            }
        }
        Ok(())
    }

    /// (service, workflow, schedule) of every deployed cron workflow. A schedule that no
    /// longer parses (validated at deploy, so only after a downgrade) is skipped with a
    /// warning.
    fn cron_workflows(&self) -> Vec<(String, String, Schedule)> {
        let services = self.services.read();
        let mut out = Vec::new();
        for service in services.values() {
            for (workflow_id, wf) in &service.workflows {
                let TriggerSpec::Cron { schedule } = &wf.trigger else { continue };
                match Schedule::parse(schedule) {
                    Ok(parsed) => out.push((service.id.clone(), workflow_id.clone(), parsed)),
                    Err(e) => tracing::warn!(service = %service.id, workflow = %workflow_id, "cron trigger not run: {e}"),
                }
            }
        }
        out
    }
}
