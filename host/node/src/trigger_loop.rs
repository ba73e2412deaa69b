//! Where triggers enter: one loop per chain reads events by block range from the stored
//! cursor, through the chain's adapter, and hands each match to the dispatcher.

use crate::backoff::Backoff;
use crate::job::{Job, TriggerKey};
use crate::error::Result;
use crate::node::{ChainStatus, Node};
use std::sync::Arc;
use std::time::Duration;
use wavs_runtime::ChainAdapter;
use wavs_runtime::bindings::adapter_api::{
    BlockIntervalFilter, BlockTag, ChainEvent, ContractEventFilter, EventBody, EventFilter,
};
use wavs_runtime::bindings::wit_types::{BlockIntervalTrigger, ChainEventTrigger, TriggerData};
use wavs_types::{ChainSpec, ServiceManifest, TriggerSpec};

/// A workflow listening on a chain, with the filter that selects its triggers.
struct Route {
    service: Arc<ServiceManifest>,
    workflow_id: String,
    /// The chain as the manifest names it: what the component is told.
    named: String,
    filter: EventFilter,
}

impl Node {
    /// Reads triggers on chain `name` forever, backing off while the chain or its
    /// adapter fails; the cursor only moves past ranges that were fully read.
    pub(crate) async fn trigger_loop(self: Arc<Self>, name: String) {
        let Some(served) = self.chains.get(&name) else {
            tracing::error!(chain = %name, "no such chain; its trigger loop does not start");
            return;
        };
        let (chain, spec) = (served.adapter.clone(), served.spec.clone());
        let poll = Duration::from_millis(spec.poll_interval_ms);
        let mut backoff = Backoff::new(poll, Duration::from_secs(10));
        let mut failing = false;
        loop {
            let wait = match self.poll_chain(&name, &chain, &spec).await {
                Ok(caught_up) => {
                    backoff.reset();
                    if std::mem::take(&mut failing) {
                        // The chain is back: jobs postponed while it was down need not
                        // wait out their backoff.
                        self.retry_postponed_jobs();
                    }
                    if caught_up { poll } else { Duration::ZERO }
                }
                Err(e) => {
                    failing = true;
                    let delay = backoff.next_delay();
                    tracing::warn!(chain = %name, retry_in_ms = delay.as_millis() as u64, "reading triggers failed: {e}");
                    self.update_status(&name, |s| {
                        s.state = wavs_types::ChainState::Error;
                        s.error = Some(e.to_string());
                    });
                    delay
                }
            };
            tokio::time::sleep(wait).await;
        }
    }

    /// Reads one range. Returns whether the cursor has caught up with the safe head.
    async fn poll_chain(self: &Arc<Self>, name: &str, chain: &ChainAdapter, spec: &ChainSpec) -> Result<bool> {
        if !chain.has_adapter() {
            self.update_status(name, |s| s.state = wavs_types::ChainState::WaitingForAdapter);
            return Ok(true);
        }
        let head = chain.head(BlockTag::Latest).await?;
        let safe = head.height.saturating_sub(spec.confirmations);
        let cursor = match self.store.cursor(name)? {
            Some(c) => c,
            None => {
                let start = spec.start_height.unwrap_or(safe + 1);
                self.store.set_cursor(name, start)?;
                start
            }
        };
        self.update_status(name, |s| {
            s.head = Some(head.height);
            s.cursor = Some(cursor);
        });
        if cursor > safe {
            self.update_status(name, ChainStatus::set_active);
            return Ok(true);
        }
        if self.check_reorg(name, chain, cursor).await?.is_some() {
            return Ok(false);
        }
        let to = safe.min(cursor + spec.max_block_range - 1);
        let routes = self.routes(name, spec);
        let mut jobs = Vec::new();
        if !routes.is_empty() {
            let filters: Vec<EventFilter> = routes.iter().map(|r| r.filter.clone()).collect();
            for event in chain.events(&filters, cursor, to).await? {
                match routes.get(event.filter as usize) {
                    Some(route) => jobs.push(job_for(name, &spec.caip2(), route, event)),
                    None => tracing::warn!(chain = %name, filter = event.filter, "adapter returned an event for an unknown filter"),
                }
            }
        }
        let to_hash = chain.block_hash(to).await?.ok_or_else(|| {
            crate::error::NodeError::Unavailable(format!("chain {name}: block {to} below the head has no hash yet"))
        })?;
        // The jobs and the cursor past them in one transaction: none lost, none twice.
        for pending in self.store.enqueue_jobs(name, jobs, to, &to_hash).await? {
            self.schedule(pending);
        }
        // Active only once a whole round worked: a chain whose `events` keeps failing
        // stays in `error` with its reason between attempts.
        self.update_status(name, |s| {
            s.set_active();
            s.cursor = Some(to + 1);
        });
        Ok(to == safe)
    }

    /// The workflows of all services that listen on chain `name`, named in their
    /// manifests either by `name` or by the chain's `family:chain-id`.
    fn routes(&self, name: &str, spec: &ChainSpec) -> Vec<Route> {
        let services = self.services.read();
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
                    _ => continue,
                };
                let named = wf.trigger.chain().unwrap_or(name).to_string();
                routes.push(Route { service: service.clone(), workflow_id: workflow_id.clone(), named, filter });
            }
        }
        routes
    }
}

fn job_for(chain: &str, caip2: &str, route: &Route, event: ChainEvent) -> Job {
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
