//! The node's answers about its adapters, keys, services and chains, typed: the server
//! sends these, and `wavs-client` (so the CLI, devnet and tests) reads them back, so a
//! renamed field breaks the build rather than a reader at runtime. Keys are kebab-case,
//! as they have always been on the wire.

use crate::aggregator_health::AdapterInfo;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::PathBuf;

/// What became of a `.wasm` file in the node's adapters-dir.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "state", rename_all = "kebab-case")]
pub enum AdapterFileState {
    /// Loaded and serving `family`.
    Loaded {
        /// The chain family it serves.
        family: String,
    },
    /// Refused, with the reason.
    Refused {
        /// Why, and what to fix.
        reason: String,
    },
}

/// `GET /adapters`: the adapters loaded, and every file looked at.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct AdaptersAnswer {
    /// One entry per loaded adapter (per chain family).
    pub loaded: Vec<AdapterInfo>,
    /// Every file of the adapters-dir, with what became of it.
    pub files: Vec<(PathBuf, AdapterFileState)>,
}

/// The identity a chain's adapter gives an operator key, or why it could not.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(untagged)]
pub enum OperatorIdentity {
    /// The chain's own form of it (an EVM address, a bech32 account ...).
    Id(String),
    /// The adapter could not say (not loaded, chain unreachable ...).
    Unknown {
        /// Why.
        error: String,
    },
}

/// One chain's signing key, as `GET /operator` and `wavs keys` show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "kebab-case")]
pub struct ChainKey {
    /// The chain's family (`evm`, `cosmos` ...).
    pub family: String,
    /// Its chain id within the family.
    pub chain_id: String,
    /// The public key the node signs this chain's envelopes with, 0x-hex.
    pub public_key: String,
    /// The identity to register in the chain's service manager.
    pub id: OperatorIdentity,
    /// Where the key comes from (derived from the operator mnemonic, or its own key).
    pub key: String,
}

/// `GET /operator`: each chain's key, by the node's name for the chain.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OperatorAnswer {
    /// Chain name → its key.
    pub chains: BTreeMap<String, ChainKey>,
}

/// `POST /services`: the service deployed (or replaced).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ServiceDeployed {
    /// Its id.
    pub id: String,
}

/// `POST /services/{id}/pause` and `/resume`: the service's new state.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "kebab-case")]
pub struct PauseAnswer {
    /// The service.
    pub id: String,
    /// Whether it is paused now.
    pub paused: bool,
    /// On pause: jobs of the service stored and waiting (triggers are still read).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub waiting_jobs: Option<usize>,
    /// On resume: jobs released to run.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub released_jobs: Option<usize>,
}

/// `POST /chains`: the chain now served.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ChainAdded {
    /// The node's name for it.
    pub name: String,
}
