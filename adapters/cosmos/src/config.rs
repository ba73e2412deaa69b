//! A Cosmos chain's settings, read from the operator's chain config.

use crate::bindings::exports::wavs::adapter::adapter::{AdapterError, ChainConfig};
use wavs_adapter_kit::options;

/// What the adapter needs to know about one Cosmos chain beyond its RPC URLs.
#[derive(Debug, Clone)]
pub struct Settings {
    /// The chain-id, checked against the node's status and signed into every tx.
    pub chain_id: String,
    /// Bech32 prefix of account addresses (`wasm`, `cosmos`, `neutron`, ...).
    pub prefix: String,
    /// Denomination fees are paid in.
    pub fee_denom: String,
    /// Fee per unit of gas, in `fee_denom`.
    pub gas_price: f64,
    /// Simulated gas is multiplied by this before it becomes the gas limit.
    pub gas_adjustment: f64,
    /// How long `submit` waits for inclusion.
    pub confirm_timeout_ms: u64,
    /// Bound on each RPC request.
    pub request_timeout_ms: u64,
}

impl Settings {
    /// Reads the options; every bad or missing value is named.
    pub fn from_config(config: &ChainConfig) -> Result<Settings, AdapterError> {
        let pairs = || config.options.iter().map(|a| (a.key.as_str(), a.value.as_str()));
        let required = |key: &str| {
            options::text(pairs(), key)
                .map(str::to_string)
                .ok_or_else(|| AdapterError::InvalidConfig(format!("chain {}: option {key} is required for a cosmos chain", config.name)))
        };
        let invalid = AdapterError::InvalidConfig;
        if config.chain_id.trim().is_empty() {
            return Err(invalid(format!("chain {}: chain-id is empty", config.name)));
        }
        let prefix = required("bech32-prefix")?;
        if prefix.is_empty() || !prefix.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit()) {
            return Err(invalid(format!("option bech32-prefix: {prefix:?} must be lowercase letters and digits")));
        }
        Ok(Settings {
            chain_id: config.chain_id.clone(),
            prefix,
            fee_denom: required("fee-denom")?,
            gas_price: options::decimal(pairs(), "gas-price", 0.0).map_err(invalid)?,
            gas_adjustment: options::decimal(pairs(), "gas-adjustment", 1.4).map_err(invalid)?.max(1.0),
            confirm_timeout_ms: options::whole(pairs(), "confirm-timeout-ms", 30_000).map_err(invalid)?,
            request_timeout_ms: options::whole(pairs(), "request-timeout-ms", 10_000).map_err(invalid)?,
        })
    }
}
