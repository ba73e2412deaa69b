//! The aggregator's `POST /chains`, typed: a chain to submit to from now on, as the
//! node's `POST /chains` takes it (a `[chains.NAME]` table as JSON, with its name) plus
//! the aggregator's own `accept-verified-targets`, and what the aggregator answers.

use crate::node_api::OperatorIdentity;
use serde::{Deserialize, Serialize};

/// The aggregator's own key of a chain entry, beside the spec.
pub const ACCEPT_VERIFIED_TARGETS: &str = "accept-verified-targets";

/// `POST /chains` on the aggregator: the node's request, plus whether to serve any target
/// the chain confirms (off unless set). Read with [`crate::node_api::ChainRequest::parse`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "kebab-case")]
pub struct AggregatorChainRequest {
    /// The chain's name here (letters, digits, `-`, `_`); submissions may name it so or
    /// by its `family:chain-id`.
    pub name: String,
    /// Serve any target on this chain whose handler the chain confirms validates with
    /// the named manager, without registering it (spends gas for anyone: off by default).
    #[serde(default)]
    pub accept_verified_targets: bool,
    /// The chain, as the configuration file's `[chains.NAME]` table holds it.
    #[serde(flatten)]
    pub spec: crate::ChainSpec,
}

/// `POST /chains` on the aggregator: the chain now served, and the account that pays
/// for its submissions (which needs funds on it).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "kebab-case")]
pub struct AggregatorChainAdded {
    /// The aggregator's name for it.
    pub name: String,
    /// Its shared id, `family:chain-id`.
    pub chain_id: String,
    /// Whether it serves targets the chain confirms without registration.
    pub accept_verified_targets: bool,
    /// The submitting account, as the chain's adapter names the aggregator's key for
    /// it, or why it could not (its adapter is not loaded yet, say).
    pub submitter: OperatorIdentity,
    /// Where that key comes from (`[submitter.chains.NAME]`, or derived from the base
    /// key).
    pub key: String,
}
