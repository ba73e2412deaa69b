//! The node: its parts, and start-up. Triggers enter in `reader.rs`; results
//! leave in `dispatcher.rs`.

use crate::config::NodeConfig;
use crate::error::Result;
use crate::executions::OutcomeCounts;
use crate::store::Store;
use parking_lot::RwLock;
use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::{Duration, Instant};
use crate::chains::Chains;
use wavs_runtime::{AdapterRegistry, ComponentRunner, WasmEngine};
use wavs_types::ServiceManifest;

/// How often the adapters directory is rescanned for new or replaced files.
const ADAPTER_RESCAN: Duration = Duration::from_secs(2);

/// A running operator node.
pub struct Node {
    pub(crate) config: NodeConfig,
    pub(crate) store: Arc<Store>,
    pub(crate) runner: Arc<ComponentRunner>,
    pub(crate) registry: Arc<AdapterRegistry>,
    pub(crate) chains: Chains,
    pub(crate) services: crate::components::Deployed,
    /// Paused services and since when (unix ms): their jobs wait, their tasks are refused.
    pub(crate) paused: RwLock<BTreeMap<String, u64>>,
    /// The components' key-value store (namespaced per service by the dispatcher).
    pub(crate) kv: Arc<dyn wavs_runtime::KvBackend>,
    /// Fuel and time histograms and envelope sends, for `/metrics`.
    pub(crate) metrics: crate::api::metrics::NodeMetrics,
    /// Executions by outcome since start, for `/health`.
    pub(crate) outcomes: OutcomeCounts,
    /// Jobs being run now, so no job runs twice at once.
    pub(crate) running: parking_lot::Mutex<std::collections::HashSet<u64>>,
    /// Event ids being sent now, so no envelope is sent twice at once.
    pub(crate) sending: parking_lot::Mutex<std::collections::HashSet<Vec<u8>>>,
    pub(crate) chain_status: crate::reader::ChainStatuses,
    pub(crate) http: reqwest::Client,
    pub(crate) permits: tokio::sync::Semaphore,
    /// Stored components: uploads, compiles, caps and sweep (`components.rs`).
    pub(crate) components: Arc<crate::components::Components>,
    /// Cron workflows' parsed schedules and cursors (`cron.rs`).
    pub(crate) cron: Arc<crate::cron::Cron>,
}

impl Node {
    /// Opens the store, loads adapters and services. Does not start loops or the API.
    pub async fn open(config: NodeConfig) -> Result<Arc<Node>> {
        let started = Instant::now();
        let store = Arc::new(Store::open(&config.data_dir)?);
        // The instance pool holds every execution that may run at once plus one adapter
        // instance per chain (configured or added later), with room for the short-lived
        // ones `describe()` uses.
        let instances = config.max_concurrent_executions + config.chains.len() + crate::chains::RUNTIME_CHAIN_SLOTS + 16;
        let capacity = wavs_runtime::engine::PoolCapacity { instances: u32::try_from(instances).unwrap_or(u32::MAX) };
        let engine = WasmEngine::with_capacity(crate::components::cache_dir(&config.data_dir), capacity)?;
        // Which restricted hosts components may be granted; the node's own services are
        // added to these rules once its chains are known (`http_rules.rs`).
        let http_rules = wavs_runtime::HttpRules::new(&config.http_allow_private)
            .map_err(|e| crate::error::NodeError::Invalid(format!("http-allow-private: {e}")))?;
        let runner = Arc::new(ComponentRunner::new(engine.clone())?.with_http_rules(http_rules));
        let registry = Arc::new(AdapterRegistry::new(engine, &config.adapters_dir)?);
        let report = registry.scan().await?;
        let cron = Arc::new(crate::cron::Cron::new(store.clone(), config.cron_catch_up));
        let services = crate::components::Deployed::default();
        let components = Arc::new(crate::components::Components::new(
            store.clone(),
            runner.clone(),
            services.clone(),
            config.storage.clone(),
            &config.data_dir,
            config.max_concurrent_compiles,
        ));
        let node = Arc::new(Node {
            permits: tokio::sync::Semaphore::new(config.max_concurrent_executions.max(1)),
            config,
            store: store.clone(),
            runner,
            registry,
            chains: Chains::default(),
            services,
            paused: RwLock::new(store.paused_services()?),
            kv: store,
            metrics: Default::default(),
            outcomes: OutcomeCounts::default(),
            running: Default::default(),
            sending: Default::default(),
            chain_status: Default::default(),
            http: reqwest::Client::builder().timeout(Duration::from_secs(10)).build().map_err(|e| {
                crate::error::NodeError::Invalid(format!("http client: {e}"))
            })?,
            components,
            cron,
        });
        for (name, spec) in &node.config.chains {
            node.chains.insert(name.clone(), node.chain_from_spec(name, spec.clone(), false)?);
        }
        for (name, spec) in node.store.added_chains()? {
            if node.chains.contains(&name) {
                tracing::warn!(chain = %name, "a chain added through the API is now in the configuration file too; the file's settings apply");
                continue;
            }
            node.chains.insert(name.clone(), node.chain_from_spec(&name, spec, true)?);
        }
        node.refresh_own_services();
        for manifest in node.store.services()? {
            let id = manifest.id.clone();
            node.warn_refused_grants(&manifest);
            if let Err(e) = manifest.components.values().try_for_each(|c| node.ensure_component(&c.digest)) {
                tracing::error!(service = %id, "stored service cannot load, skipped: {e}");
                continue;
            }
            node.services.write().insert(id, Arc::new(manifest));
        }
        tracing::info!(
            adapters = report.loaded.len(),
            refused = report.refused.len(),
            services = node.services.read().len(),
            startup_ms = started.elapsed().as_millis() as u64,
            "node opened"
        );
        Ok(node)
    }

    /// Starts the adapter watcher, the job and outbox loops (which first resume what a
    /// crash interrupted), the sweep of unused components, the cron loop and one trigger
    /// loop per chain.
    pub fn start_loops(self: &Arc<Self>) {
        tokio::spawn(self.clone().job_loop());
        tokio::spawn(self.clone().outbox_loop());
        tokio::spawn(self.components.clone().sweep_loop());
        tokio::spawn(self.cron.clone().run(self.services.clone(), self.clone()));
        let node = self.clone();
        tokio::spawn(async move {
            loop {
                tokio::time::sleep(ADAPTER_RESCAN).await;
                if let Err(e) = node.registry.scan().await {
                    tracing::warn!("cannot scan adapters directory: {e}");
                }
            }
        });
        for (name, _) in self.chains.all() {
            self.spawn_reader(&name);
        }
    }

    /// Each chain's public key (SEC1 compressed) and where the key came from.
    pub fn chain_keys(&self) -> Vec<(String, Vec<u8>, String)> {
        self.chains.all().into_iter().map(|(name, c)| (name, c.key.signer.public_key(), c.key.source.clone())).collect()
    }

    /// Deployed services.
    pub fn services(&self) -> Vec<Arc<ServiceManifest>> {
        self.services.read().values().cloned().collect()
    }

    /// Per-chain status.
    pub fn chain_status(&self) -> BTreeMap<String, crate::reader::ChainStatus> {
        let mut status = self.chain_status.read().clone();
        for (name, chain) in self.chains.all() {
            let entry = status.entry(name).or_default();
            entry.adapter_restarts = chain.adapter.restarts();
            if !chain.adapter.has_adapter() {
                entry.state = wavs_types::ChainState::WaitingForAdapter;
            }
        }
        status
    }

    /// Starts chain `name`'s trigger reader.
    pub(crate) fn spawn_reader(self: &Arc<Self>, name: &str) {
        let Some(served) = self.chains.get(name) else {
            tracing::error!(chain = %name, "no such chain; its trigger reader does not start");
            return;
        };
        let reader = crate::reader::TriggerReader {
            name: name.to_string(),
            spec: served.spec.clone(),
            chain: served.adapter.clone(),
            store: self.store.clone(),
            deployed: self.services.clone(),
            status: self.chain_status.clone(),
            jobs: self.clone(),
        };
        tokio::spawn(reader.run());
    }
}

/// Where the trigger readers' and the cron stage's jobs go.
impl crate::reader::JobSink for Node {
    fn schedule(self: Arc<Self>, pending: crate::store::PendingJob) {
        Node::schedule(&self, pending);
    }

    fn retry_postponed(self: Arc<Self>) {
        self.retry_postponed_jobs();
    }
}

impl Node {
    /// The component store (uploads, compiles, caps, sweep).
    pub fn components(&self) -> &Arc<crate::components::Components> {
        &self.components
    }
}
