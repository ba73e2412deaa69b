//! Where triggers enter: one reader per chain reads events by block range from the stored
//! cursor, through the chain ([`ChainReader`]), and hands each match, stored as a job, to
//! the scheduler. In the same read it sees the followed managers' service URI changes
//! ([`uri_changes`]) and wakes following.
//!
//! An owned stage: a reader holds its chain, the store, the deployed services and the
//! chains' status map, and sees the rest of the node only through [`JobSink`]. Its tests
//! (`reader/tests.rs`) run it on an in-memory chain.

mod chain;
#[cfg(test)]
mod fake;
mod reorg;
mod routes;
mod status;
#[cfg(test)]
mod tests;
mod uri_changes;

pub use chain::ChainReader;
pub(crate) use routes::custom_filter;
pub use status::{ChainStatus, ChainStatuses};

use crate::backoff::Schedule;
use crate::deployed::Deployed;
use crate::error::{NodeError, Result};
use crate::follow_rounds::FollowRounds;
use crate::store::{PendingJob, Store};
use std::sync::Arc;
use std::time::Duration;
use wavs_runtime::bindings::adapter_api::{BlockTag, EventFilter};
use wavs_types::{ChainSpec, ChainState, Finality};

/// Where a reader's jobs go.
pub(crate) trait JobSink: Send + Sync {
    /// Runs a job just stored.
    fn schedule(self: Arc<Self>, pending: PendingJob);
    /// The chain is readable again: jobs postponed while it failed need not wait out
    /// their backoff.
    fn retry_postponed(self: Arc<Self>);
}

/// Starts trigger readers: what every chain's reader shares.
pub(crate) struct Readers {
    pub(crate) store: Arc<Store>,
    pub(crate) deployed: Deployed,
    pub(crate) status: ChainStatuses,
    pub(crate) jobs: Arc<dyn JobSink>,
    /// Told when a followed manager's service URI changes.
    pub(crate) follow_rounds: Arc<FollowRounds>,
}

impl Readers {
    /// Starts the reader of chain `name` on `chain`.
    pub(crate) fn start<C: ChainReader>(&self, name: &str, spec: ChainSpec, chain: C) {
        let reader = TriggerReader {
            name: name.to_string(),
            spec,
            chain,
            store: self.store.clone(),
            deployed: self.deployed.clone(),
            status: self.status.clone(),
            jobs: self.jobs.clone(),
            follow_rounds: self.follow_rounds.clone(),
            hold: Default::default(),
        };
        tokio::spawn(reader.run());
    }

    /// Each chain's status as its reader last wrote it.
    pub(crate) fn status(&self) -> std::collections::BTreeMap<String, ChainStatus> {
        self.status.read().clone()
    }
}

/// The trigger reader of one chain.
pub(crate) struct TriggerReader<C> {
    pub(crate) name: String,
    pub(crate) spec: ChainSpec,
    pub(crate) chain: C,
    pub(crate) store: Arc<Store>,
    pub(crate) deployed: Deployed,
    pub(crate) status: ChainStatuses,
    pub(crate) jobs: Arc<dyn JobSink>,
    pub(crate) follow_rounds: Arc<FollowRounds>,
    /// Held at a followed manager's URI change until following has looked at it.
    pub(crate) hold: parking_lot::Mutex<uri_changes::Hold>,
}

impl<C: ChainReader> TriggerReader<C> {
    /// Reads triggers forever, backing off while the chain or its adapter fails; the
    /// cursor only moves past ranges that were fully read.
    pub(crate) async fn run(self) {
        let poll = Duration::from_millis(self.spec.poll_interval_ms);
        // At most 10 s between attempts with jitter: 5 s before it.
        let schedule = Schedule::new(poll, Duration::from_secs(5));
        let mut backoff = schedule.delays();
        let mut failing = false;
        loop {
            let wait = match self.poll().await {
                Ok(caught_up) => {
                    backoff = schedule.delays();
                    if std::mem::take(&mut failing) {
                        self.jobs.clone().retry_postponed();
                    }
                    if caught_up { poll } else { Duration::ZERO }
                }
                Err(e) => {
                    failing = true;
                    let delay = backoff.next().unwrap_or(Duration::from_secs(10));
                    tracing::warn!(chain = %self.name, retry_in_ms = delay.as_millis() as u64, "reading triggers failed: {e}");
                    self.update(|s| {
                        s.state = ChainState::Error;
                        s.error = Some(e.to_string());
                    });
                    delay
                }
            };
            tokio::time::sleep(wait).await;
        }
    }

    /// Reads one range. Returns whether the cursor has caught up with the safe head.
    pub(crate) async fn poll(&self) -> Result<bool> {
        let (name, spec, chain) = (&self.name, &self.spec, &self.chain);
        if !chain.has_adapter() {
            self.update(|s| s.state = ChainState::WaitingForAdapter);
            return Ok(true);
        }
        let head = chain.head(head_tag(spec.finality)).await?;
        let safe = head.height.saturating_sub(spec.confirmations);
        let cursor = match self.store.cursor(name)? {
            Some(c) => c,
            None => {
                let start = spec.start_height.unwrap_or(safe + 1);
                self.store.set_cursor(name, start)?;
                start
            }
        };
        self.update(|s| {
            s.head = Some(head.height);
            s.cursor = Some(cursor);
        });
        // Checked on every round, caught up or not: a reorg of the same length adds no
        // block, and would otherwise go unseen until the next block came.
        if self.check_reorg(cursor).await?.is_some() {
            return Ok(false);
        }
        if cursor > safe {
            self.update(ChainStatus::set_active);
            return Ok(true);
        }
        let mut to = safe.min(cursor + spec.max_block_range - 1);
        let held = self.hold.lock().held_from(&self.follow_rounds);
        if let Some(height) = held {
            if cursor >= height {
                // Waiting for following to look at the URI that changed at `height`.
                self.update(ChainStatus::set_active);
                return Ok(true);
            }
            to = to.min(height - 1);
        }
        let routes = routes::routes(&self.deployed, name, spec);
        let mut jobs = Vec::new();
        // The routes' filters, then the followed managers' URI changes (which make no job).
        let mut filters: Vec<EventFilter> = routes.iter().map(|r| r.filter.clone()).collect();
        filters.extend(uri_changes::filters(chain, &self.store, name).await);
        if !filters.is_empty() {
            let events = chain.events(&filters, cursor, to).await?;
            let is_change = |filter: u32| filter as usize >= routes.len() && (filter as usize) < filters.len();
            let hold = self.hold.lock();
            let changed_at = events.iter().filter(|e| is_change(e.filter)).map(|e| e.position.height).filter(|h| hold.is_new(*h)).min();
            drop(hold);
            if let Some(height) = changed_at {
                tracing::info!(chain = %name, height, "a followed manager's service URI changed: looking at it now, holding this chain's triggers from that height until then");
                self.hold.lock().hold(height, &self.follow_rounds);
                if height <= cursor {
                    self.update(ChainStatus::set_active);
                    return Ok(true);
                }
                to = height - 1;
            }
            for event in events.into_iter().filter(|e| e.position.height <= to) {
                match routes.get(event.filter as usize) {
                    Some(route) => jobs.push(routes::job_for(name, &spec.caip2(), route, event)),
                    None if is_change(event.filter) => {}
                    None => tracing::warn!(chain = %name, filter = event.filter, "adapter returned an event for an unknown filter"),
                }
            }
        }
        // A skipped height is remembered as such (empty), so the cursor moves past it; only
        // a height the chain has not reached makes the round wait.
        let to_hash = chain::seen(chain.block_status(to).await?)
            .ok_or_else(|| NodeError::Unavailable(format!("chain {name}: block {to} below the head is not there yet")))?;
        // The jobs and the cursor past them in one transaction: none lost, none twice.
        for pending in self.store.enqueue_jobs(name, jobs, to, &to_hash).await? {
            self.jobs.clone().schedule(pending);
        }
        // Active only once a whole round worked: a chain whose `events` keeps failing
        // stays in `error` with its reason between attempts.
        self.update(|s| {
            s.set_active();
            s.cursor = Some(to + 1);
        });
        Ok(to == safe)
    }

    fn update(&self, f: impl FnOnce(&mut ChainStatus)) {
        status::update(&self.status, &self.name, f);
    }
}

/// The head a chain's `finality` reads up to, as its adapter is asked for it.
fn head_tag(finality: Finality) -> BlockTag {
    match finality {
        Finality::Latest => BlockTag::Latest,
        Finality::Safe => BlockTag::Safe,
        Finality::Finalized => BlockTag::Finalized,
    }
}
