//! A local AVS: a real chain, the adapter's reference contracts, N operator nodes with
//! quorum M, and an aggregator, all as real processes on loopback.
//!
//! Contracts are deployed and triggers fired through the adapter's `testing` interface,
//! so nothing here knows the chain's encodings.

use crate::chain::LocalChain;
use crate::paths;
use crate::process::{Managed, free_port, port_open};
use serde_json::{Value, json};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};
use wavs_runtime::bindings::adapter_api::{BlockTag, EventFilter};
use wavs_runtime::bindings::testing_api::{TestDeployment, TestOperator};
use wavs_runtime::{AdapterRegistry, ChainAdapter, Limits, Signer, WasmEngine};
use wavs_types::{EnvelopeStatus, TriggerIdentity, derive_event_id};

/// The devnet mnemonic (the local chain's funded dev accounts).
pub const DEV_MNEMONIC: &str = "test test test test test test test test test test test junk";

/// The dev key at `index`.
pub fn dev_key(index: u32) -> Signer {
    Signer::from_mnemonic(DEV_MNEMONIC, &format!("m/44'/60'/0'/0/{index}")).expect("valid dev key")
}

fn dev_key_toml(index: u32) -> String {
    // The harness writes keys into configs, as an operator would.
    let signer_path = format!("m/44'/60'/0'/0/{index}");
    format!("mnemonic = \"{DEV_MNEMONIC}\"\nhd-path = \"{signer_path}\"")
}

/// How big a devnet to start.
#[derive(Debug, Clone)]
pub struct DevnetOptions {
    /// Operator nodes.
    pub operators: usize,
    /// Weight needed (each operator has weight 1).
    pub threshold: u64,
}

impl Default for DevnetOptions {
    fn default() -> Self {
        DevnetOptions { operators: 3, threshold: 2 }
    }
}

/// One operator node process.
pub struct NodeProcess {
    /// The process.
    pub process: Managed,
    /// Its API base URL.
    pub url: String,
    /// Time from process start to the API accepting connections.
    pub ready_in: Duration,
}

/// A fired trigger, located on chain.
#[derive(Debug, Clone)]
pub struct FiredTrigger {
    /// The transaction that fired it.
    pub tx_hash: Vec<u8>,
    /// Height of its block.
    pub height: u64,
    /// Its event index.
    pub index: u32,
    /// When it was fired.
    pub at: Instant,
}

/// A running devnet. Dropping it stops every process it started.
pub struct Devnet {
    /// Logs, configs and data of every process.
    pub dir: tempfile::TempDir,
    /// The chain's name in every config.
    pub chain_name: String,
    /// The local chain.
    pub chain: LocalChain,
    /// The deployer's connection (testing interface).
    pub deployer: ChainAdapter,
    /// Addresses of the reference contracts.
    pub deployment: TestDeployment,
    /// The aggregator process.
    pub aggregator: Managed,
    /// Its API base URL.
    pub aggregator_url: String,
    /// Operator nodes.
    pub nodes: Vec<NodeProcess>,
    http: reqwest::Client,
}

impl Devnet {
    /// Starts everything. `progress` is told each step.
    pub async fn start(opts: DevnetOptions, progress: &dyn Fn(&str)) -> Result<Devnet, String> {
        let adapter_file = paths::guest("adapters/evm.wasm");
        paths::require(&adapter_file, "run scripts/build-guests.sh")?;
        for bin in ["wavs", "wavs-aggregator"] {
            paths::require(&paths::binary(bin), "run cargo build --workspace")?;
        }
        let dir = tempfile::Builder::new().prefix("wavs-devnet-").tempdir().map_err(|e| e.to_string())?;
        let adapters_dir = dir.path().join("adapters");
        std::fs::create_dir_all(&adapters_dir).map_err(|e| e.to_string())?;
        std::fs::copy(&adapter_file, adapters_dir.join("evm.wasm")).map_err(|e| e.to_string())?;

        progress("starting the local chain (anvil)");
        let chain = LocalChain::start_anvil(dir.path()).await?;
        let chain_name = "anvil".to_string();

        progress("loading the EVM adapter and deploying the service contracts");
        let engine = WasmEngine::new(dir.path().join("deployer-cache")).map_err(|e| e.to_string())?;
        let registry = Arc::new(AdapterRegistry::new(engine, &adapters_dir).map_err(|e| e.to_string())?);
        let report = registry.scan().await.map_err(|e| e.to_string())?;
        if let Some((file, reason)) = report.refused.first() {
            return Err(format!("adapter {} refused: {reason}", file.display()));
        }
        let deployer = ChainAdapter::from_spec(registry, &chain_name, &chain.spec, dev_key(0), Limits::ADAPTER_DEFAULT);
        let operators: Vec<TestOperator> = (0..opts.operators)
            .map(|i| TestOperator { public_key: dev_key(2 + i as u32).public_key(), weight: 1 })
            .collect();
        let deployment = deployer.deploy_service(&operators, opts.threshold).await.map_err(|e| format!("deploying contracts: {e}"))?;
        progress(&format!(
            "contracts: manager {}, handler {}, trigger {} ({} operators, threshold {})",
            deployment.manager, deployment.handler, deployment.trigger, opts.operators, opts.threshold
        ));

        progress("starting the aggregator");
        let (aggregator, aggregator_url) = start_aggregator(dir.path(), &adapters_dir, &chain_name, &chain).await?;

        let mut nodes = Vec::new();
        for i in 0..opts.operators {
            progress(&format!("starting operator node {}", i + 1));
            nodes.push(start_node(dir.path(), &adapters_dir, i, &chain_name, &chain, &aggregator_url).await?);
        }
        let http = reqwest::Client::builder().timeout(Duration::from_secs(30)).build().map_err(|e| e.to_string())?;
        Ok(Devnet { dir, chain_name, chain, deployer, deployment, aggregator, aggregator_url, nodes, http })
    }

    /// Stops operator node `i` (SIGKILL).
    pub fn stop_node(&mut self, i: usize) {
        self.nodes[i].process.stop();
    }

    /// A service that squares what the trigger contract emits and submits it.
    pub fn square_manifest(&self, id: &str) -> Value {
        json!({
            "id": id,
            "components": { "square": { "digest": "" } },
            "workflows": { "main": {
                "trigger": { "chain-event": {
                    "chain": self.chain_name,
                    "contract": self.deployment.trigger_filter.contract,
                    "event": self.deployment.trigger_filter.event,
                } },
                "component": "square",
                "submit": { "aggregator": {
                    "chain": self.chain_name,
                    "handler": self.deployment.handler,
                    "manager": self.deployment.manager,
                } }
            } }
        })
    }

    /// Uploads `components` (manifest name, file) to every running node and deploys
    /// the manifest there.
    pub async fn deploy_service(&self, mut manifest: Value, components: &[(&str, PathBuf)]) -> Result<(), String> {
        for node in self.nodes.iter().filter(|n| !is_stopped(n)) {
            for (name, file) in components {
                let bytes = std::fs::read(file).map_err(|e| format!("{}: {e}", file.display()))?;
                let answer = self.post(&format!("{}/components", node.url), reqwest::Body::from(bytes)).await?;
                manifest["components"][name]["digest"] = answer["digest"].clone();
            }
            self.post(&format!("{}/services", node.url), reqwest::Body::from(manifest.to_string())).await?;
        }
        Ok(())
    }

    async fn post(&self, url: &str, body: reqwest::Body) -> Result<Value, String> {
        let response = self.http.post(url).body(body).send().await.map_err(|e| format!("POST {url}: {e}"))?;
        let status = response.status();
        let text = response.text().await.unwrap_or_default();
        if !status.is_success() {
            return Err(format!("POST {url}: {status}: {text}"));
        }
        serde_json::from_str(&text).map_err(|e| format!("POST {url}: {e}: {text}"))
    }

    /// GETs JSON from a URL.
    pub async fn get(&self, url: &str) -> Result<(u16, Value), String> {
        let response = self.http.get(url).send().await.map_err(|e| format!("GET {url}: {e}"))?;
        let status = response.status().as_u16();
        let text = response.text().await.unwrap_or_default();
        Ok((status, serde_json::from_str(&text).unwrap_or(Value::String(text))))
    }

    /// Fires the trigger contract with `payload` and locates the event on chain.
    pub async fn fire_trigger(&self, payload: &[u8]) -> Result<FiredTrigger, String> {
        let before = self.deployer.head(BlockTag::Latest).await.map_err(|e| e.to_string())?.height;
        let at = Instant::now();
        let tx_hash = self.deployer.fire_trigger(&self.deployment.trigger, payload).await.map_err(|e| format!("firing trigger: {e}"))?;
        let after = self.deployer.head(BlockTag::Latest).await.map_err(|e| e.to_string())?.height;
        let filter = [EventFilter::ContractEvent(self.deployment.trigger_filter.clone())];
        let events = self.deployer.events(&filter, before + 1, after).await.map_err(|e| e.to_string())?;
        let event = events
            .into_iter()
            .find(|e| e.position.tx_hash == tx_hash)
            .ok_or_else(|| format!("trigger tx 0x{} emitted no trigger event", hex::encode(&tx_hash)))?;
        Ok(FiredTrigger { tx_hash, height: event.position.height, index: event.position.index, at })
    }

    /// The event id every operator derives for `trigger` in `service`'s `main` workflow.
    pub fn event_id(&self, service: &str, trigger: &FiredTrigger) -> Vec<u8> {
        let identity = TriggerIdentity::ChainEvent {
            chain: &self.chain_name,
            height: trigger.height,
            tx_hash: &trigger.tx_hash,
            index: trigger.index,
        };
        derive_event_id(service, "main", &identity, 0)
    }

    /// The aggregator's status of `event_id`, if it knows it.
    pub async fn aggregator_status(&self, event_id: &[u8]) -> Option<EnvelopeStatus> {
        let url = format!("{}/envelopes/0x{}", self.aggregator_url, hex::encode(event_id));
        match self.get(&url).await {
            Ok((200, body)) => serde_json::from_value(body).ok(),
            _ => None,
        }
    }

    /// The payload the handler contract stored for `event_id`, if any.
    pub async fn handled_payload(&self, event_id: &[u8]) -> Result<Option<Vec<u8>>, String> {
        self.deployer.handled_payload(&self.deployment.handler, event_id).await.map_err(|e| e.to_string())
    }

    /// Waits until the handler holds a payload for `event_id`.
    pub async fn wait_landed(&self, event_id: &[u8], timeout: Duration) -> Result<Vec<u8>, String> {
        let started = Instant::now();
        loop {
            if let Some(payload) = self.handled_payload(event_id).await? {
                return Ok(payload);
            }
            if started.elapsed() > timeout {
                let status = self.aggregator_status(event_id).await;
                return Err(format!(
                    "no result on chain for event 0x{} after {timeout:?}; aggregator says {status:?}",
                    hex::encode(event_id)
                ));
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Recent executions of `service` on node `i`.
    pub async fn executions(&self, i: usize, service: &str) -> Result<Value, String> {
        Ok(self.get(&format!("{}/executions?service={service}", self.nodes[i].url)).await?.1)
    }
}

fn is_stopped(node: &NodeProcess) -> bool {
    // A stopped node's port no longer answers; check cheaply without async.
    std::net::TcpStream::connect(node.url.trim_start_matches("http://")).is_err()
}

fn chain_toml(name: &str, chain: &LocalChain) -> String {
    let urls: Vec<String> = chain.spec.rpc_urls.iter().map(|u| format!("\"{u}\"")).collect();
    format!(
        "[chains.{name}]\nfamily = \"{}\"\nchain-id = \"{}\"\nrpc-urls = [{}]\npoll-interval-ms = 100\n",
        chain.spec.family,
        chain.spec.chain_id,
        urls.join(", ")
    )
}

async fn start_aggregator(dir: &Path, adapters: &Path, chain_name: &str, chain: &LocalChain) -> Result<(Managed, String), String> {
    let port = free_port();
    let config = format!(
        "data-dir = \"{data}\"\nadapters-dir = \"{adapters}\"\napi-addr = \"127.0.0.1:{port}\"\nbatch-interval-ms = 100\n\n[submitter]\n{key}\n\n{chain}",
        data = dir.join("aggregator").display(),
        adapters = adapters.display(),
        key = dev_key_toml(1),
        chain = chain_toml(chain_name, chain),
    );
    let path = dir.join("aggregator.toml");
    std::fs::write(&path, config).map_err(|e| e.to_string())?;
    let mut process = Managed::spawn(
        "aggregator",
        &paths::binary("wavs-aggregator"),
        &["--config", path.to_str().unwrap_or_default()],
        &[("RUST_LOG", "info")],
        dir,
    )?;
    process.wait_until(Duration::from_secs(60), || port_open(port)).await?;
    Ok((process, format!("http://127.0.0.1:{port}")))
}

async fn start_node(
    dir: &Path,
    adapters: &Path,
    i: usize,
    chain_name: &str,
    chain: &LocalChain,
    aggregator_url: &str,
) -> Result<NodeProcess, String> {
    let port = free_port();
    let config = format!(
        "data-dir = \"{data}\"\nadapters-dir = \"{adapters}\"\napi-addr = \"127.0.0.1:{port}\"\naggregator-url = \"{aggregator_url}\"\n\n[operator]\n{key}\n\n{chain}",
        data = dir.join(format!("node{}", i + 1)).display(),
        adapters = adapters.display(),
        key = dev_key_toml(2 + i as u32),
        chain = chain_toml(chain_name, chain),
    );
    let path = dir.join(format!("node{}.toml", i + 1));
    std::fs::write(&path, config).map_err(|e| e.to_string())?;
    let started = Instant::now();
    let mut process = Managed::spawn(
        &format!("node{}", i + 1),
        &paths::binary("wavs"),
        &["node", "--config", path.to_str().unwrap_or_default()],
        &[("RUST_LOG", "info")],
        dir,
    )?;
    process.wait_until(Duration::from_secs(60), || port_open(port)).await?;
    Ok(NodeProcess { process, url: format!("http://127.0.0.1:{port}"), ready_in: started.elapsed() })
}
