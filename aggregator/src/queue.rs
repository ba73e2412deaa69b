//! The signature queue: a pure state machine, no I/O. Signatures accumulate per
//! (event id, digest) — signatures over different payloads never combine — until their
//! weight meets the threshold; then the envelope waits for the batcher. An event id that
//! landed is never queued again.
//!
//! Kept in memory for now; the durable store is a separate step.

use std::collections::{BTreeMap, HashMap};
use std::time::{Duration, Instant};
use wavs_types::{EnvelopeState, EnvelopeStatus, SignedSubmission, WireEnvelope};

/// Identifies an entry: event id and the digest its signatures cover.
pub type Key = (Vec<u8>, Vec<u8>);

/// Where to submit an entry.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Target {
    /// Chain name.
    pub chain: String,
    /// Handler contract.
    pub handler: String,
}

/// One envelope collecting signatures.
#[derive(Debug, Clone)]
pub struct Entry {
    /// Where it goes.
    pub target: Target,
    /// The envelope.
    pub envelope: WireEnvelope,
    /// Operator id -> (signature, weight).
    pub signatures: BTreeMap<String, (Vec<u8>, u64)>,
    /// The weight needed, as last read from chain.
    pub threshold: u64,
    /// Its state.
    pub state: EnvelopeState,
    in_flight: bool,
    attempts: u32,
    not_before: Option<Instant>,
}

impl Entry {
    fn signed_weight(&self) -> u64 {
        self.signatures.values().map(|(_, w)| *w).sum()
    }

    fn status(&self) -> EnvelopeStatus {
        let detail = match &self.state {
            EnvelopeState::Pending { signed_weight, threshold, signers } => format!(
                "insufficient quorum: weight {signed_weight} of {threshold} ({signers} signer{})",
                if *signers == 1 { "" } else { "s" }
            ),
            EnvelopeState::Queued => "quorum reached; queued for submission".into(),
            EnvelopeState::Landed { height, .. } => format!("landed in block {height}"),
            EnvelopeState::AlreadyHandled => "the handler had already accepted this event id".into(),
            EnvelopeState::Failed { reason } => format!("submission failed: {reason}"),
        };
        EnvelopeStatus { event_id: self.envelope.event_id.clone(), state: self.state.clone(), detail }
    }
}

/// Envelopes ready for one target.
#[derive(Debug)]
pub struct Batch {
    /// Where they go.
    pub target: Target,
    /// Their keys and entries (copies).
    pub entries: Vec<(Key, Entry)>,
}

/// All envelopes the aggregator knows.
#[derive(Default)]
pub struct Queue {
    entries: HashMap<Key, Entry>,
    /// Event ids that are done (landed or already handled), with their final entry key.
    finished: HashMap<Vec<u8>, Key>,
}

impl Queue {
    /// Adds a verified signature of `operator` (with `weight`) for `submission`.
    pub fn add(&mut self, submission: &SignedSubmission, digest: Vec<u8>, operator: String, weight: u64, threshold: u64) -> EnvelopeStatus {
        let event_id = submission.envelope.event_id.clone();
        if let Some(status) = self.finished_status(&event_id) {
            return status;
        }
        let key = (event_id, digest);
        let entry = self.entries.entry(key).or_insert_with(|| Entry {
            target: Target { chain: submission.chain.clone(), handler: submission.handler.clone() },
            envelope: submission.envelope.clone(),
            signatures: BTreeMap::new(),
            threshold,
            state: EnvelopeState::Pending { signed_weight: 0, threshold, signers: 0 },
            in_flight: false,
            attempts: 0,
            not_before: None,
        });
        entry.signatures.entry(operator).or_insert((submission.signature.clone(), weight));
        entry.threshold = threshold;
        if let EnvelopeState::Pending { .. } = entry.state {
            let signed_weight = entry.signed_weight();
            entry.state = if threshold > 0 && signed_weight >= threshold {
                EnvelopeState::Queued
            } else {
                EnvelopeState::Pending { signed_weight, threshold, signers: entry.signatures.len() }
            };
        }
        entry.status()
    }

    fn finished_status(&self, event_id: &[u8]) -> Option<EnvelopeStatus> {
        self.finished.get(event_id).and_then(|k| self.entries.get(k)).map(Entry::status)
    }

    /// The status of `event_id`: final if finished, else its most advanced entry.
    pub fn status(&self, event_id: &[u8]) -> Option<EnvelopeStatus> {
        if let Some(status) = self.finished_status(event_id) {
            return Some(status);
        }
        self.entries
            .iter()
            .filter(|((id, _), _)| id == event_id)
            .max_by_key(|(_, e)| (matches!(e.state, EnvelopeState::Queued), e.signed_weight()))
            .map(|(_, e)| e.status())
    }

    /// Takes up to `max` queued entries per target, marking them in flight.
    pub fn take_ready(&mut self, max: usize, now: Instant) -> Vec<Batch> {
        let mut batches: BTreeMap<Target, Vec<(Key, Entry)>> = BTreeMap::new();
        let mut ready: Vec<(&Key, &mut Entry)> = self
            .entries
            .iter_mut()
            .filter(|(_, e)| matches!(e.state, EnvelopeState::Queued) && !e.in_flight && e.not_before.is_none_or(|t| t <= now))
            .collect();
        ready.sort_by(|a, b| a.0.cmp(b.0));
        for (key, entry) in ready {
            let batch = batches.entry(entry.target.clone()).or_default();
            if batch.len() < max {
                entry.in_flight = true;
                batch.push((key.clone(), entry.clone()));
            }
        }
        batches.into_iter().map(|(target, entries)| Batch { target, entries }).collect()
    }

    /// The entry landed in `tx_hash` at `height`.
    pub fn landed(&mut self, key: &Key, tx_hash: Vec<u8>, height: u64) {
        self.finish(key, EnvelopeState::Landed { tx_hash, height });
    }

    /// The handler had already accepted the event id.
    pub fn already_handled(&mut self, key: &Key) {
        self.finish(key, EnvelopeState::AlreadyHandled);
    }

    fn finish(&mut self, key: &Key, state: EnvelopeState) {
        if let Some(entry) = self.entries.get_mut(key) {
            entry.state = state;
            entry.in_flight = false;
            self.finished.insert(key.0.clone(), key.clone());
        }
        // Other digests for the same event id can never land now.
        self.entries.retain(|k, _| k.0 != key.0 || k == key);
    }

    /// The submission failed for good.
    pub fn failed(&mut self, key: &Key, reason: String) {
        if let Some(entry) = self.entries.get_mut(key) {
            entry.state = EnvelopeState::Failed { reason };
            entry.in_flight = false;
        }
    }

    /// The submission may pass later: back off and queue again.
    pub fn retry_later(&mut self, key: &Key, now: Instant) {
        if let Some(entry) = self.entries.get_mut(key) {
            entry.in_flight = false;
            entry.attempts += 1;
            let delay = Duration::from_millis(250u64 << entry.attempts.min(7)).min(Duration::from_secs(30));
            entry.not_before = Some(now + delay);
        }
    }

    /// Entries waiting for submission.
    pub fn depth(&self) -> usize {
        self.entries.values().filter(|e| matches!(e.state, EnvelopeState::Queued)).count()
    }
}

#[cfg(test)]
mod tests;
