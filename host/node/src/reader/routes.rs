//! Which deployed workflows listen on a chain, and the job each event becomes.

use crate::deployed::Deployed;
use crate::job::{Job, TriggerKey};
use std::sync::Arc;
use wavs_runtime::bindings::adapter_api::{BlockIntervalFilter, ChainEvent, ContractEventFilter, CustomFilter, EventBody, EventFilter};
use wavs_runtime::bindings::wit_types::{Attribute, BlockIntervalTrigger, ChainEventTrigger, TriggerData};
use wavs_types::{ChainSpec, ServiceManifest, TriggerSpec};

/// A workflow listening on a chain, with the filter that selects its triggers.
pub(crate) struct Route {
    pub(crate) service: Arc<ServiceManifest>,
    pub(crate) workflow_id: String,
    /// The chain as the manifest names it: what the component is told.
    pub(crate) named: String,
    pub(crate) filter: EventFilter,
}

/// The workflows of all services that listen on chain `name`, named in their
/// manifests either by `name` or by the chain's `family:chain-id`.
pub(crate) fn routes(deployed: &Deployed, name: &str, spec: &ChainSpec) -> Vec<Route> {
    let services = deployed.read();
    let mut routes = Vec::new();
    for service in services.values() {
        for (workflow_id, wf) in &service.workflows {
            let filter = match &wf.trigger {
                TriggerSpec::ChainEvent { chain, contract, event } if spec.is_named(chain, name) => {
                    EventFilter::ContractEvent(ContractEventFilter { contract: contract.clone(), event: event.clone() })
                }
                TriggerSpec::BlockInterval { chain, every, start } if spec.is_named(chain, name) => {
                    EventFilter::BlockInterval(BlockIntervalFilter { every: *every, start: *start })
                }
                TriggerSpec::Custom { chain, kind, params } if spec.is_named(chain, name) => custom_filter(kind, params),
                _ => continue,
            };
            let named = wf.trigger.chain().unwrap_or(name).to_string();
            routes.push(Route { service: service.clone(), workflow_id: workflow_id.clone(), named, filter });
        }
    }
    routes
}

/// The adapter's filter for a custom trigger kind.
pub(crate) fn custom_filter(kind: &str, params: &std::collections::BTreeMap<String, String>) -> EventFilter {
    let params = params.iter().map(|(key, value)| Attribute { key: key.clone(), value: value.clone() }).collect();
    EventFilter::Custom(CustomFilter { kind: kind.to_string(), params })
}

pub(crate) fn job_for(chain: &str, caip2: &str, route: &Route, event: ChainEvent) -> Job {
    let position = event.position;
    let (data, key) = match event.body {
        EventBody::Contract(contract_event) => {
            let key = TriggerKey::ChainEvent {
                chain: chain.to_string(),
                caip2: caip2.to_string(),
                height: position.height,
                tx_hash: position.tx_hash.clone(),
                index: position.index,
            };
            let data = TriggerData::ChainEvent(ChainEventTrigger { chain: route.named.clone(), event: contract_event, position });
            (data, key)
        }
        EventBody::Block => {
            let key = TriggerKey::Block { chain: chain.to_string(), caip2: caip2.to_string(), height: position.height };
            let data = TriggerData::BlockInterval(BlockIntervalTrigger {
                chain: route.named.clone(),
                height: position.height,
                block_hash: position.block_hash,
            });
            (data, key)
        }
    };
    Job { service_id: route.service.id.clone(), workflow_id: route.workflow_id.clone(), data, key }
}
