//! How an operator configures a chain: which adapter family serves it and where its
//! RPC endpoints are. The node never interprets these values; the adapter does.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// One chain entry of a node or aggregator configuration.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct ChainSpec {
    /// The adapter family that serves this chain (`evm`, `cosmos`, ...).
    pub family: String,
    /// The chain's own id, as its adapter expects it.
    pub chain_id: String,
    /// RPC endpoints, tried in order; the adapter may reach only these.
    pub rpc_urls: Vec<String>,
    /// Blocks to wait before a trigger counts, below the head `finality` names (0 for
    /// devnets, and usually with `safe` or `finalized`).
    #[serde(default)]
    pub confirmations: u64,
    /// Which head triggers are read up to: the newest block (`latest`, the default, with
    /// `confirmations` as the margin against reorgs), or the block the chain itself
    /// calls `safe` or `finalized`. Reorg checks apply whichever it is.
    #[serde(default, skip_serializing_if = "Finality::is_latest")]
    pub finality: Finality,
    /// Height to start reading triggers from when no cursor is stored yet;
    /// default: the head at first start.
    #[serde(default)]
    pub start_height: Option<u64>,
    /// Milliseconds between polls of the chain head.
    #[serde(default = "default_poll_ms")]
    pub poll_interval_ms: u64,
    /// Largest block range asked of the adapter in one `events` call.
    #[serde(default = "default_max_range")]
    pub max_block_range: u64,
    /// Extra family-specific settings passed to the adapter unchanged.
    #[serde(default)]
    pub options: BTreeMap<String, String>,
    /// More endpoints by role (`l1-rpc = ["https://..."]`, an indexer), reachable by this
    /// chain's adapter only; which roles it reads is in the adapter's guide.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub endpoints: BTreeMap<String, Vec<String>>,
}

/// The head a chain's triggers are read up to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "kebab-case")]
pub enum Finality {
    /// The newest block, minus `confirmations`.
    #[default]
    Latest,
    /// The newest block the chain considers safe from reorgs (`latest` where the chain
    /// has no such notion).
    Safe,
    /// The newest finalized block (`latest` on chains with instant finality).
    Finalized,
}

impl Finality {
    /// Whether this is the default, `latest` (left out when written).
    pub fn is_latest(&self) -> bool {
        *self == Finality::Latest
    }
}

fn is_http(url: &str) -> bool {
    url.starts_with("http://") || url.starts_with("https://")
}

fn default_poll_ms() -> u64 {
    500
}

fn default_max_range() -> u64 {
    500
}

impl ChainSpec {
    /// The chain's identity every operator shares, whatever they call it locally:
    /// `family:chain-id` (CAIP-2 style, e.g. `evm:31337`). Event ids hash this, and
    /// manifests may name a chain by it.
    pub fn caip2(&self) -> String {
        format!("{}:{}", self.family, self.chain_id)
    }

    /// Whether a manifest's chain reference `wanted` names this chain, configured here
    /// as `name`: by the local name, or by the shared `family:chain-id`.
    pub fn is_named(&self, wanted: &str, name: &str) -> bool {
        wanted == name || (wanted.contains(':') && wanted == self.caip2())
    }

    /// Every URL the chain's adapter may reach: its RPC endpoints and the named ones.
    pub fn reachable_urls(&self) -> impl Iterator<Item = &String> {
        self.rpc_urls.iter().chain(self.endpoints.values().flatten())
    }

    /// Checks what can be checked without the adapter.
    pub fn validate(&self, name: &str) -> Result<(), String> {
        if self.family.trim().is_empty() {
            return Err(format!("chain {name}: `family` must name an adapter family"));
        }
        if self.rpc_urls.is_empty() {
            return Err(format!("chain {name}: `rpc-urls` must list at least one endpoint"));
        }
        if let Some(bad) = self.rpc_urls.iter().find(|u| !is_http(u)) {
            return Err(format!("chain {name}: rpc url {bad:?} must start with http:// or https://"));
        }
        for (role, urls) in &self.endpoints {
            if role.is_empty() || urls.is_empty() {
                return Err(format!("chain {name}: endpoint {role:?} needs a role and at least one url"));
            }
            if let Some(bad) = urls.iter().find(|u| !is_http(u)) {
                return Err(format!("chain {name}: endpoint {role} url {bad:?} must start with http:// or https://"));
            }
        }
        if self.max_block_range == 0 || self.poll_interval_ms == 0 {
            return Err(format!("chain {name}: `max-block-range` and `poll-interval-ms` must be > 0"));
        }
        Ok(())
    }
}

/// Checks the name of a chain added at runtime: it must be usable in URLs, metrics
/// labels and manifests as is (and hold no `:`, which `family:chain-id` references use).
pub fn check_chain_name(name: &str) -> Result<(), String> {
    let ok = !name.is_empty() && name.len() <= 64 && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    if ok { Ok(()) } else { Err(format!("chain name {name:?}: use 1 to 64 letters, digits, '-' or '_'")) }
}
