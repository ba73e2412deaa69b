//! One `[chains.<name>]` entry of the aggregator: the chain spec every WAVS process
//! reads, plus what only the aggregator needs (`accept-verified-targets`).

use serde::de::Error as _;
use serde::{Deserialize, Deserializer};
use wavs_types::ChainSpec;

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

/// The aggregator's own key of a chain entry.
const ACCEPT_VERIFIED: &str = "accept-verified-targets";

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
