//! Where cron triggers enter: once a second the node looks at every workflow whose trigger
//! is `cron`, queues each tick that came due since the last one it queued (with the
//! workflow's cron cursor, in one transaction) and hands the jobs to the scheduler. A
//! tick's event id comes from its scheduled time, so every operator signs the same
//! envelope whenever it runs the tick. After downtime the node runs the missed ticks, the
//! newest `cron-catch-up` of them, and says so.
//!
//! The parsed schedules, the cursors and each workflow's next tick are kept in memory
//! ([`Cron`]) and rebuilt from the manifests and the store only when a service is
//! deployed or removed: a second with no tick due parses and reads nothing. The cursor is
//! still written to the store with each tick queued, so a restart carries on from it.
//!
//! An owned stage: it holds the store and its table, and sees the rest of the node only
//! through the shared [`Deployed`] map (services in) and a [`JobSink`] (jobs out), as the
//! trigger readers do.

use crate::error::Result;
use crate::job::{Job, TriggerKey};
use crate::store::Store;
use crate::deployed::Deployed;
use crate::reader::JobSink;
use parking_lot::Mutex;
use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;
use wavs_runtime::bindings::wit_types::{CronTrigger, TriggerData};
use wavs_types::{ServiceManifest, TriggerSpec};
use wavs_types::cron::Schedule;

/// How often due ticks are looked for: ticks are whole minutes, so a run starts at most
/// this late.
const CRON_POLL: Duration = Duration::from_secs(1);

/// Seconds since the Unix epoch.
fn unix_now_s() -> u64 {
    crate::backoff::unix_ms() / 1000
}

/// (service, workflow).
type Key = (String, String);

/// One cron workflow as the loop tracks it.
struct Entry {
    /// The manifest's expression, as `/health` shows it.
    text: String,
    schedule: Schedule,
    /// The stored cursor: the newest tick queued (or skipped), or when the schedule was
    /// first seen; `None` before that first sight.
    cursor: Option<u64>,
    /// The first tick after `cursor`: nothing is due before it.
    next: Option<u64>,
    /// The newest tick this process queued.
    last_queued: Option<u64>,
}

/// What `GET /health` shows of one cron workflow.
pub use wavs_types::health::CronHealth;

/// The cron stage: the cron workflows of the deployed services, as of their last change,
/// and the loop that queues their ticks.
pub(crate) struct Cron {
    store: Arc<Store>,
    /// The newest missed ticks run per workflow after downtime (`cron-catch-up`).
    catch_up: usize,
    /// Bumped by every deploy and removal; the loop rebuilds its entries when it moved.
    changes: AtomicU64,
    /// The `changes` the entries were built at (`None`: never built), and the entries.
    entries: Mutex<(Option<u64>, BTreeMap<Key, Entry>)>,
}

impl Cron {
    pub(crate) fn new(store: Arc<Store>, catch_up: usize) -> Cron {
        Cron { store, catch_up, changes: AtomicU64::new(0), entries: Mutex::default() }
    }

    /// The deployed services changed: the loop rereads them before its next look.
    pub(crate) fn services_changed(&self) {
        self.changes.fetch_add(1, Ordering::SeqCst);
    }

    /// Every cron workflow's schedule, next tick and last tick queued.
    pub(crate) fn health(&self) -> Vec<CronHealth> {
        let table = self.entries.lock();
        let shown = table.1.iter().map(|((service, workflow), e)| CronHealth {
            service: service.clone(),
            workflow: workflow.clone(),
            schedule: e.text.clone(),
            next_tick: e.next,
            last_queued_tick: e.last_queued,
        });
        shown.collect()
    }

    /// The workflows that may have a tick due at `now` (or were never seen), with what
    /// the loop needs: copied, so that no lock is held across the store's writes.
    fn due_at(&self, now: u64) -> Vec<(Key, Schedule, Option<u64>)> {
        let table = self.entries.lock();
        let due = table.1.iter().filter(|(_, e)| e.cursor.is_none() || e.next.is_some_and(|n| n <= now));
        due.map(|(key, e)| (key.clone(), e.schedule.clone(), e.cursor)).collect()
    }

    /// Records that `key`'s cursor is now `cursor` in the store, and the tick just
    /// queued, if any.
    fn moved(&self, key: &Key, cursor: u64, queued: Option<u64>) {
        if let Some(e) = self.entries.lock().1.get_mut(key) {
            e.cursor = Some(cursor);
            e.next = e.schedule.next_after(cursor);
            e.last_queued = queued.or(e.last_queued);
        }
    }

    /// Queues due cron ticks forever; a failure (the store) is logged and tried again.
    pub(crate) async fn run(self: Arc<Self>, deployed: Deployed, jobs: Arc<dyn JobSink>) {
        let mut previous = None;
        loop {
            let now = unix_now_s();
            match self.queue_due_ticks(&deployed, &jobs, now, previous).await {
                Ok(()) => previous = Some(now),
                Err(e) => tracing::warn!("queueing cron ticks failed, trying again: {e}"),
            }
            tokio::time::sleep(CRON_POLL).await;
        }
    }

    /// Queues every cron workflow's ticks due by `now`. `previous` is when this process
    /// last looked: ticks due before it (or, on the first look, all of them) were missed.
    async fn queue_due_ticks(&self, deployed: &Deployed, sink: &Arc<dyn JobSink>, now: u64, previous: Option<u64>) -> Result<()> {
        self.refresh(deployed)?;
        for (key, schedule, cursor) in self.due_at(now) {
            let (service_id, workflow_id) = &key;
            let Some(after) = cursor else {
                // First sight (just deployed): ticks from now on, none from before.
                self.store.enqueue_cron(service_id, workflow_id, vec![], now).await?;
                self.moved(&key, now, None);
                continue;
            };
            let due = schedule.due(after, now, self.catch_up);
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
            for pending in self.store.enqueue_cron(service_id, workflow_id, jobs, newest).await? {
                sink.clone().schedule(pending);
            }
            self.moved(&key, newest, due.ticks.last().copied());
        }
        Ok(())
    }

    /// Rebuilds the cron table from the deployed services and the stored cursors when
    /// a service was deployed or removed since it was built; otherwise does nothing.
    fn refresh(&self, deployed: &Deployed) -> Result<()> {
        let changes = self.changes.load(Ordering::SeqCst);
        if self.entries.lock().0 == Some(changes) {
            return Ok(());
        }
        let mut fresh = BTreeMap::new();
        for (service, workflow, text, schedule) in cron_workflows(&deployed.read().values().cloned().collect::<Vec<_>>()) {
            let cursor = self.store.cron_cursor(&service, &workflow)?;
            let next = cursor.and_then(|c| schedule.next_after(c));
            fresh.insert((service, workflow), Entry { text, schedule, cursor, next, last_queued: None });
        }
        let mut table = self.entries.lock();
        // The tick this process queued last still is, while the workflow keeps its
        // schedule and its cursor (a removal forgets the cursor).
        for (key, entry) in fresh.iter_mut() {
            if let Some(old) = table.1.get(key).filter(|old| old.text == entry.text && entry.cursor.is_some()) {
                entry.last_queued = old.last_queued;
            }
        }
        *table = (Some(changes), fresh);
        Ok(())
    }
}

/// (service, workflow, expression, schedule) of every cron workflow of `services`. A
/// schedule that no longer parses (validated at deploy, so only after a downgrade) is
/// skipped with a warning.
fn cron_workflows(services: &[Arc<ServiceManifest>]) -> Vec<(String, String, String, Schedule)> {
    let mut out = Vec::new();
    for service in services {
        for (workflow_id, wf) in &service.workflows {
            let TriggerSpec::Cron { schedule } = &wf.trigger else { continue };
            match Schedule::parse(schedule) {
                Ok(parsed) => out.push((service.id.clone(), workflow_id.clone(), schedule.clone(), parsed)),
                Err(e) => tracing::warn!(service = %service.id, workflow = %workflow_id, "cron trigger not run: {e}"),
            }
        }
    }
    out
}

#[cfg(test)]
mod tests;
