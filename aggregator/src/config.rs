//! The aggregator's TOML configuration, with environment overrides
//! (`WAVS_AGGREGATOR_API_ADDR`, `WAVS_AGGREGATOR_DATA_DIR`, `WAVS_AGGREGATOR_KEY`,
//! `WAVS_AGGREGATOR_API_TOKEN`).

mod chain;

pub use chain::AggregatorChain;

use crate::error::{AggregatorError, Result};
use crate::queue::Caps;
use crate::targets::Target;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use wavs_runtime::KeyConfig;
use wavs_types::api_token::ApiToken;

/// Aggregator configuration.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct AggregatorConfig {
    /// Where the queue (`aggregator.redb`), the API token and the compiled-component
    /// cache live.
    pub data_dir: PathBuf,
    /// Directory scanned for chain adapters.
    pub adapters_dir: PathBuf,
    /// Address of the HTTP API.
    #[serde(default = "default_addr")]
    pub api_addr: SocketAddr,
    /// The bearer token `POST`/`DELETE /targets` and `POST /chains` need. Unset: generated at first start
    /// into `<data-dir>/api-token` (mode 0600) and reused; `"none"`: no token (warned
    /// about at every start).
    #[serde(default)]
    pub api_token: Option<ApiToken>,
    /// Milliseconds between batch submissions.
    #[serde(default = "default_interval")]
    pub batch_interval_ms: u64,
    /// Most envelopes in one transaction.
    #[serde(default = "default_max_batch")]
    pub max_batch: usize,
    /// The base key; each chain submits with its own key derived from it, or set under
    /// `[submitter.chains.<name>]` (also for a chain to be added with `POST /chains`).
    pub submitter: KeyConfig,
    /// Chains by name.
    #[serde(default)]
    pub chains: BTreeMap<String, AggregatorChain>,
    /// The targets served from the start (`[[targets]]`: chain, manager, handler).
    #[serde(default)]
    pub targets: Vec<Target>,
    /// Limits of adapter calls and of the queue.
    #[serde(default)]
    pub limits: AggregatorLimits,
    /// Set when this aggregator is one of many (each node aggregating, `[p2p]` in the
    /// node): it submits an envelope only in its turn ([`crate::turns`]).
    #[serde(default)]
    pub turns: Option<crate::turns::TurnsConfig>,
}

/// The aggregator's `[limits]` section.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct AggregatorLimits {
    /// Per-call limits of chain adapters; what is not set keeps the adapter default.
    #[serde(default)]
    pub adapter: wavs_types::LimitOverrides,
    /// Open (not yet landed) envelopes one target may hold.
    #[serde(default = "default_pending_entries")]
    pub max_pending_entries: usize,
    /// Bytes of open envelopes (payloads and signatures) one target may hold.
    #[serde(default = "default_pending_bytes")]
    pub max_pending_bytes: u64,
    /// Seconds after its first signature an envelope that has not landed ends as failed.
    #[serde(default = "default_expiry")]
    pub pending_expiry_secs: u64,
    /// Seconds a final status (landed, failed) is kept for `GET /envelopes`.
    #[serde(default = "default_retention")]
    pub finished_retention_secs: u64,
    /// Targets `accept-verified-targets` may let in, over all chains.
    #[serde(default = "default_verified")]
    pub max_verified_targets: usize,
}

impl Default for AggregatorLimits {
    fn default() -> Self {
        AggregatorLimits {
            adapter: Default::default(),
            max_pending_entries: default_pending_entries(),
            max_pending_bytes: default_pending_bytes(),
            pending_expiry_secs: default_expiry(),
            finished_retention_secs: default_retention(),
            max_verified_targets: default_verified(),
        }
    }
}

impl AggregatorLimits {
    /// The limits every adapter call runs under.
    pub fn adapter_limits(&self) -> wavs_runtime::Limits {
        wavs_runtime::Limits::ADAPTER_DEFAULT.with_overrides(&self.adapter)
    }

    /// The queue's caps.
    pub fn caps(&self) -> Caps {
        Caps {
            entries: self.max_pending_entries,
            bytes: self.max_pending_bytes,
            expiry_ms: self.pending_expiry_secs.saturating_mul(1000),
            retention_ms: self.finished_retention_secs.saturating_mul(1000),
        }
    }
}

fn default_addr() -> SocketAddr {
    "127.0.0.1:8100".parse().expect("valid literal")
}
fn default_interval() -> u64 {
    200
}
fn default_max_batch() -> usize {
    100
}
fn default_pending_entries() -> usize {
    Caps::default().entries
}
fn default_pending_bytes() -> u64 {
    Caps::default().bytes
}
fn default_expiry() -> u64 {
    Caps::default().expiry_ms / 1000
}
fn default_retention() -> u64 {
    Caps::default().retention_ms / 1000
}
fn default_verified() -> usize {
    100
}

impl AggregatorConfig {
    /// Parses TOML.
    pub fn parse(text: &str) -> Result<Self> {
        toml::from_str(text).map_err(|e| AggregatorError::Config(format!("invalid config: {e}")))
    }

    /// Reads `path`, applies environment overrides and validates.
    pub fn load(path: &Path) -> Result<Self> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| AggregatorError::Config(format!("cannot read {}: {e}", path.display())))?;
        let mut config = Self::parse(&text)?;
        config.apply_env(|k| std::env::var(k).ok().filter(|v| !v.is_empty()))?;
        config.validate()?;
        Ok(config)
    }

    /// Applies overrides from `var`; a value that does not parse is an error, never
    /// ignored.
    pub fn apply_env(&mut self, var: impl Fn(&str) -> Option<String>) -> Result<()> {
        if let Some(v) = var("WAVS_AGGREGATOR_API_ADDR") {
            self.api_addr = v.trim().parse().map_err(|e| {
                AggregatorError::Config(format!(
                    "WAVS_AGGREGATOR_API_ADDR={v:?} is not an address like 127.0.0.1:8100 ({e}): fix or unset it"
                ))
            })?;
        }
        if let Some(dir) = var("WAVS_AGGREGATOR_DATA_DIR") {
            self.data_dir = dir.into();
        }
        if let Some(key) = var("WAVS_AGGREGATOR_KEY") {
            // The base key changes; chains with a key of their own keep it.
            let chains = std::mem::take(&mut self.submitter.chains);
            self.submitter = KeyConfig::from_private_key(key);
            self.submitter.chains = chains;
        }
        if let Some(token) = var("WAVS_AGGREGATOR_API_TOKEN") {
            self.api_token = Some(ApiToken::secret_of(token));
        }
        Ok(())
    }

    /// This aggregator's name for the chain `wanted` names: its own name, or the
    /// `family:chain-id` every operator shares (operators may name a chain differently).
    pub fn chain_name<'a>(&'a self, wanted: &'a str) -> Option<&'a str> {
        if self.chains.contains_key(wanted) {
            return Some(wanted);
        }
        self.chains.iter().find(|(name, c)| c.spec.is_named(wanted, name)).map(|(name, _)| name.as_str())
    }

    /// Checks values that parse but cannot work.
    pub fn validate(&self) -> Result<()> {
        for (name, chain) in &self.chains {
            chain.spec.validate(name).map_err(AggregatorError::Config)?;
        }
        if self.max_batch == 0 || self.batch_interval_ms == 0 {
            return Err(AggregatorError::Config("max-batch and batch-interval-ms must be > 0".into()));
        }
        if let Some(msg) = self.limits.adapter_limits().exceeding(&wavs_runtime::Limits::UNBOUNDED) {
            return Err(AggregatorError::Config(format!("limits.adapter: {msg}")));
        }
        let l = &self.limits;
        if l.max_pending_entries == 0 || l.max_pending_bytes == 0 || l.pending_expiry_secs == 0 {
            return Err(AggregatorError::Config(
                "limits: max-pending-entries, max-pending-bytes and pending-expiry-secs must be > 0".into(),
            ));
        }
        if let Some(secret) = self.api_token.as_ref().and_then(ApiToken::secret) {
            wavs_types::api_token::check_secret(secret).map_err(AggregatorError::Config)?;
        }
        for (i, t) in self.targets.iter().enumerate() {
            if self.chain_name(&t.chain).is_none() {
                let known: Vec<&String> = self.chains.keys().collect();
                return Err(AggregatorError::Config(format!(
                    "targets[{i}]: chain {:?} is not configured (chains: {known:?}); add [chains.{}] or fix the name",
                    t.chain, t.chain
                )));
            }
            if t.manager.trim().is_empty() || t.handler.trim().is_empty() {
                return Err(AggregatorError::Config(format!("targets[{i}]: manager and handler must be addresses")));
            }
        }
        // A `[submitter.chains.NAME]` may hold the key of a chain to be added at runtime
        // (`POST /chains`): `start` says so in its log.
        let names: Vec<&str> = self.chains.keys().chain(self.submitter.chains.keys()).map(String::as_str).collect();
        self.submitter.validate("submitter", &names).map_err(|e| AggregatorError::Config(e.to_string()))?;
        Ok(())
    }
}

#[cfg(test)]
mod tests;
