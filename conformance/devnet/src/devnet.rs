//! A local AVS: real chains, each adapter's reference contracts, N operator nodes with
//! quorum M, and an aggregator, all as real processes on loopback.
//!
//! Contracts are deployed and triggers fired through each adapter's `testing`
//! interface, so nothing here knows a chain's encodings.

use crate::chain::LocalChain;
use crate::keys::{dev_key, operator_chain_key};
use crate::launch::{NodeProcess, Target, chains_toml, node_chain_keys, spawn_node, start_aggregator, start_node, write_node_config_with};
use crate::process::free_port;
use crate::paths;
use crate::process::Managed;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;
use wavs_runtime::bindings::testing_api::{TestDeployment, TestOperator};
use wavs_types::Scheme;
use wavs_runtime::{AdapterRegistry, AdapterSigner, ChainAdapter, Limits, Signer, WasmEngine};

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
    /// The scheme every chain's service manager verifies (its adapter must serve it).
    pub scheme: Scheme,
    /// Names of chains a test adds while the devnet runs (`POST /chains`): the
    /// aggregator's configuration holds a funded submitting key for each from the start
    /// (`[submitter.chains.NAME]`), as an operator who plans to add a chain prepares it.
    pub later_chains: Vec<String>,
    /// TOML appended to every node's configuration (a `[sources]` section, say).
    pub node_config: String,
    /// Set: no aggregator process; every node aggregates itself over p2p (`[p2p]`),
    /// each operator in line for an envelope waiting this many ms after the one before.
    pub p2p_fallback_delay_ms: Option<u64>,
    /// With p2p: no node lists any peer in its configuration; they find each other from
    /// the chain once each operator announces its node there ([`Devnet::operator_announces`]).
    pub p2p_peers_from_chain: bool,
    /// Nodes sign each service with a key of its own (`per-service-keys`): each service
    /// then needs contracts of its own ([`Devnet::deploy_service_contracts`]). Off, every
    /// service signs with the chain's key and the chain's one deployment serves them all.
    pub per_service_keys: bool,
}

impl Default for DevnetOptions {
    fn default() -> Self {
        DevnetOptions {
            operators: 3,
            threshold: 2,
            chains: vec![ChainKind::Anvil],
            scheme: Scheme::Secp256k1Ecdsa,
            later_chains: vec![],
            node_config: String::new(),
            per_service_keys: false,
            p2p_fallback_delay_ms: None,
            p2p_peers_from_chain: false,
        }
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

impl DevChain {
    /// Operator `i`'s key on this chain: what its node signs this chain's envelopes with.
    pub fn operator_key(&self, i: usize) -> Signer {
        operator_chain_key(i, &self.chain.spec.family, &self.chain.spec.chain_id)
    }

    /// The digest operators sign for `envelope` to be handled by this chain's handler.
    pub async fn digest(&self, envelope: &wavs_types::WireEnvelope) -> Result<Vec<u8>, String> {
        self.deployer.envelope_digest(&self.deployment.handler, &envelope.into()).await.map_err(|e| e.to_string())
    }

    /// `signer`'s signature over this chain's digest of `signed`, attached to `sent`, for
    /// workflow `main` of `service`: what a node posts (tests make `sent` and `signed`
    /// differ, or sign with a stranger's key, to forge one).
    pub async fn submission(
        &self,
        service: &str,
        sent: wavs_types::WireEnvelope,
        signed: &wavs_types::WireEnvelope,
        signer: &Signer,
    ) -> Result<wavs_types::SignedSubmission, String> {
        let digest = self.digest(signed).await?;
        Ok(wavs_types::SignedSubmission {
            service_id: service.into(),
            workflow_id: "main".into(),
            chain: self.name.clone(),
            handler: self.deployment.handler.clone(),
            manager: self.deployment.manager.clone(),
            envelope: sent,
            signature: signer.sign_digest(&digest).map_err(|e| e.to_string())?,
            scheme: Default::default(),
            public_key: vec![],
        })
    }
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

/// Operator node `i`'s own adapters directory under the devnet's `dir`.
pub fn node_adapters_dir(dir: &Path, i: usize) -> PathBuf {
    dir.join(format!("node{}-adapters", i + 1))
}

/// Copies every file of the adapters directory `from` into `to`, as an operator installs
/// the adapters it chose.
fn copy_adapters(from: &Path, to: &Path) -> Result<(), String> {
    std::fs::create_dir_all(to).map_err(|e| format!("{}: {e}", to.display()))?;
    for entry in std::fs::read_dir(from).map_err(|e| format!("{}: {e}", from.display()))? {
        let path = entry.map_err(|e| e.to_string())?.path();
        if let Some(name) = path.file_name() {
            std::fs::copy(&path, to.join(name)).map_err(|e| format!("{}: {e}", path.display()))?;
        }
    }
    Ok(())
}

/// A running devnet. Dropping it stops every process it started.
pub struct Devnet {
    /// Logs, configs and data of every process.
    pub dir: tempfile::TempDir,
    /// The chains, in the order the options named them.
    pub chains: Vec<DevChain>,
    /// The aggregator process; none when the nodes aggregate over p2p.
    pub aggregator: Option<Managed>,
    /// Its API base URL; with p2p, node 1's embedded aggregator's.
    pub aggregator_url: String,
    /// Operator nodes.
    pub nodes: Vec<NodeProcess>,
    /// Each node's gossip multiaddr when they aggregate over p2p; empty otherwise.
    pub gossip_addrs: Vec<String>,
    /// Each node's embedded aggregator API when they aggregate over p2p; empty otherwise.
    pub embedded_aggregators: Vec<String>,
    /// The scheme and threshold of every manager the devnet deploys.
    pub(crate) scheme: Scheme,
    pub(crate) threshold: u64,
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

        let mut started = Vec::new();
        for kind in &opts.chains {
            progress(&format!("starting the local chain {}", kind.name()));
            started.push((*kind, kind.start(dir.path()).await?));
        }
        let named: Vec<(&str, &LocalChain)> = started.iter().map(|(k, c)| (k.name(), c)).collect();
        let chains_config = chains_toml(&named);
        let aggregator_port = free_port();
        let mut aggregator_url = format!("http://127.0.0.1:{aggregator_port}");
        if opts.p2p_fallback_delay_ms.is_some() && opts.operators > crate::p2p::MAX_P2P_NODES {
            return Err(format!("a p2p devnet funds at most {} nodes", crate::p2p::MAX_P2P_NODES));
        }
        let ports = crate::p2p::P2pPorts {
            gossip: (0..opts.operators).map(|_| free_port()).collect(),
            aggregator: (0..opts.operators).map(|_| free_port()).collect(),
        };
        // Each node signs with a key of its own per chain; `wavs keys` lists them, and
        // those are what each chain's service manager registers.
        let mut node_configs = Vec::new();
        let mut node_keys = Vec::new();
        for i in 0..opts.operators {
            // Operators share nothing but the chains (and the aggregator, or with p2p the peer network): each
            // has its own config file, data dir and adapters directory.
            let own_adapters = node_adapters_dir(dir.path(), i);
            copy_adapters(&adapters_dir, &own_adapters)?;
            let config = write_node_config_with(dir.path(), &own_adapters, i, &chains_config, &aggregator_url, opts.per_service_keys)?;
            if !opts.node_config.is_empty() {
                let written = std::fs::read_to_string(&config.path).map_err(|e| e.to_string())?;
                std::fs::write(&config.path, format!("{written}\n{}\n", opts.node_config)).map_err(|e| e.to_string())?;
            }
            node_keys.push(node_chain_keys(&config.path, opts.scheme).await?);
            node_configs.push(config);
        }

        let mut chains = Vec::new();
        for (kind, chain) in started {
            let name = kind.name().to_string();
            let operators = node_keys
                .iter()
                .map(|keys| {
                    let (public_key, proof) = keys.get(&name).cloned().ok_or_else(|| format!("wavs keys listed no key for chain {name}"))?;
                    Ok(TestOperator { public_key, proof, weight: 1 })
                })
                .collect::<Result<Vec<_>, String>>()?;
            progress(&format!("deploying the service contracts on {name} through {}", kind.adapter_file()));
            let deployer = ChainAdapter::from_spec(registry.clone(), &name, &chain.spec, AdapterSigner::Submitting(dev_key(0)), Limits::ADAPTER_DEFAULT);
            let deployment = deployer
                .deploy_service(opts.scheme.into(), &operators, opts.threshold)
                .await
                .map_err(|e| format!("deploying contracts on {name}: {e}"))?;
            progress(&format!(
                "{name}: manager {}, handler {}, trigger {} ({} operators, threshold {}, {})",
                deployment.manager, deployment.handler, deployment.trigger, opts.operators, opts.threshold, opts.scheme
            ));
            chains.push(DevChain { name, chain, deployer, deployment });
        }

        let names: Vec<&str> = chains.iter().map(|c| c.name.as_str()).chain(opts.later_chains.iter().map(String::as_str)).collect();
        let targets: Vec<Target<'_>> = chains
            .iter()
            .map(|c| Target { chain: &c.name, manager: &c.deployment.manager, handler: &c.deployment.handler })
            .collect();
        let aggregator = match opts.p2p_fallback_delay_ms {
            Some(delay) => {
                progress("no aggregator process: every node aggregates itself over p2p and submits in turn");
                for config in &node_configs {
                    let section = crate::p2p::p2p_section(config.index, &ports, dir.path(), &adapters_dir, &chains_config, &targets, delay, !opts.p2p_peers_from_chain);
                    let written = std::fs::read_to_string(&config.path).map_err(|e| e.to_string())?;
                    let written = written.replace(&format!("aggregator-url = \"{aggregator_url}\"\n"), "");
                    std::fs::write(&config.path, format!("{written}\n{section}")).map_err(|e| e.to_string())?;
                }
                aggregator_url = format!("http://127.0.0.1:{}", ports.aggregator[0]);
                None
            }
            None => {
                progress("starting the aggregator (it serves only the targets just deployed)");
                let (process, url) = start_aggregator(dir.path(), &adapters_dir, aggregator_port, &chains_config, &names, &targets).await?;
                aggregator_url = url;
                Some(process)
            }
        };
        progress("the nodes' APIs are opened with api-token = \"none\" (devnet only: tests and the demo post to them without a token; a real node generates one)");
        let mut nodes = Vec::new();
        for config in &node_configs {
            progress(&format!("starting operator node {}", config.index + 1));
            nodes.push(spawn_node(dir.path(), config).await?);
        }
        let http = reqwest::Client::builder().timeout(Duration::from_secs(30)).build().map_err(|e| e.to_string())?;
        let (gossip_addrs, embedded_aggregators) = match opts.p2p_fallback_delay_ms {
            Some(_) => (
                ports.gossip.iter().map(|p| format!("/ip4/127.0.0.1/tcp/{p}")).collect(),
                ports.aggregator.iter().map(|p| format!("http://127.0.0.1:{p}")).collect(),
            ),
            None => (Vec::new(), Vec::new()),
        };
        Ok(Devnet {
            dir,
            chains,
            aggregator,
            aggregator_url,
            nodes,
            gossip_addrs,
            embedded_aggregators,
            scheme: opts.scheme,
            threshold: opts.threshold,
            http,
        })
    }

    /// The chain named `name`.
    pub fn chain(&self, name: &str) -> Result<&DevChain, String> {
        self.chains.iter().find(|c| c.name == name).ok_or_else(|| format!("the devnet runs no chain {name}"))
    }

    /// Operator node `i`'s own adapters directory (the aggregator's is `<dir>/adapters`).
    pub fn adapters_dir(&self, i: usize) -> PathBuf {
        node_adapters_dir(self.dir.path(), i)
    }

    /// Operator node `i`'s config file, what its operator passes to `wavs --config`.
    pub fn node_config(&self, i: usize) -> PathBuf {
        self.dir.path().join(format!("node{}.toml", i + 1))
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
        let config = self.node_config(i);
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
