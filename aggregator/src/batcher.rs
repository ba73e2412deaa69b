//! Submits queued envelopes: one transaction per (chain, handler) per round, skipping
//! event ids the handler already accepted; a batch refused for good is retried one
//! envelope at a time so one bad envelope cannot sink the others.

use crate::queue::{Batch, Entry, Key};
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
        let batches = agg.queue.lock().take_ready(agg.config.max_batch, Instant::now());
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
            .map(|(operator, (signature, _))| OperatorSignature { operator: operator.clone(), signature: signature.clone() })
            .collect(),
    }
}

impl Aggregator {
    async fn submit_batch(&self, batch: Batch) {
        let Some(chain) = self.chains.get(&batch.target.chain).cloned() else {
            for (key, _) in &batch.entries {
                self.queue.lock().failed(key, format!("chain {} is not configured", batch.target.chain));
            }
            return;
        };
        let handler = batch.target.handler.clone();
        let mut to_send: Vec<(Key, Entry)> = Vec::new();
        for (key, entry) in batch.entries {
            match chain.is_handled(&handler, &entry.envelope.event_id).await {
                Ok(true) => self.queue.lock().already_handled(&key),
                Ok(false) => to_send.push((key, entry)),
                Err(e) => {
                    tracing::warn!(chain = %batch.target.chain, "is-handled failed, will retry: {e}");
                    self.queue.lock().retry_later(&key, Instant::now());
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
        let mut queue = self.queue.lock();
        for (key, _) in entries {
            queue.landed(key, receipt.tx_hash.clone(), receipt.height);
        }
        Counters::bump(&self.counters.landed, entries.len() as u64);
        Ok(())
    }

    fn settle_failure(&self, entries: &[(Key, Entry)], e: wavs_runtime::RuntimeError) {
        let mut queue = self.queue.lock();
        for (key, _) in entries {
            if e.is_retryable() {
                queue.retry_later(key, Instant::now());
            } else {
                queue.failed(key, e.to_string());
                Counters::bump(&self.counters.failed, 1);
            }
        }
        tracing::warn!(size = entries.len(), retry = e.is_retryable(), "submission failed: {e}");
    }
}
