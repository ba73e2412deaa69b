//! A local AVS: real chains, each adapter's reference contracts, N operator nodes with
//! quorum M, and an aggregator, all as real processes on loopback.
//!
//! Contracts are deployed and triggers fired through each adapter's `testing`
//! interface, so nothing here knows a chain's encodings.

use crate::chain::LocalChain;
use crate::keys::dev_key;
use crate::launch::{NodeProcess, chains_toml, start_aggregator, start_node};
use crate::paths;
use crate::process::Managed;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;
use wavs_runtime::bindings::testing_api::{TestDeployment, TestOperator};
use wavs_runtime::{AdapterRegistry, ChainAdapter, Limits, WasmEngine};

/// A kind of local chain the devnet can run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChainKind {
    /// anvil (EVM), served by `evm.wasm`.
    Anvil,
    /// wasmd (Cosmos SDK + CosmWasm), served by `cosmos.wasm`.
    Wasmd,
}

impl ChainKind {
    /// The chain's name in every config.
    pub fn name(self) -> &'static str {
        match self {
            ChainKind::Anvil => "anvil",
            ChainKind::Wasmd => "wasmd",
        }
    }

    fn adapter_file(self) -> &'static str {
        match self {
            ChainKind::Anvil => "evm.wasm",
            ChainKind::Wasmd => "cosmos.wasm",
        }
    }

    async fn start(self, dir: &Path) -> Result<LocalChain, String> {
        match self {
            ChainKind::Anvil => LocalChain::start_anvil(dir).await,
            ChainKind::Wasmd => LocalChain::start_wasmd(dir).await,
        }
    }
}

/// How big a devnet to start, on which chains.
#[derive(Debug, Clone)]
pub struct DevnetOptions {
    /// Operator nodes.
    pub operators: usize,
    /// Weight needed (each operator has weight 1).
    pub threshold: u64,
    /// The chains; the first is the default for single-chain helpers.
    pub chains: Vec<ChainKind>,
}

impl Default for DevnetOptions {
    fn default() -> Self {
        DevnetOptions { operators: 3, threshold: 2, chains: vec![ChainKind::Anvil] }
    }
}

/// One chain of the devnet with its deployed reference contracts.
pub struct DevChain {
    /// Its name in every config.
    pub name: String,
    /// The chain process and spec.
    pub chain: LocalChain,
    /// The deployer's connection (testing interface, dev key 0).
    pub deployer: ChainAdapter,
    /// Addresses of the reference contracts.
    pub deployment: TestDeployment,
}

/// Copies the adapters `kinds` need into `<dir>/adapters` and loads them there, as a
/// node would. Returns the registry and the directory.
pub async fn load_adapters(dir: &Path, kinds: &[ChainKind]) -> Result<(Arc<AdapterRegistry>, PathBuf), String> {
    let adapters_dir = dir.join("adapters");
    std::fs::create_dir_all(&adapters_dir).map_err(|e| e.to_string())?;
    for kind in kinds {
        let file = paths::guest(&format!("adapters/{}", kind.adapter_file()));
        paths::require(&file, "run scripts/build-guests.sh")?;
        std::fs::copy(&file, adapters_dir.join(kind.adapter_file())).map_err(|e| e.to_string())?;
    }
    let engine = WasmEngine::new(dir.join("deployer-cache")).map_err(|e| e.to_string())?;
    let registry = Arc::new(AdapterRegistry::new(engine, &adapters_dir).map_err(|e| e.to_string())?);
    let report = registry.scan().await.map_err(|e| e.to_string())?;
    if let Some((file, reason)) = report.refused.first() {
        return Err(format!("adapter {} refused: {reason}", file.display()));
    }
    Ok((registry, adapters_dir))
}

/// A running devnet. Dropping it stops every process it started.
pub struct Devnet {
    /// Logs, configs and data of every process.
    pub dir: tempfile::TempDir,
    /// The chains, in the order the options named them.
    pub chains: Vec<DevChain>,
    /// The aggregator process.
    pub aggregator: Managed,
    /// Its API base URL.
    pub aggregator_url: String,
    /// Operator nodes.
    pub nodes: Vec<NodeProcess>,
    pub(crate) http: reqwest::Client,
}

impl Devnet {
    /// Starts everything. `progress` is told each step.
    pub async fn start(opts: DevnetOptions, progress: &dyn Fn(&str)) -> Result<Devnet, String> {
        for bin in ["wavs", "wavs-aggregator"] {
            paths::require(&paths::binary(bin), "run cargo build --workspace")?;
        }
        let dir = tempfile::Builder::new().prefix("wavs-devnet-").tempdir().map_err(|e| e.to_string())?;
        let (registry, adapters_dir) = load_adapters(dir.path(), &opts.chains).await?;
        let operators: Vec<TestOperator> = (0..opts.operators)
            .map(|i| TestOperator { public_key: dev_key(2 + i as u32).public_key(), weight: 1 })
            .collect();

        let mut chains = Vec::new();
        for kind in &opts.chains {
            let name = kind.name().to_string();
            progress(&format!("starting the local chain {name}"));
            let chain = kind.start(dir.path()).await?;
            progress(&format!("deploying the service contracts on {name} through {}", kind.adapter_file()));
            let deployer = ChainAdapter::from_spec(registry.clone(), &name, &chain.spec, dev_key(0), Limits::ADAPTER_DEFAULT);
            let deployment = deployer
                .deploy_service(&operators, opts.threshold)
                .await
                .map_err(|e| format!("deploying contracts on {name}: {e}"))?;
            progress(&format!(
                "{name}: manager {}, handler {}, trigger {} ({} operators, threshold {})",
                deployment.manager, deployment.handler, deployment.trigger, opts.operators, opts.threshold
            ));
            chains.push(DevChain { name, chain, deployer, deployment });
        }
        let named: Vec<(&str, &LocalChain)> = chains.iter().map(|c| (c.name.as_str(), &c.chain)).collect();
        let chains_config = chains_toml(&named);

        progress("starting the aggregator");
        let (aggregator, aggregator_url) = start_aggregator(dir.path(), &adapters_dir, &chains_config).await?;
        let mut nodes = Vec::new();
        for i in 0..opts.operators {
            progress(&format!("starting operator node {}", i + 1));
            nodes.push(start_node(dir.path(), &adapters_dir, i, &chains_config, &aggregator_url).await?);
        }
        let http = reqwest::Client::builder().timeout(Duration::from_secs(30)).build().map_err(|e| e.to_string())?;
        Ok(Devnet { dir, chains, aggregator, aggregator_url, nodes, http })
    }

    /// The chain named `name`.
    pub fn chain(&self, name: &str) -> Result<&DevChain, String> {
        self.chains.iter().find(|c| c.name == name).ok_or_else(|| format!("the devnet runs no chain {name}"))
    }

    /// The first chain (single-chain devnets).
    pub fn primary(&self) -> &DevChain {
        &self.chains[0]
    }

    /// Stops operator node `i` (SIGKILL).
    pub fn stop_node(&mut self, i: usize) {
        self.nodes[i].process.stop();
    }

    /// Starts operator node `i` again after [`Devnet::stop_node`]: same config file,
    /// data dir and port. Each run logs to a file of its own (`node<i>-run<n>.log`).
    pub async fn restart_node(&mut self, i: usize) -> Result<(), String> {
        let config = self.dir.path().join(format!("node{}.toml", i + 1));
        paths::require(&config, "the devnet writes it when it starts the node")?;
        let url = self.nodes[i].url.clone();
        let port: u16 = url.rsplit(':').next().and_then(|p| p.parse().ok()).ok_or_else(|| format!("no port in {url}"))?;
        let n = (2..).find(|n| !self.dir.path().join(format!("node{}-run{n}.log", i + 1)).exists()).unwrap_or(2);
        let args = ["node", "--config", config.to_str().unwrap_or_default()];
        let name = format!("node{}-run{n}", i + 1);
        let started = std::time::Instant::now();
        let mut process = Managed::spawn(&name, &paths::binary("wavs"), &args, &[("RUST_LOG", "info")], self.dir.path())?;
        process.wait_until(Duration::from_secs(60), || crate::process::port_open(port)).await?;
        self.nodes[i] = NodeProcess { process, url, ready_in: started.elapsed() };
        Ok(())
    }

    /// Stops operator node `i` and starts in its place (same key) a node of its own under
    /// `<dir>/<name>`, serving the primary chain plus `extra_config` (more TOML), whose
    /// adapters directory holds just `adapter_files`. Returns its URL and that directory.
    pub async fn replace_node(
        &mut self,
        i: usize,
        name: &str,
        adapter_files: &[(&str, PathBuf)],
        extra_config: &str,
    ) -> Result<(String, PathBuf), String> {
        self.stop_node(i);
        let base = self.dir.path().join(name);
        let adapters = base.join("adapters");
        std::fs::create_dir_all(&adapters).map_err(|e| e.to_string())?;
        for (file, source) in adapter_files {
            std::fs::copy(source, adapters.join(file)).map_err(|e| format!("{}: {e}", source.display()))?;
        }
        let primary = self.primary();
        let config = chains_toml(&[(primary.name.as_str(), &primary.chain)]) + extra_config;
        let node = start_node(&base, &adapters, i, &config, &self.aggregator_url).await?;
        let url = node.url.clone();
        self.nodes.push(node);
        Ok((url, adapters))
    }
}
