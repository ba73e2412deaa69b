//! What the batcher does besides submitting: every few seconds it expires open entries
//! past `pending-expiry-secs`, forgets final ones past `finished-retention-secs`, and
//! checks that the store file is still there. It also says when the store stops and
//! starts accepting writes, once each, not every round.

use crate::error::AggregatorError;
use crate::{Aggregator, Counters};
use std::time::{Duration, Instant};

/// How often expiry, pruning and the store file check run.
const EVERY: Duration = Duration::from_secs(2);

/// How often a lasting store fault is logged again.
const REMIND: Duration = Duration::from_secs(30);

/// The batcher's periodic chores and its memory of the store's state.
#[derive(Default)]
pub(super) struct Upkeep {
    last: Option<Instant>,
    /// Since when the store refuses writes, and when that was last logged.
    refusing: Option<(Instant, Instant)>,
}

impl Upkeep {
    /// Runs the chores if they are due. `Err` with the reason if the store is lost.
    pub(super) fn run(&mut self, agg: &Aggregator) -> Result<(), String> {
        let now = Instant::now();
        if self.last.is_some_and(|at| now.duration_since(at) < EVERY) {
            return Ok(());
        }
        self.last = Some(now);
        let caps = agg.config.limits.caps();
        let mut queue = agg.queue.lock();
        if let Err(AggregatorError::StoreFatal(why)) = queue.check_file() {
            return Err(why);
        }
        let now_ms = crate::now_ms();
        // Written by the group committer; the round's commit, next, waits for it.
        let (expired, pruned) = queue.stage(|q| (q.expire(&caps, now_ms), q.prune(&caps, now_ms)));
        drop(queue);
        agg.committer.nudge();
        if expired > 0 {
            Counters::bump(&agg.counters.expired, expired as u64);
            tracing::warn!(expired, after_secs = caps.expiry_ms / 1000, "envelopes expired before landing");
        }
        if pruned > 0 {
            tracing::debug!(pruned, "forgot final statuses past their retention");
        }
        Ok(())
    }

    /// The store took the round's writes.
    pub(super) fn store_writes(&mut self) {
        if let Some((since, _)) = self.refusing.take() {
            tracing::info!(after_secs = since.elapsed().as_secs(), "the store accepts writes again: submitting again");
        }
    }

    /// The store refused the round's writes.
    pub(super) fn store_refuses(&mut self, e: &AggregatorError) {
        let now = Instant::now();
        match &mut self.refusing {
            Some((_, logged)) if now.duration_since(*logged) < REMIND => {}
            Some((since, logged)) => {
                *logged = now;
                tracing::error!(for_secs = since.elapsed().as_secs(), "still not submitting until the store accepts writes: {e}");
            }
            None => {
                self.refusing = Some((now, now));
                tracing::error!("not submitting until the store accepts writes (it is reopened and retried every round): {e}");
            }
        }
    }
}
