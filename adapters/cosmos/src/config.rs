//! A Cosmos chain's settings, read from the operator's chain config. No `endpoints` role
//! is read yet: the adapter needs only the CometBFT RPC of `rpc-urls`, and accepts any.

use crate::bindings::exports::wavs::adapter::adapter::{AdapterError, ChainConfig};
use cosmrs::AccountId;
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
    /// Most envelopes in one submission (option `max-envelopes`), if the operator limits it.
    pub max_envelopes: Option<u32>,
    /// Most payload bytes in one submission (option `max-payload-bytes`), if limited.
    pub max_payload_bytes: Option<u64>,
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
            max_envelopes: limit(pairs, "max-envelopes")?
                .map(|n| u32::try_from(n).map_err(|_| invalid(format!("option max-envelopes: {n} is more than {}", u32::MAX))))
                .transpose()?,
            max_payload_bytes: limit(pairs, "max-payload-bytes")?,
        })
    }

    /// A bech32 address of this chain's prefix, or why `address` is none. Its
    /// `to_string()` is the canonical (lowercase) text, the form contracts see their own
    /// address in.
    pub fn contract(&self, address: &str) -> Result<AccountId, String> {
        let id: AccountId = address.parse().map_err(|e| format!("{address:?} is not a bech32 address: {e}"))?;
        if id.prefix() != self.prefix {
            return Err(format!("{address} is not a {} address", self.prefix));
        }
        Ok(id)
    }
}

#[cfg(test)]
impl Settings {
    /// A `wasm` chain `wavs-local-1` with the defaults, for unit tests.
    pub fn for_tests() -> Settings {
        Settings {
            chain_id: "wavs-local-1".into(),
            prefix: "wasm".into(),
            fee_denom: "ustake".into(),
            gas_price: 0.0,
            gas_adjustment: 1.4,
            confirm_timeout_ms: 1_000,
            request_timeout_ms: 1_000,
            max_envelopes: None,
            max_payload_bytes: None,
        }
    }
}

/// An optional submission limit: absent is none; present, a whole number of at least 1.
fn limit<'a, I: IntoIterator<Item = (&'a str, &'a str)>>(pairs: impl Fn() -> I, key: &str) -> Result<Option<u64>, AdapterError> {
    if options::text(pairs(), key).is_none() {
        return Ok(None);
    }
    match options::whole(pairs(), key, 0).map_err(AdapterError::InvalidConfig)? {
        0 => Err(AdapterError::InvalidConfig(format!("option {key}: 0 lets nothing through; leave it out for no limit"))),
        n => Ok(Some(n)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bindings::wavs::types::types::Attribute;

    fn config(options: &[(&str, &str)]) -> ChainConfig {
        let mut all = vec![("bech32-prefix", "wasm"), ("fee-denom", "ustake")];
        all.extend_from_slice(options);
        ChainConfig {
            name: "local".into(),
            chain_id: "wavs-local-1".into(),
            rpc_urls: vec!["http://127.0.0.1:26657".into()],
            endpoints: vec![],
            options: all.iter().map(|(k, v)| Attribute { key: k.to_string(), value: v.to_string() }).collect(),
        }
    }

    #[test]
    fn submission_limits_are_optional_numbers() {
        let none = Settings::from_config(&config(&[])).unwrap();
        assert_eq!((none.max_envelopes, none.max_payload_bytes), (None, None));
        let both = Settings::from_config(&config(&[("max-envelopes", "50"), ("max-payload-bytes", "200000")])).unwrap();
        assert_eq!((both.max_envelopes, both.max_payload_bytes), (Some(50), Some(200_000)));
        for (key, value, says) in [
            ("max-envelopes", "many", "not a whole number"),
            ("max-payload-bytes", "1.5", "not a whole number"),
            ("max-envelopes", "4294967296", "more than"),
            ("max-payload-bytes", "0", "leave it out"),
        ] {
            let err = Settings::from_config(&config(&[(key, value)])).unwrap_err();
            assert!(matches!(&err, AdapterError::InvalidConfig(m) if m.contains(key) && m.contains(says)), "{key}={value}: {err:?}");
        }
    }
}
