//! Sends signed envelopes from the outbox to the aggregator: once right after signing,
//! then again with growing delays until the aggregator reports a final state for each
//! (landed, already handled, or given up with a reason). A refusal the aggregator calls
//! retryable (its store is full, the chain is not configured there yet) never ends the
//! retries: the envelope is sent again at most 30 s apart for as long as it takes. Sending again is how the node
//! reads the state back, and it hands the aggregator the signature again should it have
//! dropped it. The retry state is in the store, so a restart carries on where the node
//! stopped. Sends go in batches (`POST /envelopes/batch`, [`post`]) with their outcomes
//! recorded in one transaction: fresh envelopes that arrive together share a request
//! ([`queue`]), and so does everything due again.

mod post;
mod queue;

use crate::backoff::{Schedule, unix_ms};
use crate::error::{NodeError, Result};
use crate::metrics::NodeMetrics;
use crate::store::{OutboxEntry, OutboxState, Store};
use parking_lot::Mutex;
use std::collections::HashSet;
use std::sync::Arc;
use std::time::Duration;
use wavs_client::AggregatorClient;
use wavs_types::{EnvelopeStatus, SignedSubmission};

/// How often the outbox is checked for envelopes due to be sent again.
const OUTBOX_POLL: Duration = Duration::from_millis(500);

/// Most envelopes posted in one batch (the aggregator takes up to 1,000).
const BATCH: usize = 200;

/// Sends again after a failed send: from 250 ms, doubling to 15 s, with jitter (so at
/// most 30 s apart).
const RESENDS: Schedule = Schedule::new(Duration::from_millis(250), Duration::from_secs(15));

/// Asks again about an envelope the aggregator holds but has not landed: from 1 s (a
/// batch usually lands within a second), doubling to 15 s, with jitter.
const CHECKS: Schedule = Schedule::new(Duration::from_secs(1), Duration::from_secs(15));

/// The last stage: owns the outbox's deliveries to the aggregator.
pub struct Sender {
    store: Arc<Store>,
    /// Where envelopes go (`aggregator-url`); without it every send fails for good.
    aggregator: Option<AggregatorClient>,
    /// Event ids being sent now, so no envelope is sent twice at once.
    sending: Mutex<HashSet<Vec<u8>>>,
    metrics: Arc<NodeMetrics>,
    /// Fresh envelopes, to their first send (`queue.rs`).
    queue: tokio::sync::mpsc::UnboundedSender<queue::Queued>,
    /// With `[p2p]`: every send is also published to the peers.
    peers: std::sync::OnceLock<Arc<crate::p2p::Peers>>,
}

/// One send to make: the envelope, with its earlier failed sends and non-final answers.
pub(crate) struct Send {
    pub submission: SignedSubmission,
    pub attempts: u32,
    pub checks: u32,
}

impl Send {
    /// The next send of an outbox entry; none for a failed one, which is final (the
    /// outbox never has it due).
    fn again(entry: OutboxEntry) -> Option<Send> {
        let (attempts, checks) = match entry.state {
            OutboxState::Pending { attempts, .. } => (attempts, 0),
            OutboxState::Acked { checks, .. } => (0, checks),
            OutboxState::Failed { .. } => return None,
        };
        Some(Send { submission: entry.submission, attempts, checks })
    }
}

impl Sender {
    /// A sender to `aggregator_url` that records its sends in `store`'s outbox; its
    /// first-send queue runs from now on (in a task of the current runtime).
    pub(crate) fn new(store: Arc<Store>, aggregator_url: Option<String>, metrics: Arc<NodeMetrics>) -> Result<Arc<Self>> {
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(10))
            .build()
            .map_err(|e| NodeError::Invalid(format!("http client: {e}")))?;
        let aggregator = aggregator_url.map(|url| AggregatorClient::with_http(&url, http));
        let (queue, queued) = tokio::sync::mpsc::unbounded_channel();
        let sender = Arc::new(Sender { store, aggregator, sending: Mutex::default(), metrics, queue, peers: Default::default() });
        tokio::spawn(queue::deliver_queued(Arc::downgrade(&sender), queued));
        Ok(sender)
    }

    /// Publishes every envelope sent from now on to `peers` as well (`[p2p]`).
    pub(crate) fn share_with(&self, peers: Arc<crate::p2p::Peers>) {
        let _ = self.peers.set(peers);
    }

    /// Sends a freshly signed `submission` for the first time and records the outcome in
    /// the outbox. Sends made at the same time share a request.
    pub(crate) async fn send(&self, submission: &SignedSubmission) -> OutboxState {
        let send = Send { submission: submission.clone(), attempts: 0, checks: 0 };
        queue::send_queued(&self.queue, send).await
    }

    /// Sends, in batches, every envelope of the outbox due by `now_ms` (a Unix time in
    /// ms); each outcome is recorded as a lone send's would be. Their states, in order.
    pub(crate) async fn send_due(&self, now_ms: u64) -> Result<Vec<OutboxState>> {
        let due = self.store.due_outbox(now_ms)?;
        Ok(self.deliver(due.into_iter().filter_map(Send::again).collect()).await)
    }

    /// Posts `sends` in batches and records each outcome (one transaction per batch);
    /// their states, in order. One already being sent is left to that send.
    pub(crate) async fn deliver(&self, sends: Vec<Send>) -> Vec<OutboxState> {
        let mut states: Vec<Option<OutboxState>> = vec![None; sends.len()];
        let mut mine = Vec::new();
        for (i, send) in sends.iter().enumerate() {
            if self.claim(&send.submission.envelope.event_id) {
                mine.push(i);
            } else {
                states[i] = Some(OutboxState::Pending { attempts: send.attempts, not_before_ms: 0, last_error: None });
            }
        }
        for chunk in mine.chunks(BATCH) {
            let submissions: Vec<&SignedSubmission> = chunk.iter().map(|&i| &sends[i].submission).collect();
            // Every send, first or again, reaches the peers too: one that was down when
            // it was first published hears it on a later send.
            if let Some(peers) = self.peers.get() {
                submissions.iter().for_each(|s| peers.share(s));
            }
            let answers = self.post_many(&submissions).await;
            let mut settled = Vec::with_capacity(chunk.len());
            for (&i, answer) in chunk.iter().zip(answers) {
                let id = sends[i].submission.envelope.event_id.clone();
                let state = next_state(&id, answer, sends[i].attempts, sends[i].checks);
                states[i] = Some(state.clone());
                settled.push((id, state));
            }
            self.settle(settled).await;
        }
        let mut sending = self.sending.lock();
        for &i in &mine {
            sending.remove(&sends[i].submission.envelope.event_id);
        }
        states.into_iter().map(|s| s.expect("every send has a state")).collect()
    }

    /// Marks `id` as being sent; false if it already is.
    fn claim(&self, id: &[u8]) -> bool {
        self.sending.lock().insert(id.to_vec())
    }

    /// Counts and records the outcomes of sends, in one transaction.
    async fn settle(&self, states: Vec<(Vec<u8>, OutboxState)>) {
        for (_, state) in &states {
            self.metrics.observe_send(state);
        }
        if let Err(e) = self.store.settle_outbox_many(states).await {
            tracing::error!("cannot record the sends in the outbox (they will be sent again): {e}");
        }
    }

    /// Re-sends what has no final state yet, forever.
    pub(crate) async fn run(self: Arc<Self>) {
        loop {
            if let Err(e) = self.send_due(unix_ms()).await {
                tracing::error!("cannot read the outbox: {e}");
            }
            tokio::time::sleep(OUTBOX_POLL).await;
        }
    }
}

/// Where an envelope stands after a send that got `answer`: acknowledged (asked about
/// again later unless final), to be sent again later, or refused for good.
fn next_state(id: &[u8], answer: Result<EnvelopeStatus>, attempts: u32, checks: u32) -> OutboxState {
    match answer {
        Ok(status) => {
            let delay = CHECKS.delay(checks).as_millis() as u64;
            OutboxState::Acked { status, checks: checks + 1, not_before_ms: unix_ms() + delay }
        }
        Err(e) if e.is_retryable() => {
            let delay = RESENDS.delay(attempts).as_millis() as u64;
            tracing::warn!(event_id = %wavs_types::hex_bytes::encode(id), attempt = attempts + 1, retry_in_ms = delay, "aggregator did not take the envelope: {e}");
            OutboxState::Pending { attempts: attempts.saturating_add(1), not_before_ms: unix_ms() + delay, last_error: Some(e.to_string()) }
        }
        Err(e) => {
            tracing::warn!(event_id = %wavs_types::hex_bytes::encode(id), "aggregator refused the envelope: {e}");
            OutboxState::Failed { reason: e.to_string() }
        }
    }
}

#[cfg(test)]
mod tests;
