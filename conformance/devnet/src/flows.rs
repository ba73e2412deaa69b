//! What a test or the demo does with a running devnet: deploy services, fire triggers,
//! follow a result from the operators through the aggregator onto a chain.

use crate::devnet::Devnet;
use serde_json::{Value, json};
use std::path::PathBuf;
use std::time::{Duration, Instant};
use wavs_runtime::bindings::adapter_api::{BlockTag, EventFilter};
use wavs_runtime::bindings::testing_api::TestDeployment;
use wavs_client::{AggregatorClient, NodeClient};
use wavs_types::execution::ExecutionRecord;
use wavs_types::{EnvelopeState, EnvelopeStatus, TriggerIdentity, derive_event_id};

/// A fired trigger, located on its chain.
#[derive(Debug, Clone)]
pub struct FiredTrigger {
    /// The chain it fired on.
    pub chain: String,
    /// The transaction that fired it.
    pub tx_hash: Vec<u8>,
    /// Height of its block.
    pub height: u64,
    /// Its event index.
    pub index: u32,
    /// When it was fired.
    pub at: Instant,
}

impl Devnet {
    /// A service that squares what the first chain's trigger contract emits and submits
    /// the result to the same chain.
    pub fn square_manifest(&self, id: &str) -> Value {
        let name = &self.primary().name;
        self.square_manifest_between(id, name, name).expect("the primary chain exists")
    }

    /// A service whose trigger is on chain `from` and whose result lands on chain `to`.
    pub fn square_manifest_between(&self, id: &str, from: &str, to: &str) -> Result<Value, String> {
        let (source, target) = (self.chain(from)?, self.chain(to)?);
        Ok(square_manifest_at(id, &source.name, &source.deployment, &target.name, &target.deployment))
    }

    /// Uploads `components` (manifest name, file) to every running node and deploys
    /// the manifest there.
    pub async fn deploy_service(&self, mut manifest: Value, components: &[(&str, PathBuf)]) -> Result<(), String> {
        for node in self.nodes.iter().filter(|n| !is_stopped(&n.url)) {
            let client = self.client(&node.url);
            for (name, file) in components {
                let bytes = std::fs::read(file).map_err(|e| format!("{}: {e}", file.display()))?;
                let digest = client.upload_component(bytes, true).await.map_err(|e| format!("POST {}/components: {e}", node.url))?;
                manifest["components"][name]["digest"] = Value::String(digest);
            }
            client.deploy(&manifest).await.map_err(|e| format!("POST {}/services: {e}", node.url))?;
        }
        Ok(())
    }

    /// A typed client for the node at `node`, on the devnet's HTTP client.
    pub fn client(&self, node: &str) -> NodeClient {
        NodeClient::with_http(node, self.http.clone())
    }

    /// Posts a manual task (`payload` sent as 0x-hex) to workflow `workflow` of
    /// `service` on the node at `node`; returns the execution record it answers.
    pub async fn post_task(&self, node: &str, service: &str, workflow: &str, id: &str, payload: &[u8]) -> Result<ExecutionRecord, String> {
        let answer = self.client(node).post_task(service, workflow, id, payload).await;
        answer.map_err(|e| format!("POST {node}/services/{service}/workflows/{workflow}/tasks: {e}"))
    }

    /// GETs JSON from a URL.
    pub async fn get(&self, url: &str) -> Result<(u16, Value), String> {
        let response = self.http.get(url).send().await.map_err(|e| format!("GET {url}: {e}"))?;
        let status = response.status().as_u16();
        let text = response.text().await.unwrap_or_default();
        Ok((status, serde_json::from_str(&text).unwrap_or(Value::String(text))))
    }

    /// Polls `url` until `done` holds for its JSON; after 20 s fails with the last answer.
    pub async fn wait_for(&self, url: &str, what: &str, done: impl Fn(&Value) -> bool) -> Result<Value, String> {
        let started = Instant::now();
        loop {
            let (_, body) = self.get(url).await?;
            if done(&body) {
                return Ok(body);
            }
            if started.elapsed() > Duration::from_secs(20) {
                return Err(format!("{what}: after 20 s {url} still answers {body}"));
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }

    /// Fires the first chain's trigger contract with `payload`.
    pub async fn fire_trigger(&self, payload: &[u8]) -> Result<FiredTrigger, String> {
        let name = self.primary().name.clone();
        self.fire_trigger_on(&name, payload).await
    }

    /// Fires chain `name`'s trigger contract with `payload` and locates the event.
    pub async fn fire_trigger_on(&self, name: &str, payload: &[u8]) -> Result<FiredTrigger, String> {
        self.fire_trigger_at(name, &self.chain(name)?.deployment, payload).await
    }

    /// Fires the trigger contract of `deployment` on chain `name` with `payload` and
    /// locates the event.
    pub async fn fire_trigger_at(&self, name: &str, deployment: &TestDeployment, payload: &[u8]) -> Result<FiredTrigger, String> {
        let deployer = &self.chain(name)?.deployer;
        let before = deployer.head(BlockTag::Latest).await.map_err(|e| e.to_string())?.height;
        let at = Instant::now();
        let tx_hash = deployer
            .fire_trigger(&deployment.trigger, payload)
            .await
            .map_err(|e| format!("firing the trigger on {name}: {e}"))?;
        let after = deployer.head(BlockTag::Latest).await.map_err(|e| e.to_string())?.height;
        let filter = [EventFilter::ContractEvent(deployment.trigger_filter.clone())];
        let events = deployer.events(&filter, before + 1, after).await.map_err(|e| e.to_string())?;
        let event = events
            .into_iter()
            .find(|e| e.position.tx_hash == tx_hash)
            .ok_or_else(|| format!("trigger tx 0x{} on {name} emitted no trigger event", hex::encode(&tx_hash)))?;
        Ok(FiredTrigger { chain: name.to_string(), tx_hash, height: event.position.height, index: event.position.index, at })
    }

    /// The event id every operator derives for `trigger` in `service`'s `main` workflow:
    /// from the chain's shared `family:chain-id`, not the devnet's name for it.
    pub fn event_id(&self, service: &str, trigger: &FiredTrigger) -> Vec<u8> {
        self.event_id_in(service, "main", trigger)
    }

    /// The event id every operator derives for `trigger` in `workflow` of `service`.
    pub fn event_id_in(&self, service: &str, workflow: &str, trigger: &FiredTrigger) -> Vec<u8> {
        let caip2 = match self.chain(&trigger.chain) {
            Ok(chain) => chain.chain.spec.caip2(),
            Err(e) => panic!("event id of a trigger the devnet did not fire: {e}"),
        };
        let identity = TriggerIdentity::ChainEvent {
            chain: &caip2,
            height: trigger.height,
            tx_hash: &trigger.tx_hash,
            index: trigger.index,
        };
        derive_event_id(service, workflow, &identity, 0)
    }

    /// The aggregator's status of `event_id`, if it knows it.
    pub async fn aggregator_status(&self, event_id: &[u8]) -> Option<EnvelopeStatus> {
        AggregatorClient::with_http(&self.aggregator_url, self.http.clone()).status(event_id, None).await.ok()
    }

    /// The transaction and height that landed `event_id`, as the aggregator that landed
    /// it reports: the aggregator process, or with p2p whichever node's embedded one
    /// submitted it (each knows only what it landed itself).
    pub async fn landed_receipt(&self, event_id: &[u8]) -> Option<(Vec<u8>, u64)> {
        let urls = if self.embedded_aggregators.is_empty() { std::slice::from_ref(&self.aggregator_url) } else { &self.embedded_aggregators[..] };
        for url in urls {
            let status = AggregatorClient::with_http(url, self.http.clone()).status(event_id, None).await.ok();
            if let Some(EnvelopeStatus { state: EnvelopeState::Landed { tx_hash, height }, .. }) = status {
                return Some((tx_hash, height));
            }
        }
        None
    }

    /// The payload the first chain's handler stored for `event_id`, if any.
    pub async fn handled_payload(&self, event_id: &[u8]) -> Result<Option<Vec<u8>>, String> {
        let name = self.primary().name.clone();
        self.handled_payload_on(&name, event_id).await
    }

    /// The payload chain `name`'s handler stored for `event_id`, if any.
    pub async fn handled_payload_on(&self, name: &str, event_id: &[u8]) -> Result<Option<Vec<u8>>, String> {
        let chain = self.chain(name)?;
        chain.deployer.handled_payload(&chain.deployment.handler, event_id).await.map_err(|e| e.to_string())
    }

    /// Waits until the first chain's handler holds a payload for `event_id`.
    pub async fn wait_landed(&self, event_id: &[u8], timeout: Duration) -> Result<Vec<u8>, String> {
        let name = self.primary().name.clone();
        self.wait_landed_on(&name, event_id, timeout).await
    }

    /// Waits until chain `name`'s handler holds a payload for `event_id`.
    pub async fn wait_landed_on(&self, name: &str, event_id: &[u8], timeout: Duration) -> Result<Vec<u8>, String> {
        self.wait_landed_at(name, &self.chain(name)?.deployment.handler, event_id, timeout).await
    }

    /// Waits until `handler` on chain `name` holds a payload for `event_id`.
    pub async fn wait_landed_at(&self, name: &str, handler: &str, event_id: &[u8], timeout: Duration) -> Result<Vec<u8>, String> {
        let deployer = &self.chain(name)?.deployer;
        let started = Instant::now();
        loop {
            if let Some(payload) = deployer.handled_payload(handler, event_id).await.map_err(|e| e.to_string())? {
                return Ok(payload);
            }
            if started.elapsed() > timeout {
                let status = self.aggregator_status(event_id).await;
                return Err(format!(
                    "no result on {name} for event 0x{} after {timeout:?}; aggregator says {status:?}",
                    hex::encode(event_id)
                ));
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Recent executions of `service` on node `i`.
    pub async fn executions(&self, i: usize, service: &str) -> Result<Vec<ExecutionRecord>, String> {
        self.recent_executions(i, service, 50).await
    }

    /// The newest `limit` (at most 1,000) execution records of `service` on node `i`.
    pub async fn recent_executions(&self, i: usize, service: &str, limit: usize) -> Result<Vec<ExecutionRecord>, String> {
        let url = &self.nodes[i].url;
        self.client(url).executions(Some(service), limit).await.map_err(|e| format!("GET {url}/executions?service={service}: {e}"))
    }
}

pub(crate) fn is_stopped(url: &str) -> bool {
    // A stopped node's port no longer answers; check cheaply without async.
    std::net::TcpStream::connect(url.trim_start_matches("http://")).is_err()
}

/// A service squaring what `source`'s trigger contract (on chain `from`) emits and
/// submitting the result to `target`'s handler and manager (on chain `to`).
pub fn square_manifest_at(id: &str, from: &str, source: &TestDeployment, to: &str, target: &TestDeployment) -> Value {
    json!({
        "id": id,
        "components": { "square": { "digest": "" } },
        "workflows": { "main": {
            "trigger": { "chain-event": {
                "chain": from,
                "contract": source.trigger_filter.contract,
                "event": source.trigger_filter.event,
            } },
            "component": "square",
            "submit": { "aggregator": {
                "chain": to,
                "handler": target.handler,
                "manager": target.manager,
            } }
        } }
    })
}
