//! The node: where its stages are made and joined, and started. Each stage owns its
//! state and sees the others only through the handles given to it here:
//!
//! trigger readers (`reader/`) and cron (`cron.rs`) → scheduler (`scheduler.rs`) →
//! executor (`executor.rs`, signs through `chains.rs`) → sender (`sender.rs`), with the
//! service registry (`services.rs`), the component store (`components.rs`) and the chains
//! beside them, and the API (`api/`) on narrow handles to each.

use crate::chains::{ChainAdder, Chains};
use crate::components::Components;
use crate::deployed::Deployed;
use crate::config::NodeConfig;
use crate::cron::Cron;
use crate::error::{NodeError, Result};
use crate::executions::OutcomeCounts;
use crate::executor::{Executor, ExecutorParts};
use crate::http_rules::OwnServices;
use crate::metrics::NodeMetrics;
use crate::reader::{JobSink, Readers};
use crate::scheduler::Scheduler;
use crate::sender::Sender;
use crate::services::Services;
use crate::store::Store;
use std::sync::Arc;
use std::time::{Duration, Instant};
use wavs_runtime::{AdapterRegistry, ComponentRunner, WasmEngine};

/// How often the adapters directory is rescanned for new or replaced files.
const ADAPTER_RESCAN: Duration = Duration::from_secs(2);

/// A running operator node: its configuration and its stages.
pub struct Node {
    pub(crate) config: NodeConfig,
    pub(crate) store: Arc<Store>,
    pub(crate) registry: Arc<AdapterRegistry>,
    pub(crate) chains: Arc<Chains>,
    pub(crate) chain_adder: Arc<ChainAdder>,
    pub(crate) readers: Arc<Readers>,
    pub(crate) services: Arc<Services>,
    pub(crate) components: Arc<Components>,
    pub(crate) scheduler: Arc<Scheduler>,
    pub(crate) sender: Arc<Sender>,
    pub(crate) cron: Arc<Cron>,
    /// Executions by outcome since start, for `/health`.
    pub(crate) outcomes: Arc<OutcomeCounts>,
    /// Fuel and time histograms and envelope sends, for `/metrics`.
    pub(crate) metrics: Arc<NodeMetrics>,
    pub(crate) own: OwnServices,
    /// The operator's secrets, which components read with `secret`.
    pub(crate) secrets: Arc<crate::secrets::Secrets>,
    /// The managers followed, whose on-chain definitions the node runs.
    pub(crate) follows: Arc<crate::follow::Follows>,
    /// Fetches components (and service definitions) from `http(s)`, `ipfs` and `oci` sources.
    pub(crate) fetcher: Arc<crate::fetch::Fetcher>,
    /// With `[p2p]`: the embedded aggregator and the gossip with other nodes.
    pub(crate) peers: Option<Arc<crate::p2p::Peers>>,
}

impl Node {
    /// Opens the store, loads adapters and services. Does not start loops or the API.
    pub async fn open(config: NodeConfig) -> Result<Arc<Node>> {
        let started = Instant::now();
        let store = Arc::new(Store::open(&config.data_dir)?);
        // Refuses to start while the secrets file is readable by other users.
        let secrets = Arc::new(crate::secrets::Secrets::open(&config.data_dir)?);
        // The instance pool holds every execution that may run at once plus one adapter
        // instance per chain (configured or added later), with room for the short-lived
        // ones `describe()` uses.
        let instances = config.max_concurrent_executions + config.chains.len() + crate::chains::RUNTIME_CHAIN_SLOTS + 16;
        let capacity = wavs_runtime::engine::PoolCapacity { instances: u32::try_from(instances).unwrap_or(u32::MAX) };
        let engine = WasmEngine::with_capacity(crate::components::cache_dir(&config.data_dir), capacity)?;
        // Which restricted hosts components may be granted; the node's own services are
        // added to these rules once its chains are known (`http_rules.rs`).
        let http_rules = wavs_runtime::HttpRules::new(&config.http_allow_private)
            .map_err(|e| NodeError::Invalid(format!("http-allow-private: {e}")))?;
        let runner = Arc::new(ComponentRunner::new(engine.clone())?.with_http_rules(http_rules.clone()));
        let registry = Arc::new(AdapterRegistry::new(engine, &config.adapters_dir)?);
        let report = registry.scan().await?;

        let chains = Arc::new(Chains::open(
            registry.clone(),
            config.operator.clone(),
            config.limits.adapter_limits(),
            config.per_service_keys,
            &config.chains,
            &store,
        )?);
        let own = OwnServices { rules: http_rules.clone(), api_addr: config.api_addr, aggregator_url: config.aggregator_url.clone() };
        own.refresh(chains.rpc_urls().iter().map(|(n, urls)| (n.clone(), urls.as_slice())));

        let deployed = Deployed::default();
        let (outcomes, metrics) = (Arc::new(OutcomeCounts::default()), Arc::new(NodeMetrics::default()));
        // With `[p2p]` the node aggregates itself: its sender posts to the embedded
        // aggregator and publishes to the peers.
        let (peers, aggregator_url) = match &config.p2p {
            Some(p2p) => {
                let (peers, url) = crate::p2p::Peers::start(p2p, &config.data_dir).await?;
                (Some(peers), Some(url))
            }
            None => (None, config.aggregator_url.clone()),
        };
        let sender = Sender::new(store.clone(), aggregator_url, metrics.clone())?;
        if let Some(peers) = &peers {
            sender.share_with(peers.clone());
        }
        let executor = Arc::new(Executor::new(ExecutorParts {
            store: store.clone(),
            runner: runner.clone(),
            kv: store.clone(),
            services: deployed.clone(),
            targets: chains.clone(),
            block_times: chains.clone(),
            limits: config.limits.clone(),
            max_concurrent: config.max_concurrent_executions,
            outcomes: outcomes.clone(),
            metrics: metrics.clone(),
            sender: sender.clone(),
            secrets: secrets.clone(),
        }));
        let scheduler = Arc::new(Scheduler::new(store.clone(), executor)?);
        // The readers see followed managers' URI changes; following acts on them.
        let follow_rounds = Arc::new(crate::follow_rounds::FollowRounds::default());
        let readers = Arc::new(Readers {
            store: store.clone(),
            deployed: deployed.clone(),
            status: Default::default(),
            jobs: scheduler.clone() as Arc<dyn JobSink>,
            follow_rounds: follow_rounds.clone(),
        });
        let chain_adder = Arc::new(ChainAdder { chains: chains.clone(), store: store.clone(), own: own.clone(), readers: readers.clone() });
        let components = Arc::new(Components::new(
            store.clone(),
            runner,
            deployed.clone(),
            config.storage.clone(),
            &config.data_dir,
            config.max_concurrent_compiles,
        ));
        let cron = Arc::new(Cron::new(store.clone(), config.cron_catch_up));
        let services = Arc::new(Services {
            store: store.clone(),
            deployed,
            chains: chains.clone(),
            components: components.clone(),
            cron: cron.clone(),
            scheduler: scheduler.clone(),
            limits: config.limits.clone(),
            http_rules,
            secrets: secrets.clone(),
        });
        services.load_stored()?;
        tracing::info!(
            adapters = report.loaded.len(),
            refused = report.refused.len(),
            services = services.list().len(),
            startup_ms = started.elapsed().as_millis() as u64,
            "node opened"
        );
        let fetcher = Arc::new(crate::fetch::Fetcher::new(&config.sources, own.rules.clone()));
        let world = crate::follow::NodeWorld {
            chains: chains.clone(),
            services: services.clone(),
            fetcher: fetcher.clone(),
        };
        let follows = Arc::new(crate::follow::Follows::new(store.clone(), Arc::new(world), follow_rounds));
        Ok(Arc::new(Node {
            config,
            store,
            registry,
            chains,
            chain_adder,
            readers,
            services,
            components,
            scheduler,
            sender,
            cron,
            outcomes,
            metrics,
            own,
            secrets,
            follows,
            fetcher,
            peers,
        }))
    }

    /// Starts the adapter watcher, the scheduler and the sender (which first resume what
    /// a crash interrupted), the sweep of unused components, the cron stage and one
    /// trigger reader per chain.
    pub fn start_loops(&self) {
        tokio::spawn(self.scheduler.clone().run());
        tokio::spawn(self.sender.clone().run());
        tokio::spawn(self.components.clone().sweep_loop());
        tokio::spawn(self.cron.clone().run(self.services.deployed.clone(), self.scheduler.clone()));
        tokio::spawn(self.follows.clone().run());
        if let Some(peers) = &self.peers {
            tokio::spawn(peers.clone().discover(self.chains.clone() as Arc<dyn crate::p2p::PeerLists>));
        }
        let registry = self.registry.clone();
        tokio::spawn(async move {
            loop {
                tokio::time::sleep(ADAPTER_RESCAN).await;
                if let Err(e) = registry.scan().await {
                    tracing::warn!("cannot scan adapters directory: {e}");
                }
            }
        });
        for (name, chain) in self.chains.all() {
            self.readers.start(&name, chain.spec.clone(), chain.adapter.clone());
        }
    }

    /// Each chain's public key (SEC1 compressed) and where the key came from.
    pub fn chain_keys(&self) -> Vec<(String, Vec<u8>, String)> {
        self.chains.keys()
    }

    /// The service registry (deploy, remove, pause, resume).
    pub fn services(&self) -> &Arc<Services> {
        &self.services
    }

    /// The component store (uploads, compiles, caps, sweep).
    pub fn components(&self) -> &Arc<Components> {
        &self.components
    }

    /// Records the address the API actually listens on, so no component reaches it.
    pub fn note_api_addr(&self, bound: std::net::SocketAddr) {
        self.own.note_api_addr(bound);
    }

    /// Fetches bytes named by a source URI under the operator's `[sources]` settings
    /// ([`Fetcher::fetch_bytes`](crate::fetch::Fetcher::fetch_bytes)).
    pub fn fetcher(&self) -> &Arc<crate::fetch::Fetcher> {
        &self.fetcher
    }

    /// With `[p2p]`: the embedded aggregator and the gossip with other nodes.
    pub fn peers(&self) -> Option<&Arc<crate::p2p::Peers>> {
        self.peers.as_ref()
    }

    /// The node's configuration.
    pub fn config(&self) -> &NodeConfig {
        &self.config
    }
}
