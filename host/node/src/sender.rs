//! Sends signed envelopes from the outbox to the aggregator: once right after signing,
//! then again with growing delays until the aggregator reports a final state for each
//! (landed, already handled, or given up with a reason). Sending again is how the node
//! reads the state back, and it hands the aggregator the signature again should it have
//! dropped it. The retry state is in the store, so a restart carries on where the node
//! stopped.

use crate::backoff::unix_ms;
use crate::error::{NodeError, Result};
use crate::node::Node;
use crate::store::OutboxState;
use std::sync::Arc;
use std::time::Duration;
use wavs_types::{ApiError, EnvelopeStatus, SignedSubmission};

/// How often the outbox is checked for envelopes due to be sent again.
const OUTBOX_POLL: Duration = Duration::from_millis(500);

/// Longest wait between two sends of one envelope.
const MAX_DELAY_MS: u64 = 30_000;

/// First wait before asking again about an envelope the aggregator holds but has not
/// landed; it doubles up to [`MAX_DELAY_MS`]. A batch usually lands within a second.
const FIRST_CHECK_MS: u64 = 1_000;

impl Node {
    /// Sends `submission` once and records the outcome in the outbox. `attempts` counts
    /// earlier sends that failed; `checks` earlier answers that were not final.
    pub(crate) async fn send_signed(&self, submission: &SignedSubmission, attempts: u32, checks: u32) -> OutboxState {
        let id = submission.envelope.event_id.clone();
        if !self.sending.lock().insert(id.clone()) {
            // Another task is sending it right now.
            return OutboxState::Pending { attempts, not_before_ms: 0, last_error: None };
        }
        let state = match self.send_to_aggregator(submission).await {
            Ok(status) => {
                let delay = (FIRST_CHECK_MS << checks.min(5)).min(MAX_DELAY_MS);
                OutboxState::Acked { status, checks: checks + 1, not_before_ms: unix_ms() + delay }
            }
            Err(e) if e.is_retryable() => {
                let delay = (250u64 << attempts.min(7)).min(MAX_DELAY_MS);
                tracing::warn!(event_id = %wavs_types::hex_bytes::encode(&id), attempt = attempts + 1, retry_in_ms = delay, "aggregator did not take the envelope: {e}");
                OutboxState::Pending { attempts: attempts + 1, not_before_ms: unix_ms() + delay, last_error: Some(e.to_string()) }
            }
            Err(e) => {
                tracing::warn!(event_id = %wavs_types::hex_bytes::encode(&id), "aggregator refused the envelope: {e}");
                OutboxState::Failed { reason: e.to_string() }
            }
        };
        self.metrics.observe_send(&state);
        if let Err(e) = self.store.settle_outbox(&id, state.clone()).await {
            tracing::error!("cannot record the send in the outbox (it will be sent again): {e}");
        }
        self.sending.lock().remove(&id);
        state
    }

    /// Re-sends what has no final state yet, forever.
    pub(crate) async fn outbox_loop(self: Arc<Self>) {
        loop {
            match self.store.due_outbox(unix_ms()) {
                Ok(due) => {
                    for entry in due {
                        match entry.state {
                            OutboxState::Pending { attempts, .. } => self.send_signed(&entry.submission, attempts, 0).await,
                            OutboxState::Acked { checks, .. } => self.send_signed(&entry.submission, 0, checks).await,
                            OutboxState::Failed { .. } => continue,
                        };
                    }
                }
                Err(e) => tracing::error!("cannot read the outbox: {e}"),
            }
            tokio::time::sleep(OUTBOX_POLL).await;
        }
    }

    async fn send_to_aggregator(&self, body: &SignedSubmission) -> Result<EnvelopeStatus> {
        let base = self.config.aggregator_url.as_deref().ok_or_else(|| {
            NodeError::Invalid("no aggregator-url configured: set it in the config or WAVS_AGGREGATOR_URL".into())
        })?;
        let url = format!("{}/envelopes", base.trim_end_matches('/'));
        let response = self.http.post(&url).json(body).send().await.map_err(|e| NodeError::Aggregator {
            message: format!("cannot reach {url}: {e}"),
            retryable: true,
        })?;
        let status = response.status();
        let text = response.text().await.unwrap_or_default();
        if status.is_success() {
            return serde_json::from_str(&text).map_err(|e| NodeError::Aggregator {
                message: format!("unreadable answer from {url}: {e}: {text}"),
                retryable: true,
            });
        }
        let (message, retryable) = match serde_json::from_str::<ApiError>(&text) {
            Ok(err) => (err.error, err.retryable),
            Err(_) => (text, status.is_server_error()),
        };
        Err(NodeError::Aggregator { message: format!("{status}: {message}"), retryable })
    }
}
