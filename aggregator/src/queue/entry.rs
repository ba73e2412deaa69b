//! One envelope collecting signatures for one target, and what its status says.

use crate::quorum::{Quorum, sum_weights};
use crate::targets::Target;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::time::Instant;
use wavs_types::{EnvelopeState, EnvelopeStatus, Scheme, WireEnvelope};

/// Bytes an open entry is charged for beyond its payload and signatures: the map slot,
/// the state, the stored key. Makes many tiny envelopes count too.
pub const ENTRY_OVERHEAD: u64 = 256;

/// Identifies an entry: its target, event id and the digest its signatures cover.
/// Signatures for different targets or different digests never combine.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Key {
    /// Where the envelope goes.
    pub target: Target,
    /// The envelope's event id.
    pub event_id: Vec<u8>,
    /// The chain's digest of the envelope for `target.handler`.
    pub digest: Vec<u8>,
}

impl Key {
    /// (target, event id): what a landing finishes.
    pub fn event(&self) -> (Target, Vec<u8>) {
        (self.target.clone(), self.event_id.clone())
    }
}

/// One operator's signature and the weight it carries.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub struct Signature {
    /// The signature, encoded for its scheme (secp256k1: 65 bytes `r || s || id`).
    #[serde(with = "wavs_types::hex_bytes")]
    pub bytes: Vec<u8>,
    /// The operator's weight in the operator set last read.
    pub weight: u64,
    /// Its scheme; secp256k1-ecdsa in entries stored before schemes existed.
    #[serde(default, skip_serializing_if = "Scheme::is_default")]
    pub scheme: Scheme,
    /// The key that checks it, as the operator's node sent it (the adapter packs it
    /// into submissions where the scheme needs it, as BLS aggregation does).
    #[serde(default, with = "wavs_types::hex_bytes", skip_serializing_if = "Vec::is_empty")]
    pub public_key: Vec<u8>,
}

/// A signature as intake checked it, before a weight is given to it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Signed {
    /// Its scheme.
    pub scheme: Scheme,
    /// The key that checks it (may be empty for secp256k1, whose signature yields it).
    pub public_key: Vec<u8>,
    /// The signature.
    pub bytes: Vec<u8>,
}

impl From<Vec<u8>> for Signed {
    /// A secp256k1 signature, whose key it yields itself.
    fn from(bytes: Vec<u8>) -> Self {
        Signed { bytes, ..Signed::default() }
    }
}

impl Signed {
    /// The stored signature, carrying `weight`.
    pub fn weighing(self, weight: u64) -> Signature {
        Signature { bytes: self.bytes, weight, scheme: self.scheme, public_key: self.public_key }
    }
}

/// One envelope collecting signatures.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub struct Entry {
    /// The envelope; its payload is dropped once the entry is final.
    pub envelope: WireEnvelope,
    /// Operator id -> signature; dropped once the entry is final.
    pub signatures: BTreeMap<String, Signature>,
    /// The weight needed, as last read from chain.
    pub threshold: u64,
    /// Its state.
    pub state: EnvelopeState,
    /// When its first signature was counted (ms since the Unix epoch).
    pub created_ms: u64,
    /// When it reached a final state.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub settled_ms: Option<u64>,
    /// Why the last submission attempt did not land, while it is retried.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_error: Option<String>,
    /// Submissions that failed and may pass later.
    #[serde(default)]
    pub(super) attempts: u32,
    /// Taken by the batcher and not settled yet. Not stored: after a restart nothing is
    /// in flight, so the entry is submitted again (the batcher asks `is-handled` first).
    #[serde(skip)]
    pub(super) in_flight: bool,
    /// Not submitted again before this. Not stored (an `Instant` means nothing after a
    /// restart); rebuilt from `attempts` by `Queue::restore`.
    #[serde(skip)]
    pub(super) not_before: Option<Instant>,
}

/// What applying an operator set to an entry changed.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Reweighed {
    /// Signers dropped because they are no longer operators.
    pub dropped: Vec<String>,
    /// Whether anything changed (signers, weights, threshold or state).
    pub changed: bool,
}

impl Entry {
    /// A new entry, collecting from `now_ms`.
    pub(super) fn new(envelope: WireEnvelope, threshold: u64, now_ms: u64) -> Entry {
        Entry {
            envelope,
            signatures: BTreeMap::new(),
            threshold,
            state: EnvelopeState::Pending { signed_weight: 0, threshold, signers: 0 },
            created_ms: now_ms,
            settled_ms: None,
            last_error: None,
            attempts: 0,
            in_flight: false,
            not_before: None,
        }
    }

    /// Whether it still collects signatures or waits for submission.
    pub fn is_open(&self) -> bool {
        !self.state.is_final()
    }

    /// Failed submission attempts that may pass later.
    pub fn attempts(&self) -> u32 {
        self.attempts
    }

    /// Bytes it holds against its target's caps: 0 once final (payload and signatures
    /// are dropped then).
    pub fn charged_bytes(&self, key: &Key) -> u64 {
        if !self.is_open() {
            return 0;
        }
        let signatures: usize = self.signatures.iter().map(|(op, s)| op.len() + s.bytes.len() + s.public_key.len() + 8).sum();
        let e = &self.envelope;
        let bytes = e.payload.len() + e.event_id.len() + e.ordering.len() + key.digest.len() + signatures;
        ENTRY_OVERHEAD + bytes as u64
    }

    /// Applies `quorum` (the manager's current set): drops signers that are no longer
    /// operators, takes current weights and threshold, and moves between pending and
    /// queued accordingly. Final entries are left alone.
    pub(super) fn reweigh(&mut self, quorum: &Quorum) -> Result<Reweighed, String> {
        if !self.is_open() {
            return Ok(Reweighed::default());
        }
        let mut out = Reweighed::default();
        let mut kept = BTreeMap::new();
        for (operator, signature) in std::mem::take(&mut self.signatures) {
            match quorum.weight(&operator) {
                0 => out.dropped.push(operator),
                weight => {
                    out.changed |= weight != signature.weight;
                    kept.insert(operator, Signature { weight, ..signature });
                }
            }
        }
        self.signatures = kept;
        out.changed |= !out.dropped.is_empty() || self.threshold != quorum.threshold;
        self.threshold = quorum.threshold;
        let signed = sum_weights(self.signatures.values().map(|s| s.weight))?;
        let state = if self.threshold > 0 && signed >= u128::from(self.threshold) {
            EnvelopeState::Queued
        } else {
            // Below a u64 threshold, so it fits.
            let signed_weight = u64::try_from(signed).unwrap_or(u64::MAX);
            EnvelopeState::Pending { signed_weight, threshold: self.threshold, signers: self.signatures.len() }
        };
        out.changed |= state != self.state;
        self.state = state;
        Ok(out)
    }

    /// Ends the entry in `state` at `now_ms`, dropping what only a submission needs.
    pub(super) fn settle(&mut self, state: EnvelopeState, now_ms: u64) {
        self.state = state;
        self.settled_ms = Some(now_ms);
        self.in_flight = false;
        self.not_before = None;
        self.envelope.payload = Vec::new();
        self.signatures.clear();
    }

    /// The entry's status as the API reports it.
    pub fn status(&self) -> EnvelopeStatus {
        let detail = match &self.state {
            EnvelopeState::Pending { signed_weight, threshold, signers } => format!(
                "insufficient quorum: weight {signed_weight} of {threshold} ({signers} signer{})",
                if *signers == 1 { "" } else { "s" }
            ),
            EnvelopeState::Queued => match (&self.last_error, self.attempts) {
                (Some(error), n) if n > 0 => format!("quorum reached; queued for submission (attempt {n} did not land: {error})"),
                _ => "quorum reached; queued for submission".into(),
            },
            EnvelopeState::Landed { height, .. } => format!("landed in block {height}"),
            EnvelopeState::AlreadyHandled => "the handler had already accepted this event id".into(),
            EnvelopeState::Failed { reason } => format!("submission failed: {reason}"),
        };
        EnvelopeStatus { event_id: self.envelope.event_id.clone(), state: self.state.clone(), detail }
    }
}
