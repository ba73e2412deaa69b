//! Conversions between the shared wire types and the WIT bindings.

use crate::bindings::adapter_api::{ChainConfig, Endpoint};
use crate::bindings::wit_types::{Attribute, Envelope};
use wavs_types::{ChainSpec, WireEnvelope};

/// The adapter's view of the operator's chain entry `name`.
pub fn chain_config(name: &str, spec: &ChainSpec) -> ChainConfig {
    ChainConfig {
        name: name.to_string(),
        chain_id: spec.chain_id.clone(),
        rpc_urls: spec.rpc_urls.clone(),
        options: spec
            .options
            .iter()
            .map(|(key, value)| Attribute { key: key.clone(), value: value.clone() })
            .collect(),
        endpoints: spec.endpoints.iter().map(|(role, urls)| Endpoint { role: role.clone(), urls: urls.clone() }).collect(),
    }
}

impl From<&WireEnvelope> for Envelope {
    fn from(e: &WireEnvelope) -> Self {
        Envelope { event_id: e.event_id.clone(), ordering: e.ordering.clone(), payload: e.payload.clone() }
    }
}

impl From<&Envelope> for WireEnvelope {
    fn from(e: &Envelope) -> Self {
        WireEnvelope { event_id: e.event_id.clone(), ordering: e.ordering.clone(), payload: e.payload.clone() }
    }
}
