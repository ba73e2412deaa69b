//! One `[chains.<name>]` entry of the aggregator: the chain spec every WAVS process
//! reads, plus what only the aggregator needs (`accept-verified-targets`).

use serde::de::Error as _;
use serde::{Deserialize, Deserializer};
use wavs_types::ChainSpec;
use wavs_types::node_api::ChainRequest;
// The aggregator's own key of a chain entry.
use wavs_types::aggregator_chains::ACCEPT_VERIFIED_TARGETS as ACCEPT_VERIFIED;

/// A chain the aggregator submits to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AggregatorChain {
    /// Family, chain id, RPC endpoints, options: as the node reads them.
    pub spec: ChainSpec,
    /// Serve any target on this chain whose handler the chain confirms validates with
    /// the named manager, without registering it first. Spends this aggregator's gas
    /// for anyone who deploys a manager and a handler: off by default.
    pub accept_verified_targets: bool,
}

impl From<ChainSpec> for AggregatorChain {
    fn from(spec: ChainSpec) -> Self {
        AggregatorChain { spec, accept_verified_targets: false }
    }
}

impl AggregatorChain {
    /// Reads a `POST /chains` body (see `wavs_types::aggregator_chains`): the chain's
    /// name and entry. Errors name the field, and the chain once its name is read.
    pub fn parse_request(body: &str) -> Result<(String, AggregatorChain), String> {
        let (request, own) = ChainRequest::parse(body, &[ACCEPT_VERIFIED])?;
        let accept_verified_targets = match own.get(ACCEPT_VERIFIED) {
            None => false,
            Some(serde_json::Value::Bool(b)) => *b,
            Some(other) => return Err(format!("invalid chain {}: {ACCEPT_VERIFIED} must be true or false, not {other}", request.name)),
        };
        Ok((request.name, AggregatorChain { spec: request.spec, accept_verified_targets }))
    }
}

// By hand: `#[serde(flatten)]` would silently ignore misspelt keys of the spec, whose
// `deny_unknown_fields` names them.
impl<'de> Deserialize<'de> for AggregatorChain {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let mut table = toml::Table::deserialize(d)?;
        let accept_verified_targets = match table.remove(ACCEPT_VERIFIED) {
            None => false,
            Some(toml::Value::Boolean(b)) => b,
            Some(other) => return Err(D::Error::custom(format!("{ACCEPT_VERIFIED} must be true or false, not {other}"))),
        };
        let spec = ChainSpec::deserialize(toml::Value::Table(table)).map_err(D::Error::custom)?;
        Ok(AggregatorChain { spec, accept_verified_targets })
    }
}
