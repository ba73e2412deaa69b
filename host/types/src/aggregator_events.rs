//! What the aggregator knows of one event id: each distinct result (digest) operators
//! signed for it, and who signed which. Operators that computed different bytes for one
//! trigger show up here as competing digests, none of which may reach the threshold
//! (`GET /events/{event-id}`, and the `competing` section of `GET /health`).

use crate::EnvelopeState;
use serde::{Deserialize, Serialize};

/// `GET /events/{event-id}`: every result signed for the event id.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "kebab-case")]
pub struct EventResults {
    /// The event id, 0x-hex.
    pub event_id: String,
    /// One per (target, digest), the most signed weight first. More than one for a
    /// target means its operators disagree on the result.
    pub results: Vec<SignedResult>,
}

/// One result (digest) of an event for one target, and its signers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "kebab-case")]
pub struct SignedResult {
    /// The aggregator's name for the target's chain.
    pub chain: String,
    /// The target's service manager.
    pub manager: String,
    /// The target's handler.
    pub handler: String,
    /// The digest the signers signed (the chain's digest of the envelope), 0x-hex.
    pub digest: String,
    /// Where this result stands.
    pub state: EnvelopeState,
    /// The weight its manager needs.
    pub threshold: u64,
    /// Who signed it, with their weights; empty once the result is final (landed,
    /// handled or failed), when signatures are dropped.
    pub signers: Vec<ResultSigner>,
    /// When its first signature was counted (ms since the Unix epoch).
    pub created_ms: u64,
}

/// One operator's signature of a result.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "kebab-case")]
pub struct ResultSigner {
    /// The operator's id on the target's chain.
    pub operator: String,
    /// Its weight in the operator set last read.
    pub weight: u64,
}

/// The `competing` section of the aggregator's `/health`: events whose operators signed
/// more than one result for the same target, which stall unless one reaches the
/// threshold (is the component deterministic? see `deterministic` in docs/COMPONENTS.md).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "kebab-case")]
pub struct CompetingResults {
    /// Open events with more than one result for a target.
    pub events: usize,
    /// The most recent few of them, newest first.
    pub recent: Vec<EventResults>,
}
