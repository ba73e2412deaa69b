//! The aggregator's `GET /health` answer, typed for the server that builds it and the
//! devnet, bench and tests that read it. Keys are kebab-case as on the wire, but for the
//! adapters' self-descriptions, which have always been shown in snake_case.

pub use crate::health::HealthStatus;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::PathBuf;

/// The aggregator's `GET /health`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "kebab-case")]
pub struct AggregatorHealth {
    /// `ok`, or `unhealthy` (HTTP 503) while the store cannot write.
    pub status: HealthStatus,
    /// Why it is unhealthy and what callers see meanwhile; `null` while healthy.
    pub reason: Option<String>,
    /// Each chain served (configured, or added with `POST /chains`), by the aggregator's
    /// name for it.
    pub chains: BTreeMap<String, AggregatorChainHealth>,
    /// Envelopes with a quorum, queued for their next batch.
    pub queue_depth: usize,
    /// Open entries and their bytes, in total and per target.
    pub pending: Pending,
    /// How many targets (chain, manager, handler) are served.
    pub targets: usize,
    /// The durable store.
    pub store: StoreHealth,
    /// Counts since start.
    pub counters: AggregatorCounters,
    /// The adapters loaded, one per family.
    pub adapters: Vec<AdapterInfo>,
    /// Events whose operators signed different results (`GET /events/{event-id}` for one).
    #[serde(default)]
    pub competing: crate::aggregator_events::CompetingResults,
}

/// One chain in the aggregator's `/health`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "kebab-case")]
pub struct AggregatorChainHealth {
    /// Whether an adapter for its family is loaded.
    pub adapter_loaded: bool,
    /// Adapter instance restarts after traps or timeouts.
    pub adapter_restarts: u64,
    /// Where the chain was configured: the aggregator's configuration file, or
    /// `POST /chains` (kept in its store).
    #[serde(default)]
    pub source: crate::health::ChainSource,
}

/// Open (not yet final) entries of the aggregator's queue.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "kebab-case")]
pub struct Pending {
    /// Open entries in all.
    pub entries: usize,
    /// Their charged bytes.
    pub bytes: u64,
    /// Per target.
    pub per_target: Vec<TargetUsage>,
}

/// One target's open entries.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "kebab-case")]
pub struct TargetUsage {
    /// The aggregator's name for the chain.
    pub chain: String,
    /// The service manager.
    pub manager: String,
    /// The handler contract.
    pub handler: String,
    /// Its open entries.
    pub pending_entries: usize,
    /// Their charged bytes.
    pub pending_bytes: u64,
}

/// The aggregator's store file.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "kebab-case")]
pub struct StoreHealth {
    /// Its path.
    pub path: String,
    /// Its size on disk.
    pub file_bytes: u64,
    /// Why it cannot write, while it cannot.
    pub fault: Option<String>,
}

/// The aggregator's counts since start (also in `/metrics`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "kebab-case")]
pub struct AggregatorCounters {
    /// Signed envelopes received.
    pub received: u64,
    /// Signatures refused (bad signature, not an operator, invalid).
    pub rejected_signatures: u64,
    /// Submissions refused because their target is not served.
    pub refused_targets: u64,
    /// Submissions refused because their target was at its caps.
    pub over_capacity: u64,
    /// Envelopes landed on chain.
    pub landed: u64,
    /// Envelopes whose submission failed for good.
    pub failed: u64,
    /// Envelopes that expired before landing.
    pub expired: u64,
    /// Signatures dropped before a submission because their signer had left the set.
    pub stale_signatures: u64,
    /// Transactions sent.
    pub batches: u64,
    /// Writes to the durable store that failed (and were retried).
    pub store_errors: u64,
}

/// What a loaded adapter says about itself, as `/health` (aggregator) and `/adapters`
/// (node) list it. Its keys are snake_case, as they have always been.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AdapterInfo {
    /// The chain family served (`evm`, `cosmos`, ...).
    pub family: String,
    /// Its name for people.
    pub name: String,
    /// Its version.
    pub version: String,
    /// The trigger kinds it delivers.
    pub trigger_kinds: Vec<String>,
    /// The signature schemes its chains verify.
    #[serde(default)]
    pub schemes: Vec<crate::Scheme>,
    /// Whether it exports the optional testing interface.
    pub has_testing: bool,
    /// sha256 of its file, hex.
    pub digest: String,
    /// The file it was loaded from.
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub path: PathBuf,
}
