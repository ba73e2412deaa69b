//! Submits queued envelopes: one transaction per (chain, handler) per round, skipping
//! event ids the handler already accepted; a batch refused for good is retried one
//! envelope at a time so one bad envelope cannot sink the others. Every outcome is
//! committed to the store before the next round takes anything.

use crate::queue::{Batch, Entry, Key, Queue};
use crate::{Aggregator, Counters};
use std::sync::Arc;
use std::time::{Duration, Instant};
use wavs_runtime::ChainAdapter;
use wavs_runtime::bindings::adapter_api::{OperatorSignature, SignedEnvelope};

/// Runs forever, every `batch-interval-ms`.
pub async fn run(agg: Arc<Aggregator>) {
    let interval = Duration::from_millis(agg.config.batch_interval_ms);
    loop {
        tokio::time::sleep(interval).await;
        let taken = agg.queue.lock().take_ready(agg.config.max_batch, Instant::now());
        let batches = match taken {
            Ok(batches) => batches,
            Err(e) => {
                Counters::bump(&agg.counters.store_errors, 1);
                tracing::error!("not submitting until the store accepts writes: {e}");
                continue;
            }
        };
        for batch in batches {
            agg.submit_batch(batch).await;
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

    async fn submit_batch(&self, batch: Batch) {
        let Some(chain) = self.chains.get(&batch.target.chain).cloned() else {
            let reason = format!("chain {} is not configured", batch.target.chain);
            self.record(|q| batch.entries.iter().for_each(|(key, _)| q.failed(key, reason.clone())));
            return;
        };
        let handler = batch.target.handler.clone();
        let mut to_send: Vec<(Key, Entry)> = Vec::new();
        for (key, entry) in batch.entries {
            match chain.is_handled(&handler, &entry.envelope.event_id).await {
                Ok(true) => self.record(|q| q.already_handled(&key)),
                Ok(false) => to_send.push((key, entry)),
                Err(e) => {
                    tracing::warn!(chain = %batch.target.chain, "is-handled failed, will retry: {e}");
                    self.record(|q| q.retry_later(&key, Instant::now()));
                }
            }
        }
        if to_send.is_empty() {
            return;
        }
        if let Err(e) = self.send(&chain, &handler, &to_send).await {
            if e.is_retryable() || to_send.len() == 1 {
                self.settle_failure(&to_send, e);
                return;
            }
            tracing::warn!(size = to_send.len(), "batch refused ({e}); submitting its envelopes one by one");
            for one in to_send {
                let single = [one];
                if let Err(e) = self.send(&chain, &handler, &single).await {
                    self.settle_failure(&single, e);
                }
            }
        }
    }

    /// Sends one transaction; marks its envelopes landed on success.
    async fn send(&self, chain: &ChainAdapter, handler: &str, entries: &[(Key, Entry)]) -> Result<(), wavs_runtime::RuntimeError> {
        let envelopes: Vec<SignedEnvelope> = entries.iter().map(|(_, e)| signed(e)).collect();
        Counters::bump(&self.counters.batches, 1);
        let receipt = chain.submit(handler, &envelopes).await?;
        tracing::info!(size = entries.len(), tx = %wavs_types::hex_bytes::encode(&receipt.tx_hash), height = receipt.height, gas = receipt.gas_used, "batch landed");
        self.record(|q| entries.iter().for_each(|(key, _)| q.landed(key, receipt.tx_hash.clone(), receipt.height)));
        Counters::bump(&self.counters.landed, entries.len() as u64);
        Ok(())
    }

    fn settle_failure(&self, entries: &[(Key, Entry)], e: wavs_runtime::RuntimeError) {
        let now = Instant::now();
        self.record(|q| {
            for (key, _) in entries {
                if e.is_retryable() {
                    q.retry_later(key, now);
                } else {
                    q.failed(key, e.to_string());
                }
            }
        });
        if !e.is_retryable() {
            Counters::bump(&self.counters.failed, entries.len() as u64);
        }
        tracing::warn!(size = entries.len(), retry = e.is_retryable(), "submission failed: {e}");
    }
}
