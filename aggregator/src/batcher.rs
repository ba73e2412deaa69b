//! Submits queued envelopes per target, in transactions of at most the target's size
//! cap. Before each submission it re-reads the target manager's operator set and drops
//! signers that are no longer operators (`recheck`): what still meets the threshold is
//! sent, the rest waits for more signatures. Event ids the handler already accepted are
//! skipped. A transaction refused for good is split in halves until the parts land, so
//! one bad envelope cannot sink the others and costs O(log n) transactions (`split`); a
//! refusal that only size explains lowers the cap (`cap`); a single envelope refused is
//! re-checked before it is called final (`recheck`). Every outcome is committed to the
//! store before the next round takes anything; expiry and store checks run alongside
//! (`upkeep`).

mod cap;
mod recheck;
mod split;
mod turn;
mod upkeep;

use crate::error::AggregatorError;
use crate::queue::{Batch, Entry, Key, Queue};
use crate::targets::Target;
use crate::{Aggregator, Counters};
use cap::SizeCap;
use split::{Lesson, Split};
use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};
use wavs_runtime::bindings::adapter_api::{OperatorSignature, Signature as WitSignature, SignedEnvelope, SubmissionLimits};
use crate::chain::SubmitChain;
use wavs_runtime::RuntimeError;

/// Runs until the store is lost: every `batch-interval-ms`, or at once while full
/// batches wait.
pub async fn run(agg: Arc<Aggregator>) {
    let interval = Duration::from_millis(agg.config.batch_interval_ms);
    let mut rounds = Rounds::default();
    let mut backlog = false;
    loop {
        if backlog {
            // A full batch was taken, so more are likely ready: go on without sleeping,
            // letting other tasks (the API) run first.
            tokio::task::yield_now().await;
        } else {
            tokio::time::sleep(interval).await;
        }
        match agg.round(&mut rounds).await {
            Ok(full) => backlog = full,
            Err(why) => return agg.die(why),
        }
    }
}

/// What the batcher remembers between rounds.
#[derive(Default)]
pub struct Rounds {
    /// Only the targets whose blocks took less than `max-batch`; in memory, as a
    /// restart costs at most one refusal to learn it again.
    caps: HashMap<Target, SizeCap>,
    upkeep: upkeep::Upkeep,
}

fn signed(entry: &Entry) -> SignedEnvelope {
    SignedEnvelope {
        envelope: (&entry.envelope).into(),
        signatures: entry
            .signatures
            .iter()
            .map(|(operator, s)| OperatorSignature {
                operator: operator.clone(),
                signature: WitSignature { scheme: s.scheme.into(), public_key: s.public_key.clone(), bytes: s.bytes.clone() },
            })
            .collect(),
    }
}

impl Aggregator {
    /// One round: the chores (expiry, store checks), then every ready batch. Returns
    /// whether a full batch was taken; `Err` with the reason if the store is lost.
    pub async fn round(&self, rounds: &mut Rounds) -> Result<bool, String> {
        rounds.upkeep.run(self)?;
        let max = self.config.max_batch;
        // Everything staged so far (the last round's outcomes too) is on disk before
        // anything is taken; what is staged after is left for a later round.
        let batches = match self.committer.commit().await {
            Ok(()) => {
                rounds.upkeep.store_writes();
                self.queue.lock().take_written(max, Instant::now())
            }
            Err(AggregatorError::StoreFatal(why)) => return Err(why),
            Err(e) => {
                Counters::bump(&self.counters.store_errors, 1);
                rounds.upkeep.store_refuses(&e);
                return Ok(false);
            }
        };
        let mut full = false;
        for batch in batches {
            // Every entry taken is settled below (landed, failed, pending again or
            // backing off), so a full round is progress, never a busy loop.
            full |= batch.entries.len() >= max;
            let target = batch.target.clone();
            let mut cap = rounds.caps.get(&target).copied().unwrap_or(SizeCap::new(max));
            self.submit_batch(batch, &mut cap).await;
            if cap.is_capped() {
                rounds.caps.insert(target, cap);
            } else {
                rounds.caps.remove(&target);
            }
        }
        Ok(full)
    }

    /// Runs one round now, as the batcher would at its next tick: for tests and tools
    /// that set a long `batch-interval-ms` to decide when submissions happen.
    pub async fn submit_now(&self) -> Result<(), String> {
        self.round(&mut Rounds::default()).await.map(|_| ())
    }

    /// Applies an outcome to the queue and has the group committer write it; returns
    /// what `change` returned. The next round waits for that write before taking
    /// anything (and counts it if it failed); meanwhile a crash at worst resubmits an
    /// entry, which `is-handled` turns into already-handled.
    fn record<T>(&self, change: impl FnOnce(&mut Queue) -> T) -> T {
        let out = self.queue.lock().stage(change);
        self.committer.nudge();
        out
    }

    /// Puts `keys` back to be tried again later, saying why.
    fn retry_later(&self, keys: &[&Key], why: &str) {
        let now = Instant::now();
        self.record(|q| keys.iter().for_each(|key| q.retry_later(key, why.to_string(), now)));
    }

    async fn submit_batch(&self, batch: Batch, cap: &mut SizeCap) {
        let target = batch.target;
        let keys: Vec<&Key> = batch.entries.iter().map(|(k, _)| k).collect();
        let Some(chain) = self.chains.submitting(&target.chain) else {
            self.retry_later(&keys, &format!("chain {} is not configured here any more; kept until it expires", target.chain));
            return;
        };
        if self.targets.source(&target).is_none() {
            let why = format!("target {target} is no longer served (removed from the config or with DELETE /targets); kept until it expires");
            self.retry_later(&keys, &why);
            return;
        }
        match self.ensure_checked(&target, &*chain).await {
            Ok(()) => {}
            Err(e) if e.is_retryable() => return self.retry_later(&keys, &e.to_string()),
            Err(e) => {
                // The handler validates with another manager: these signatures, by the
                // named manager's operators, cannot land there.
                let now = crate::now_ms();
                self.record(|q| keys.iter().for_each(|key| q.failed(key, e.to_string(), now)));
                Counters::bump(&self.counters.failed, keys.len() as u64);
                return;
            }
        }
        let ready = self.recheck_taken(&*chain, &target, batch.entries).await;
        let mut to_send: Vec<(Key, Entry)> = Vec::new();
        for (key, entry) in ready {
            match chain.is_handled(&target.handler, &entry.envelope.event_id).await {
                Ok(true) => self.record(|q| q.already_handled(&key, crate::now_ms())),
                Ok(false) if self.wait_for_turn(&*chain, &target, &key, &entry).await => {}
                Ok(false) => to_send.push((key, entry)),
                Err(e) => {
                    tracing::warn!(chain = %target.chain, "is-handled failed, will retry: {e}");
                    self.retry_later(&[&key], &format!("is-handled: {e}"));
                }
            }
        }
        // The chain's own limits first; the learned cap below them.
        let limits = match chain.submission_limits().await {
            Ok(limits) => limits,
            Err(e) => {
                tracing::warn!(chain = %target.chain, "submission-limits failed, sending without them: {e}");
                SubmissionLimits { max_envelopes: None, max_payload_bytes: None }
            }
        };
        let payloads: Vec<u64> = to_send.iter().map(|(_, e)| e.envelope.payload.len() as u64).collect();
        let mut split = Split::new(to_send.len());
        while let Some(range) = split.next_by(|start| chunk_limit(&limits, cap.take_limit(), &payloads[start..])) {
            let part = &to_send[range];
            let e = match self.send(&*chain, &target.handler, part).await {
                Ok(()) => {
                    if let Some(lesson) = split.landed() {
                        learn(cap, lesson, &target);
                    }
                    continue;
                }
                Err(e) => e,
            };
            if e.is_retryable() {
                // Splitting cannot help and the chain is likely unreachable: the rest
                // waits too, instead of paying the same failure once per part.
                let rest: Vec<&Key> = split.abandon().into_iter().flat_map(|r| &to_send[r]).map(|(k, _)| k).collect();
                tracing::warn!(size = rest.len(), "submission failed, will retry: {e}");
                self.retry_later(&rest, &e.to_string());
                return;
            }
            if split.refused() {
                tracing::warn!(chain = %target.chain, size = part.len(), "batch refused ({e}); sending it again in halves");
            } else {
                // A single envelope refused: re-checked before anything is final.
                self.settle_refusal(&*chain, &target, &part[0].0, &e).await;
            }
        }
    }

    /// Sends one transaction; marks its envelopes landed on success.
    async fn send(&self, chain: &dyn SubmitChain, handler: &str, entries: &[(Key, Entry)]) -> Result<(), RuntimeError> {
        let envelopes: Vec<SignedEnvelope> = entries.iter().map(|(_, e)| signed(e)).collect();
        Counters::bump(&self.counters.batches, 1);
        let receipt = chain.submit(handler, &envelopes).await?;
        tracing::info!(size = entries.len(), tx = %wavs_types::hex_bytes::encode(&receipt.tx_hash), height = receipt.height, gas = receipt.gas_used, "batch landed");
        let now = crate::now_ms();
        self.record(|q| entries.iter().for_each(|(key, _)| q.landed(key, receipt.tx_hash.clone(), receipt.height, now)));
        Counters::bump(&self.counters.landed, entries.len() as u64);
        Ok(())
    }
}

/// How many of `payloads` (sizes, in order) the next transaction takes: at most the
/// learned `cap` and the chain's limits, at least one (a single envelope over a limit is
/// sent alone, for the adapter to refuse as too large).
fn chunk_limit(limits: &SubmissionLimits, cap: usize, payloads: &[u64]) -> usize {
    let mut limit = cap.min(limits.max_envelopes.map_or(usize::MAX, |m| m as usize));
    if let Some(max_bytes) = limits.max_payload_bytes {
        let mut total = 0u64;
        let fits = payloads.iter().take_while(|size| {
            total = total.saturating_add(**size);
            total <= max_bytes
        });
        limit = limit.min(fits.count());
    }
    limit.max(1)
}

/// Applies what a landed part taught to the target's cap, saying so when it changes.
fn learn(cap: &mut SizeCap, lesson: Lesson, target: &Target) {
    match lesson {
        Lesson::Fits(size) => {
            if let Some(limit) = cap.landed(size) {
                tracing::info!(%target, cap = limit, "batch size cap raised after a full batch landed");
            }
        }
        Lesson::TooBig(size) => {
            if let Some(limit) = cap.refused_then_halves_landed(size) {
                tracing::info!(%target, cap = limit, refused = size, "batch size cap lowered: a batch was refused and both its halves landed (likely the block gas limit)");
            }
        }
    }
}

#[cfg(test)]
mod tests;
