//! The aggregator's TOML configuration, with environment overrides
//! (`WAVS_AGGREGATOR_API_ADDR`, `WAVS_AGGREGATOR_DATA_DIR`, `WAVS_AGGREGATOR_KEY`).

use crate::error::{AggregatorError, Result};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use wavs_runtime::KeyConfig;
use wavs_types::ChainSpec;

/// Aggregator configuration.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct AggregatorConfig {
    /// Where the queue (`aggregator.redb`) and the compiled-component cache live.
    pub data_dir: PathBuf,
    /// Directory scanned for chain adapters.
    pub adapters_dir: PathBuf,
    /// Address of the HTTP API.
    #[serde(default = "default_addr")]
    pub api_addr: SocketAddr,
    /// Milliseconds between batch submissions.
    #[serde(default = "default_interval")]
    pub batch_interval_ms: u64,
    /// Most envelopes in one transaction.
    #[serde(default = "default_max_batch")]
    pub max_batch: usize,
    /// The key that pays for submissions.
    pub submitter: KeyConfig,
    /// Chains by name.
    #[serde(default)]
    pub chains: BTreeMap<String, ChainSpec>,
    /// Limits of calls into the chain adapters, as the node's `[limits.adapter]`.
    #[serde(default)]
    pub limits: AggregatorLimits,
}

/// The aggregator's `[limits]` section.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct AggregatorLimits {
    /// Per-call limits of chain adapters; what is not set keeps the adapter default.
    #[serde(default)]
    pub adapter: wavs_types::LimitOverrides,
}

impl AggregatorLimits {
    /// The limits every adapter call runs under.
    pub fn adapter_limits(&self) -> wavs_runtime::Limits {
        wavs_runtime::Limits::ADAPTER_DEFAULT.with_overrides(&self.adapter)
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
        config.apply_env(|k| std::env::var(k).ok());
        config.validate()?;
        Ok(config)
    }

    /// Applies overrides from `var`.
    pub fn apply_env(&mut self, var: impl Fn(&str) -> Option<String>) {
        if let Some(addr) = var("WAVS_AGGREGATOR_API_ADDR").and_then(|v| v.parse().ok()) {
            self.api_addr = addr;
        }
        if let Some(dir) = var("WAVS_AGGREGATOR_DATA_DIR") {
            self.data_dir = dir.into();
        }
        if let Some(key) = var("WAVS_AGGREGATOR_KEY") {
            self.submitter = KeyConfig::from_private_key(key);
        }
    }

    /// Checks values that parse but cannot work.
    pub fn validate(&self) -> Result<()> {
        for (name, spec) in &self.chains {
            spec.validate(name).map_err(AggregatorError::Config)?;
        }
        if self.max_batch == 0 || self.batch_interval_ms == 0 {
            return Err(AggregatorError::Config("max-batch and batch-interval-ms must be > 0".into()));
        }
        if let Some(msg) = self.limits.adapter_limits().exceeding(&wavs_runtime::Limits::UNBOUNDED) {
            return Err(AggregatorError::Config(format!("limits.adapter: {msg}")));
        }
        self.submitter.signer().map_err(|e| AggregatorError::Config(format!("[submitter]: {e}")))?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = r#"
        data-dir = "/tmp/agg"
        adapters-dir = "/tmp/adapters"
        [submitter]
        private-key = "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80"
        [chains.anvil]
        family = "evm"
        chain-id = "31337"
        rpc-urls = ["http://127.0.0.1:8545"]
    "#;

    #[test]
    fn parses_defaults_and_env() {
        let mut c = AggregatorConfig::parse(GOOD).unwrap();
        c.validate().unwrap();
        assert_eq!((c.max_batch, c.api_addr.port()), (100, 8100));
        c.apply_env(|k| (k == "WAVS_AGGREGATOR_API_ADDR").then(|| "127.0.0.1:9100".into()));
        assert_eq!(c.api_addr.port(), 9100);
    }

    #[test]
    fn unknown_fields_and_missing_keys_are_named() {
        let err = AggregatorConfig::parse(&GOOD.replace("max-batch", "x").replace("data-dir", "data-dri")).unwrap_err();
        assert!(err.to_string().contains("data-dri"), "{err}");
        let c = AggregatorConfig::parse(&GOOD.replace("private-key", "mnemonic")).unwrap();
        assert!(c.validate().unwrap_err().to_string().contains("[submitter]"));
    }
}
