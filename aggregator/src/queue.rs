//! The signature queue: a pure state machine, no I/O. Signatures accumulate per
//! (target, event id, digest) — never across targets, never across payloads — until
//! their weight meets the threshold of the target's manager; then the envelope waits
//! for the batcher. A (target, event id) that landed is never queued again.
//!
//! Bounded: each target may hold at most `Caps::entries` open entries and
//! `Caps::bytes` bytes of them (a new entry beyond either is refused, retryably); open
//! entries expire after `Caps::expiry_ms`; a final entry keeps only what its status
//! needs, and is forgotten after `Caps::retention_ms`.
//!
//! Every mutation records what it touched; [`Queue::changes`] hands that to the durable
//! store (`crate::store`), and [`Queue::restore`] rebuilds a queue from what was stored.

mod bounds;
mod competing;
mod entry;
mod turn;

pub use bounds::{Caps, Usage};
pub use entry::{ENTRY_OVERHEAD, Entry, Key, Reweighed, Signature, Signed};

use crate::quorum::Quorum;
use crate::targets::Target;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::time::{Duration, Instant};
use wavs_types::backoff::Schedule;
use wavs_types::{EnvelopeState, EnvelopeStatus, WireEnvelope};

/// Why a signature was not counted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// The target holds as many open entries or bytes as its caps allow; may pass once
    /// some land or expire.
    Full(String),
    /// The weights cannot be summed.
    Overflow(String),
}

/// Delays between submissions of an envelope, from 500 ms doubling to 30 s, each with
/// jitter of up to its own length so that the envelopes one outage failed are not all
/// submitted again at once.
const RESUBMITS: Schedule = Schedule::new(Duration::from_millis(500), Duration::from_secs(30));

/// How long to wait after `attempts` (>= 1) failed submissions.
fn backoff(attempts: u32) -> Duration {
    RESUBMITS.delay(attempts.saturating_sub(1))
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
    /// Newly finished (target, event id)s with the key of their final entry.
    pub finished: Vec<Key>,
    /// Finished (target, event id)s that were forgotten.
    pub unfinished: Vec<(Target, Vec<u8>)>,
}

impl Changes {
    /// Whether there is nothing to write.
    pub fn is_empty(&self) -> bool {
        self.put.is_empty() && self.delete.is_empty() && self.finished.is_empty() && self.unfinished.is_empty()
    }
}

/// The keys and finished ids a [`Changes`] was made from: what to write again if
/// writing it failed, and what must not be submitted while it is being written.
#[derive(Debug, Default, Clone)]
pub struct Touched {
    keys: BTreeSet<Key>,
    events: BTreeSet<(Target, Vec<u8>)>,
}

/// What the batcher's re-check of a taken entry found.
#[derive(Debug)]
pub struct Recheck {
    /// What applying the current operator set changed.
    pub reweighed: Reweighed,
    /// The entry, if it still meets the threshold (a copy to submit).
    pub ready: Option<Entry>,
    /// Its status after the re-check.
    pub status: EnvelopeStatus,
}

/// All envelopes the aggregator knows.
#[derive(Default)]
pub struct Queue {
    entries: HashMap<Key, Entry>,
    /// (target, event id)s that are done (landed or already handled): their final key.
    finished: HashMap<(Target, Vec<u8>), Key>,
    /// Open entries per target.
    usage: HashMap<Target, Usage>,
    /// Keys touched since the last `clear_changes`.
    touched: BTreeSet<Key>,
    /// (target, event id)s finished or forgotten since the last `clear_changes`.
    finished_touched: BTreeSet<(Target, Vec<u8>)>,
    /// Open entries (digests) per (target, event id): more than one is a disagreement.
    open_digests: HashMap<(Target, Vec<u8>), usize>,
}

impl Queue {
    /// Rebuilds a queue from stored entries and finished ids. Nothing is in flight; an
    /// entry that was backing off waits its delay again from `now`.
    pub fn restore(entries: impl IntoIterator<Item = (Key, Entry)>, finished: impl IntoIterator<Item = Key>, now: Instant) -> Queue {
        let mut queue = Queue::default();
        for (key, mut entry) in entries {
            entry.in_flight = false;
            entry.not_before = (entry.attempts > 0 && entry.is_open()).then(|| now + backoff(entry.attempts));
            queue.charge(&key, &entry, true);
            queue.entries.insert(key, entry);
        }
        queue.finished = finished.into_iter().map(|key| (key.event(), key)).collect();
        queue
    }

    fn charge(&mut self, key: &Key, entry: &Entry, add: bool) {
        if !entry.is_open() {
            return;
        }
        self.count_digest(key, add);
        let bytes = entry.charged_bytes(key);
        let usage = self.usage.entry(key.target.clone()).or_default();
        if add {
            usage.entries += 1;
            usage.bytes += bytes;
        } else {
            usage.entries = usage.entries.saturating_sub(1);
            usage.bytes = usage.bytes.saturating_sub(bytes);
            if usage.entries == 0 {
                self.usage.remove(&key.target);
            }
        }
    }

    /// Runs `change` on the entry at `key`, keeping the usage counts and the change
    /// record right. `None` if there is no such entry.
    fn mutate<T>(&mut self, key: &Key, change: impl FnOnce(&mut Entry) -> T) -> Option<T> {
        let mut entry = self.entries.remove(key)?;
        self.charge(key, &entry, false);
        let out = change(&mut entry);
        self.charge(key, &entry, true);
        self.entries.insert(key.clone(), entry);
        self.touched.insert(key.clone());
        Some(out)
    }

    fn remove(&mut self, key: &Key) {
        if let Some(entry) = self.entries.remove(key) {
            self.charge(key, &entry, false);
            self.touched.insert(key.clone());
        }
    }

    /// Counts `operator`'s verified `signature` for `envelope` under `key`, with the
    /// weights and threshold of `quorum` (the manager's current set, which also drops
    /// earlier signers that are no longer operators). A new entry must fit the target's
    /// `caps`. A finished event or a final entry answers with its final status.
    #[allow(clippy::too_many_arguments)]
    pub fn add(
        &mut self,
        key: Key,
        envelope: &WireEnvelope,
        operator: String,
        signature: impl Into<Signed>,
        quorum: &Quorum,
        caps: &Caps,
        now_ms: u64,
    ) -> Result<EnvelopeStatus, Refusal> {
        if let Some(status) = self.finished_status(&key.target, &key.event_id) {
            return Ok(status);
        }
        let signature: Signed = signature.into();
        match self.entries.get(&key) {
            Some(entry) if !entry.is_open() => return Ok(entry.status()),
            Some(_) => {}
            None => {
                let usage = self.usage(&key.target);
                let mut fresh = Entry::new(envelope.clone(), quorum.threshold, now_ms);
                fresh.signatures.insert(operator.clone(), signature.clone().weighing(quorum.weight(&operator)));
                let bytes = fresh.charged_bytes(&key);
                if usage.entries >= caps.entries || usage.bytes.saturating_add(bytes) > caps.bytes {
                    return Err(Refusal::Full(format!(
                        "target {} holds {} open envelopes ({} bytes), its cap is {} envelopes and {} bytes: send again later, once some land or expire",
                        key.target, usage.entries, usage.bytes, caps.entries, caps.bytes
                    )));
                }
                // Empty at first; `mutate` below charges it again with the signature.
                let empty = Entry::new(envelope.clone(), quorum.threshold, now_ms);
                self.charge(&key, &empty, true);
                self.entries.insert(key.clone(), empty);
                self.warn_if_second_digest(&key);
            }
        }
        let outcome = self.mutate(&key, |entry| {
            entry.signatures.entry(operator).or_insert(signature.weighing(0));
            entry.reweigh(quorum).map(|_| entry.status())
        });
        // The entry exists: found or inserted above.
        outcome.unwrap_or_else(|| Err("the entry vanished".into())).map_err(Refusal::Overflow)
    }

    /// The final status of (`target`, `event_id`) if it landed or was already handled.
    pub fn finished_status(&self, target: &Target, event_id: &[u8]) -> Option<EnvelopeStatus> {
        let key = self.finished.get(&(target.clone(), event_id.to_vec()))?;
        self.entries.get(key).map(Entry::status)
    }

    /// The status of the entry at `key`.
    pub fn status_of(&self, key: &Key) -> Option<EnvelopeStatus> {
        self.entries.get(key).map(Entry::status)
    }

    /// The status of `event_id` among the targets `matches` admits: a finished one
    /// first, else its most advanced entry.
    pub fn status(&self, event_id: &[u8], matches: impl Fn(&Target) -> bool) -> Option<EnvelopeStatus> {
        let rank = |e: &Entry| match &e.state {
            EnvelopeState::Landed { .. } | EnvelopeState::AlreadyHandled => (4, 0),
            EnvelopeState::Queued => (3, 0),
            EnvelopeState::Pending { signed_weight, .. } => (2, *signed_weight),
            EnvelopeState::Failed { .. } => (1, 0),
        };
        self.entries
            .iter()
            .filter(|(k, _)| k.event_id == event_id && matches(&k.target))
            .max_by_key(|(k, e)| (rank(e), std::cmp::Reverse((*k).clone())))
            .map(|(_, e)| e.status())
    }

    /// Takes up to `max` queued entries per target, oldest first, marking them in
    /// flight. Changes nothing that is stored: in-flight entries are queued again after
    /// a restart.
    pub fn take_ready(&mut self, max: usize, now: Instant) -> Vec<Batch> {
        self.take(max, now, None)
    }

    /// [`Queue::take_ready`], leaving out entries whose latest change is not written:
    /// changed since the last [`Queue::take_changes`], or in `writing`.
    pub fn take_ready_except(&mut self, max: usize, now: Instant, writing: &Touched) -> Vec<Batch> {
        self.take(max, now, Some(writing))
    }

    fn take(&mut self, max: usize, now: Instant, writing: Option<&Touched>) -> Vec<Batch> {
        let touched = &self.touched;
        let unwritten = |k: &Key| writing.is_some_and(|w| touched.contains(k) || w.keys.contains(k));
        let mut ready: Vec<(&Key, &mut Entry)> = self
            .entries
            .iter_mut()
            .filter(|(k, e)| {
                matches!(e.state, EnvelopeState::Queued) && !e.in_flight && e.not_before.is_none_or(|t| t <= now) && !unwritten(k)
            })
            .collect();
        ready.sort_by(|a, b| (a.1.created_ms, a.0).cmp(&(b.1.created_ms, b.0)));
        let mut batches: BTreeMap<Target, Vec<(Key, Entry)>> = BTreeMap::new();
        for (key, entry) in ready {
            let batch = batches.entry(key.target.clone()).or_default();
            if batch.len() < max {
                entry.in_flight = true;
                batch.push((key.clone(), entry.clone()));
            }
        }
        batches.into_iter().map(|(target, entries)| Batch { target, entries }).collect()
    }

    /// Applies the manager's current `quorum` to a taken entry before it is submitted
    /// (or after the chain refused it): stale signers are dropped and weights updated.
    /// If the rest still meets the threshold the entry stays taken and a copy is
    /// returned to submit; otherwise it goes back to pending, for more signatures.
    pub fn recheck(&mut self, key: &Key, quorum: &Quorum) -> Option<Result<Recheck, String>> {
        self.mutate(key, |entry| {
            let reweighed = entry.reweigh(quorum).inspect_err(|_| entry.in_flight = false)?;
            let ready = matches!(entry.state, EnvelopeState::Queued).then(|| entry.clone());
            if ready.is_none() && entry.is_open() {
                entry.in_flight = false;
            }
            Ok(Recheck { reweighed, ready, status: entry.status() })
        })
    }

    /// The entry landed in `tx_hash` at `height`.
    pub fn landed(&mut self, key: &Key, tx_hash: Vec<u8>, height: u64, now_ms: u64) {
        self.finish(key, EnvelopeState::Landed { tx_hash, height }, now_ms);
    }

    /// The handler had already accepted the event id.
    pub fn already_handled(&mut self, key: &Key, now_ms: u64) {
        self.finish(key, EnvelopeState::AlreadyHandled, now_ms);
    }

    fn finish(&mut self, key: &Key, state: EnvelopeState, now_ms: u64) {
        if self.mutate(key, |entry| entry.settle(state, now_ms)).is_none() {
            return;
        }
        self.finished.insert(key.event(), key.clone());
        self.finished_touched.insert(key.event());
        // Other digests for the same target and event id can never land now.
        let others: Vec<Key> =
            self.entries.keys().filter(|k| k.event_id == key.event_id && k.target == key.target && *k != key).cloned().collect();
        for other in others {
            self.remove(&other);
        }
    }

    /// The submission failed for good: `reason` says why.
    pub fn failed(&mut self, key: &Key, reason: String, now_ms: u64) {
        self.mutate(key, |entry| entry.settle(EnvelopeState::Failed { reason }, now_ms));
    }

    /// The submission may pass later: back off and queue again.
    pub fn retry_later(&mut self, key: &Key, error: String, now: Instant) {
        self.mutate(key, |entry| {
            entry.in_flight = false;
            entry.attempts += 1;
            entry.last_error = Some(error);
            entry.not_before = Some(now + backoff(entry.attempts));
        });
    }

    /// Open entries and bytes of `target`.
    pub fn usage(&self, target: &Target) -> Usage {
        self.usage.get(target).copied().unwrap_or_default()
    }

    /// Open entries and bytes per target that holds any.
    pub fn usages(&self) -> impl Iterator<Item = (&Target, &Usage)> {
        self.usage.iter()
    }

    /// Open entries and bytes over all targets.
    pub fn total(&self) -> Usage {
        self.usage.values().fold(Usage::default(), |t, u| Usage { entries: t.entries + u.entries, bytes: t.bytes + u.bytes })
    }

    /// Entries waiting for submission (quorum reached).
    pub fn depth(&self) -> usize {
        self.entries.values().filter(|e| matches!(e.state, EnvelopeState::Queued)).count()
    }

    /// Every entry, in no particular order.
    pub fn entries(&self) -> impl Iterator<Item = (&Key, &Entry)> {
        self.entries.iter()
    }

    /// Every finished (target, event id) with the key of its final entry.
    pub fn finished(&self) -> impl Iterator<Item = &Key> {
        self.finished.values()
    }

    /// What changed since the last [`Queue::clear_changes`]: the current state of every
    /// touched entry (or its deletion) and the finished ids added or forgotten.
    pub fn changes(&self) -> Changes {
        let mut changes = Changes::default();
        for key in &self.touched {
            match self.entries.get(key) {
                Some(entry) => changes.put.push((key.clone(), entry.clone())),
                None => changes.delete.push(key.clone()),
            }
        }
        for event in &self.finished_touched {
            match self.finished.get(event) {
                Some(key) => changes.finished.push(key.clone()),
                None => changes.unfinished.push(event.clone()),
            }
        }
        changes
    }

    /// Forgets the recorded changes, once the store has written them.
    pub fn clear_changes(&mut self) {
        self.touched.clear();
        self.finished_touched.clear();
    }

    /// The changes to write, and what they were made from; the queue then counts them
    /// as written (see [`Queue::retouch`] for when writing fails).
    pub fn take_changes(&mut self) -> (Changes, Touched) {
        let changes = self.changes();
        let touched = Touched { keys: std::mem::take(&mut self.touched), events: std::mem::take(&mut self.finished_touched) };
        (changes, touched)
    }

    /// Marks what a failed write held as changed again, so the next write writes its
    /// current state.
    pub fn retouch(&mut self, touched: Touched) {
        self.touched.extend(touched.keys);
        self.finished_touched.extend(touched.events);
    }
}

#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_bounds;
