//! The aggregator's `/targets`, typed: which (chain, manager, handler) it serves, how it
//! came to serve each, and what the on-chain check of each found. Keys are kebab-case,
//! as they have always been on the wire.

use serde::{Deserialize, Serialize};

/// `POST /targets` and `DELETE /targets`: a target to serve, or to serve no more.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct TargetRequest {
    /// The chain: the aggregator's name for it, or its shared id `family:chain-id`.
    pub chain: String,
    /// The service manager holding the operator set and threshold.
    pub manager: String,
    /// The handler contract that verifies and stores envelopes.
    pub handler: String,
}

/// How the aggregator came to serve a target.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "kebab-case")]
pub enum TargetSource {
    /// `[[targets]]` in the configuration file.
    Config,
    /// Registered with `POST /targets`.
    Api,
    /// Let in by `accept-verified-targets` after the on-chain check.
    Verified,
}

/// What the on-chain check of a target found: whether its handler validates with its
/// manager.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "kebab-case")]
pub enum TargetCheck {
    /// The handler validates with the named manager.
    Matches,
    /// It does not, or the chain says the handler is no handler: why.
    Refused(String),
    /// Not checked yet (the chain was not reachable, or nothing asked).
    NotCheckedYet,
}

/// One target as `/targets` shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "kebab-case")]
pub struct TargetEntry {
    /// The aggregator's name for the chain.
    pub chain: String,
    /// The service manager.
    pub manager: String,
    /// The handler contract.
    pub handler: String,
    /// How it came to be served; none once it is served no more (`DELETE /targets`).
    pub source: Option<TargetSource>,
    /// What the on-chain check found.
    pub on_chain_check: TargetCheck,
    /// Open envelopes for it (collecting signatures or queued).
    pub pending_entries: usize,
    /// Their bytes (payloads, signatures, overhead).
    pub pending_bytes: u64,
}

/// `GET /targets`: every target served.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TargetsAnswer {
    /// The targets, in order.
    pub targets: Vec<TargetEntry>,
}
