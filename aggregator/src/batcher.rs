//! Submits queued envelopes per (chain, handler), skipping event ids the handler already
//! accepted, in transactions of at most the target's size cap. A transaction refused
//! for good is split in halves until the parts land, so one bad envelope cannot sink
//! the others and costs O(log n) transactions (`split`); a refusal that only size
//! explains lowers the cap (`cap`). Every outcome is committed to the store before the
//! next round takes anything.

mod cap;
mod split;

use crate::queue::{Batch, Entry, Key, Queue, Target};
use crate::{Aggregator, Counters};
use cap::SizeCap;
use split::{Lesson, Split};
use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};
use wavs_runtime::bindings::adapter_api::{OperatorSignature, SignedEnvelope};
use wavs_runtime::{ChainAdapter, RuntimeError};

/// Runs forever: every `batch-interval-ms`, or at once while full batches wait.
pub async fn run(agg: Arc<Aggregator>) {
    let interval = Duration::from_millis(agg.config.batch_interval_ms);
    let max = agg.config.max_batch;
    // Only the targets whose blocks took less than `max-batch`; in memory, as a restart
    // costs at most one refusal to learn it again.
    let mut caps: HashMap<Target, SizeCap> = HashMap::new();
    let mut backlog = false;
    loop {
        if backlog {
            // A full batch was taken, so more are likely ready: go on without sleeping,
            // letting other tasks (the API) run first.
            tokio::task::yield_now().await;
        } else {
            tokio::time::sleep(interval).await;
        }
        backlog = false;
        let taken = agg.queue.lock().take_ready(max, Instant::now());
        let batches = match taken {
            Ok(batches) => batches,
            Err(e) => {
                Counters::bump(&agg.counters.store_errors, 1);
                tracing::error!("not submitting until the store accepts writes: {e}");
                continue;
            }
        };
        for batch in batches {
            // Every entry taken is settled below (landed, failed or backing off), so a
            // full round is progress, never a busy loop on the same entries.
            backlog |= batch.entries.len() >= max;
            let target = batch.target.clone();
            let mut cap = caps.get(&target).copied().unwrap_or(SizeCap::new(max));
            agg.submit_batch(batch, &mut cap).await;
            if cap.is_capped() {
                caps.insert(target, cap);
            } else {
                caps.remove(&target);
            }
        }
    }
}

fn signed(entry: &Entry) -> SignedEnvelope {
    SignedEnvelope {
        envelope: (&entry.envelope).into(),
        signatures: entry
            .signatures
            .iter()
            .map(|(operator, s)| OperatorSignature { operator: operator.clone(), signature: s.bytes.clone() })
            .collect(),
    }
}

impl Aggregator {
    /// Applies an outcome to the queue and commits it. A failed write is counted and
    /// stays pending: the next round writes it before taking anything, and meanwhile a
    /// crash at worst resubmits an entry, which `is-handled` turns into already-handled.
    fn record(&self, change: impl FnOnce(&mut Queue)) {
        if let Err(e) = self.queue.lock().update(change) {
            Counters::bump(&self.counters.store_errors, 1);
            tracing::error!("cannot record a submission outcome yet: {e}");
        }
    }

    async fn submit_batch(&self, batch: Batch, cap: &mut SizeCap) {
        let target = batch.target;
        let Some(chain) = self.chains.get(&target.chain).cloned() else {
            let reason = format!("chain {} is not configured", target.chain);
            self.record(|q| batch.entries.iter().for_each(|(key, _)| q.failed(key, reason.clone())));
            return;
        };
        let mut to_send: Vec<(Key, Entry)> = Vec::new();
        for (key, entry) in batch.entries {
            match chain.is_handled(&target.handler, &entry.envelope.event_id).await {
                Ok(true) => self.record(|q| q.already_handled(&key)),
                Ok(false) => to_send.push((key, entry)),
                Err(e) => {
                    tracing::warn!(chain = %target.chain, "is-handled failed, will retry: {e}");
                    self.record(|q| q.retry_later(&key, Instant::now()));
                }
            }
        }
        let mut split = Split::new(to_send.len());
        while let Some(range) = split.next(cap.take_limit()) {
            let part = &to_send[range];
            let e = match self.send(&chain, &target.handler, part).await {
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
                self.settle_failure(&rest, &e);
                return;
            }
            if split.refused() {
                tracing::warn!(chain = %target.chain, size = part.len(), "batch refused ({e}); sending it again in halves");
            } else {
                // A single envelope refused for good: nothing else to blame.
                self.settle_failure(&part.iter().map(|(k, _)| k).collect::<Vec<_>>(), &e);
            }
        }
    }

    /// Sends one transaction; marks its envelopes landed on success.
    async fn send(&self, chain: &ChainAdapter, handler: &str, entries: &[(Key, Entry)]) -> Result<(), RuntimeError> {
        let envelopes: Vec<SignedEnvelope> = entries.iter().map(|(_, e)| signed(e)).collect();
        Counters::bump(&self.counters.batches, 1);
        let receipt = chain.submit(handler, &envelopes).await?;
        tracing::info!(size = entries.len(), tx = %wavs_types::hex_bytes::encode(&receipt.tx_hash), height = receipt.height, gas = receipt.gas_used, "batch landed");
        self.record(|q| entries.iter().for_each(|(key, _)| q.landed(key, receipt.tx_hash.clone(), receipt.height)));
        Counters::bump(&self.counters.landed, entries.len() as u64);
        Ok(())
    }

    fn settle_failure(&self, keys: &[&Key], e: &RuntimeError) {
        let now = Instant::now();
        self.record(|q| {
            for key in keys {
                if e.is_retryable() {
                    q.retry_later(key, now);
                } else {
                    q.failed(key, e.to_string());
                }
            }
        });
        if !e.is_retryable() {
            Counters::bump(&self.counters.failed, keys.len() as u64);
        }
        tracing::warn!(size = keys.len(), retry = e.is_retryable(), "submission failed: {e}");
    }
}

/// Applies what a landed part taught to the target's cap, saying so when it changes.
fn learn(cap: &mut SizeCap, lesson: Lesson, target: &Target) {
    match lesson {
        Lesson::Fits(size) => {
            if let Some(limit) = cap.landed(size) {
                tracing::info!(chain = %target.chain, handler = %target.handler, cap = limit, "batch size cap raised after a full batch landed");
            }
        }
        Lesson::TooBig(size) => {
            if let Some(limit) = cap.refused_then_halves_landed(size) {
                tracing::info!(chain = %target.chain, handler = %target.handler, cap = limit, refused = size, "batch size cap lowered: a batch was refused and both its halves landed (likely the block gas limit)");
            }
        }
    }
}
