//! Writing configs for, and starting, the devnet's aggregator and operator nodes.

use crate::chain::LocalChain;
use crate::keys::{dev_key_toml, submitter_toml};
use crate::paths;
use crate::process::{Managed, free_port, port_open};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};
use wavs_types::Scheme;
use wavs_types::node_api::OperatorAnswer;

/// One operator node process.
pub struct NodeProcess {
    /// The process.
    pub process: Managed,
    /// Its API base URL.
    pub url: String,
    /// Time from process start to the API accepting connections.
    pub ready_in: Duration,
}

/// The `[chains.<name>]` sections for every chain.
pub fn chains_toml(chains: &[(&str, &LocalChain)]) -> String {
    let mut out = String::new();
    for (name, chain) in chains {
        let spec = &chain.spec;
        let urls: Vec<String> = spec.rpc_urls.iter().map(|u| format!("\"{u}\"")).collect();
        out += &format!(
            "[chains.{name}]\nfamily = \"{}\"\nchain-id = \"{}\"\nrpc-urls = [{}]\npoll-interval-ms = {}\nconfirmations = {}\n",
            spec.family,
            spec.chain_id,
            urls.join(", "),
            spec.poll_interval_ms,
            spec.confirmations
        );
        if !spec.finality.is_latest() {
            out += &format!("finality = {}\n", serde_json::to_string(&spec.finality).unwrap_or_default());
        }
        if !spec.options.is_empty() {
            out += &format!("\n[chains.{name}.options]\n");
            for (key, value) in &spec.options {
                out += &format!("{key} = \"{value}\"\n");
            }
        }
        out += "\n";
    }
    out
}

/// One service's contracts on one chain, which the aggregator is configured to serve.
pub struct Target<'a> {
    /// The chain's name in every config.
    pub chain: &'a str,
    /// The service manager.
    pub manager: &'a str,
    /// The handler bound to it.
    pub handler: &'a str,
}

/// Starts the aggregator on `port` serving every chain of `chains` and exactly
/// `targets`; `chain_names` (in the devnet's order, then chains to be added later) each
/// get a funded submitter key of their own.
pub async fn start_aggregator(
    dir: &Path,
    adapters: &Path,
    port: u16,
    chains: &str,
    chain_names: &[&str],
    targets: &[Target<'_>],
) -> Result<(Managed, String), String> {
    let mut config = format!(
        "data-dir = \"{data}\"\nadapters-dir = \"{adapters}\"\napi-addr = \"127.0.0.1:{port}\"\nbatch-interval-ms = 100\n\n",
        data = dir.join("aggregator").display(),
        adapters = adapters.display(),
    );
    for t in targets {
        config += &format!("[[targets]]\nchain = \"{}\"\nmanager = \"{}\"\nhandler = \"{}\"\n\n", t.chain, t.manager, t.handler);
    }
    config += &submitter_toml(chain_names);
    config += "\n";
    config += chains;
    let path = dir.join("aggregator.toml");
    std::fs::write(&path, config).map_err(|e| e.to_string())?;
    let args = ["--config", path.to_str().unwrap_or_default()];
    let mut process = Managed::spawn("aggregator", &paths::binary("wavs-aggregator"), &args, &[("RUST_LOG", "info")], dir)?;
    process.wait_until(Duration::from_secs(60), || port_open(port)).await?;
    Ok((process, format!("http://127.0.0.1:{port}")))
}

/// A node config written but not started yet.
pub struct NodeConfigFile {
    /// The file.
    pub path: PathBuf,
    /// The API port it names.
    pub port: u16,
    /// Operator index (base key dev 2 + index).
    pub index: usize,
}

/// The devnet's nodes open their API (`api-token = "none"`; each node logs a warning at
/// start): tests, the demo and the bench call every node's API from plain HTTP clients
/// and `wavs --node URL`, with no token to carry per node. A loopback-only devnet of
/// throwaway processes; a real node keeps the token it generates. The `Host`, `Origin`
/// and `Content-Type` checks still apply.
pub const DEVNET_OPEN_API: &str = "# devnet only: API open so tests and the bench need no token (a real node keeps its generated token)\napi-token = \"none\"\n";

/// The devnet's `http-allow-private`: its tests grant components test servers on
/// loopback (random ports of 127.0.0.1), which a node refuses unless its operator allows
/// them. The node's own API, the aggregator and anvil, on loopback too, stay refused:
/// allowing a host does not allow the node's own services on it.
pub const DEVNET_ALLOW_LOOPBACK: &str = "# devnet only: tests grant components loopback test servers; the node's own API, aggregator and chain RPC stay refused\nhttp-allow-private = [\"127.0.0.1\"]\n";

/// Writes the config of operator node `i` (base key dev 2 + i) serving every chain, every
/// service signing with the chain's key: the devnet's one manager per chain serves them all.
pub fn write_node_config(dir: &Path, adapters: &Path, i: usize, chains: &str, aggregator_url: &str) -> Result<NodeConfigFile, String> {
    write_node_config_with(dir, adapters, i, chains, aggregator_url, false)
}

/// [`write_node_config`], with each service signing with a key of its own if
/// `per_service_keys` (each then needs a manager registering its keys).
pub fn write_node_config_with(
    dir: &Path,
    adapters: &Path,
    i: usize,
    chains: &str,
    aggregator_url: &str,
    per_service_keys: bool,
) -> Result<NodeConfigFile, String> {
    let port = free_port();
    let config = format!(
        "data-dir = \"{data}\"\nadapters-dir = \"{adapters}\"\napi-addr = \"127.0.0.1:{port}\"\naggregator-url = \"{aggregator_url}\"\n{open}{loopback}per-service-keys = {per_service_keys}\n\n[operator]\n{key}\n\n{chains}",
        open = DEVNET_OPEN_API,
        loopback = DEVNET_ALLOW_LOOPBACK,
        data = dir.join(format!("node{}", i + 1)).display(),
        adapters = adapters.display(),
        key = dev_key_toml(2 + i as u32),
    );
    let path = dir.join(format!("node{}.toml", i + 1));
    std::fs::write(&path, config).map_err(|e| e.to_string())?;
    Ok(NodeConfigFile { path, port, index: i })
}

/// Each chain's public key for `scheme` of the node configured by `config`, with its
/// proof of possession (empty where the scheme needs none), as `wavs keys` lists them:
/// what the devnet registers in each chain's service manager.
pub async fn node_chain_keys(config: &Path, scheme: Scheme) -> Result<BTreeMap<String, (Vec<u8>, Vec<u8>)>, String> {
    let output = tokio::process::Command::new(paths::binary("wavs"))
        .args(["--json", "keys", "--config"])
        .arg(config)
        .output()
        .await
        .map_err(|e| format!("cannot run wavs keys: {e}"))?;
    if !output.status.success() {
        return Err(format!("wavs keys --config {} failed: {}", config.display(), String::from_utf8_lossy(&output.stderr)));
    }
    let answer: OperatorAnswer =
        serde_json::from_slice(&output.stdout).map_err(|e| format!("wavs keys printed no list of chain keys: {e}"))?;
    let decode = wavs_types::hex_bytes::decode;
    answer
        .chains
        .into_iter()
        .map(|(name, entry)| {
            if scheme == Scheme::Secp256k1Ecdsa {
                return Ok((name, (decode(&entry.public_key)?, vec![])));
            }
            let key = entry.schemes.get(&scheme.to_string()).ok_or_else(|| format!("wavs keys listed no {scheme} key for chain {name}"))?;
            let proof = if key.proof.is_empty() { vec![] } else { decode(&key.proof)? };
            Ok((name, (decode(&key.public_key)?, proof)))
        })
        .collect()
}

/// Starts the node whose config [`write_node_config`] wrote.
pub async fn spawn_node(dir: &Path, config: &NodeConfigFile) -> Result<NodeProcess, String> {
    let started = Instant::now();
    let args = ["node", "--config", config.path.to_str().unwrap_or_default()];
    let name = format!("node{}", config.index + 1);
    let mut process = Managed::spawn(&name, &paths::binary("wavs"), &args, &[("RUST_LOG", "info")], dir)?;
    let port = config.port;
    process.wait_until(Duration::from_secs(60), || port_open(port)).await?;
    Ok(NodeProcess { process, url: format!("http://127.0.0.1:{port}"), ready_in: started.elapsed() })
}

/// Writes the config of operator node `i` and starts it.
pub async fn start_node(dir: &Path, adapters: &Path, i: usize, chains: &str, aggregator_url: &str) -> Result<NodeProcess, String> {
    let config = write_node_config(dir, adapters, i, chains, aggregator_url)?;
    spawn_node(dir, &config).await
}
