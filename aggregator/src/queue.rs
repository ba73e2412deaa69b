//! The signature queue: a pure state machine, no I/O. Signatures accumulate per
//! (event id, digest) — signatures over different payloads never combine — until their
//! weight meets the threshold; then the envelope waits for the batcher. An event id that
//! landed is never queued again.
//!
//! Every mutation records what it touched; [`Queue::changes`] hands that to the durable
//! store (`crate::store`), and [`Queue::restore`] rebuilds a queue from what was stored.

use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet, HashMap, btree_map};
use std::time::{Duration, Instant};
use wavs_types::{EnvelopeState, EnvelopeStatus, SignedSubmission, WireEnvelope};

/// Identifies an entry: event id and the digest its signatures cover.
pub type Key = (Vec<u8>, Vec<u8>);

/// Where to submit an entry.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Target {
    /// Chain name.
    pub chain: String,
    /// Handler contract.
    pub handler: String,
}

/// One operator's signature and the weight it carries.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Signature {
    /// 65 bytes `r || s || recovery-id`.
    #[serde(with = "wavs_types::hex_bytes")]
    pub bytes: Vec<u8>,
    /// The operator's weight when the signature was counted.
    pub weight: u64,
}

/// One envelope collecting signatures.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub struct Entry {
    /// Where it goes.
    pub target: Target,
    /// The envelope.
    pub envelope: WireEnvelope,
    /// Operator id -> signature.
    pub signatures: BTreeMap<String, Signature>,
    /// The weight needed, as last read from chain.
    pub threshold: u64,
    /// Its state.
    pub state: EnvelopeState,
    /// Taken by the batcher and not settled yet. Not stored: after a restart nothing is
    /// in flight, so the entry is submitted again (the batcher asks `is-handled` first).
    #[serde(skip)]
    in_flight: bool,
    /// Submissions that failed and may pass later.
    attempts: u32,
    /// Not submitted again before this. Not stored (an `Instant` means nothing after a
    /// restart); rebuilt from `attempts` by [`Queue::restore`].
    #[serde(skip)]
    not_before: Option<Instant>,
}

impl Entry {
    fn signed_weight(&self) -> u64 {
        self.signatures.values().map(|s| s.weight).sum()
    }

    /// Failed submission attempts that may pass later.
    pub fn attempts(&self) -> u32 {
        self.attempts
    }

    /// The entry's status as the API reports it.
    pub fn status(&self) -> EnvelopeStatus {
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

/// How long to wait after `attempts` failed submissions.
fn backoff(attempts: u32) -> Duration {
    Duration::from_millis(250u64 << attempts.min(7)).min(Duration::from_secs(30))
}

/// Envelopes ready for one target.
#[derive(Debug)]
pub struct Batch {
    /// Where they go.
    pub target: Target,
    /// Their keys and entries (copies).
    pub entries: Vec<(Key, Entry)>,
}

/// What changed since the last [`Queue::clear_changes`], for the store to write.
#[derive(Debug, Default)]
pub struct Changes {
    /// Entries to write (copies of their current state).
    pub put: Vec<(Key, Entry)>,
    /// Entries that are gone.
    pub delete: Vec<Key>,
    /// Newly finished event ids with the key of their final entry.
    pub finished: Vec<(Vec<u8>, Key)>,
}

impl Changes {
    /// Whether there is nothing to write.
    pub fn is_empty(&self) -> bool {
        self.put.is_empty() && self.delete.is_empty() && self.finished.is_empty()
    }
}

/// All envelopes the aggregator knows.
#[derive(Default)]
pub struct Queue {
    entries: HashMap<Key, Entry>,
    /// Event ids that are done (landed or already handled), with their final entry key.
    finished: HashMap<Vec<u8>, Key>,
    /// Keys touched since the last `clear_changes`.
    touched: BTreeSet<Key>,
    /// Event ids finished since the last `clear_changes`.
    newly_finished: BTreeSet<Vec<u8>>,
}

impl Queue {
    /// Rebuilds a queue from stored entries and finished ids. Nothing is in flight; an
    /// entry that was backing off waits its delay again from `now`.
    pub fn restore(entries: impl IntoIterator<Item = (Key, Entry)>, finished: impl IntoIterator<Item = (Vec<u8>, Key)>, now: Instant) -> Queue {
        let entries = entries
            .into_iter()
            .map(|(key, mut entry)| {
                entry.in_flight = false;
                entry.not_before = (entry.attempts > 0).then(|| now + backoff(entry.attempts));
                (key, entry)
            })
            .collect();
        Queue { entries, finished: finished.into_iter().collect(), ..Queue::default() }
    }

    /// Adds a verified signature of `operator` (with `weight`) for `submission`.
    pub fn add(&mut self, submission: &SignedSubmission, digest: Vec<u8>, operator: String, weight: u64, threshold: u64) -> EnvelopeStatus {
        let event_id = submission.envelope.event_id.clone();
        if let Some(status) = self.finished_status(&event_id) {
            return status;
        }
        let key = (event_id, digest);
        let mut changed = !self.entries.contains_key(&key);
        let entry = self.entries.entry(key.clone()).or_insert_with(|| Entry {
            target: Target { chain: submission.chain.clone(), handler: submission.handler.clone() },
            envelope: submission.envelope.clone(),
            signatures: BTreeMap::new(),
            threshold,
            state: EnvelopeState::Pending { signed_weight: 0, threshold, signers: 0 },
            in_flight: false,
            attempts: 0,
            not_before: None,
        });
        if let btree_map::Entry::Vacant(slot) = entry.signatures.entry(operator) {
            slot.insert(Signature { bytes: submission.signature.clone(), weight });
            changed = true;
        }
        changed |= entry.threshold != threshold;
        entry.threshold = threshold;
        if let EnvelopeState::Pending { .. } = entry.state {
            let signed_weight = entry.signed_weight();
            let state = if threshold > 0 && signed_weight >= threshold {
                EnvelopeState::Queued
            } else {
                EnvelopeState::Pending { signed_weight, threshold, signers: entry.signatures.len() }
            };
            changed |= entry.state != state;
            entry.state = state;
        }
        let status = entry.status();
        if changed {
            self.touched.insert(key);
        }
        status
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

    /// Takes up to `max` queued entries per target, marking them in flight. Changes
    /// nothing that is stored: in-flight entries are queued again after a restart.
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
            self.newly_finished.insert(key.0.clone());
            self.touched.insert(key.clone());
        }
        // Other digests for the same event id can never land now.
        let touched = &mut self.touched;
        self.entries.retain(|k, _| {
            let keep = k.0 != key.0 || k == key;
            if !keep {
                touched.insert(k.clone());
            }
            keep
        });
    }

    /// The submission failed for good.
    pub fn failed(&mut self, key: &Key, reason: String) {
        if let Some(entry) = self.entries.get_mut(key) {
            entry.state = EnvelopeState::Failed { reason };
            entry.in_flight = false;
            self.touched.insert(key.clone());
        }
    }

    /// The submission may pass later: back off and queue again.
    pub fn retry_later(&mut self, key: &Key, now: Instant) {
        if let Some(entry) = self.entries.get_mut(key) {
            entry.in_flight = false;
            entry.attempts += 1;
            entry.not_before = Some(now + backoff(entry.attempts));
            self.touched.insert(key.clone());
        }
    }

    /// Entries waiting for submission.
    pub fn depth(&self) -> usize {
        self.entries.values().filter(|e| matches!(e.state, EnvelopeState::Queued)).count()
    }

    /// Every entry, in no particular order.
    pub fn entries(&self) -> impl Iterator<Item = (&Key, &Entry)> {
        self.entries.iter()
    }

    /// Every finished event id with the key of its final entry.
    pub fn finished(&self) -> impl Iterator<Item = (&Vec<u8>, &Key)> {
        self.finished.iter()
    }

    /// What changed since the last [`Queue::clear_changes`]: the current state of every
    /// touched entry (or its deletion) and the newly finished ids.
    pub fn changes(&self) -> Changes {
        let mut changes = Changes::default();
        for key in &self.touched {
            match self.entries.get(key) {
                Some(entry) => changes.put.push((key.clone(), entry.clone())),
                None => changes.delete.push(key.clone()),
            }
        }
        for id in &self.newly_finished {
            if let Some(key) = self.finished.get(id) {
                changes.finished.push((id.clone(), key.clone()));
            }
        }
        changes
    }

    /// Forgets the recorded changes, once the store has written them.
    pub fn clear_changes(&mut self) {
        self.touched.clear();
        self.newly_finished.clear();
    }
}

#[cfg(test)]
mod tests;
