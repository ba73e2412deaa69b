//! Writing configs for, and starting, the devnet's aggregator and operator nodes.

use crate::chain::LocalChain;
use crate::keys::dev_key_toml;
use crate::paths;
use crate::process::{Managed, free_port, port_open};
use std::path::Path;
use std::time::{Duration, Instant};

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

/// Starts the aggregator serving every chain, submitting with dev key 1.
pub async fn start_aggregator(dir: &Path, adapters: &Path, chains: &str) -> Result<(Managed, String), String> {
    let port = free_port();
    let config = format!(
        "data-dir = \"{data}\"\nadapters-dir = \"{adapters}\"\napi-addr = \"127.0.0.1:{port}\"\nbatch-interval-ms = 100\n\n[submitter]\n{key}\n\n{chains}",
        data = dir.join("aggregator").display(),
        adapters = adapters.display(),
        key = dev_key_toml(1),
    );
    let path = dir.join("aggregator.toml");
    std::fs::write(&path, config).map_err(|e| e.to_string())?;
    let args = ["--config", path.to_str().unwrap_or_default()];
    let mut process = Managed::spawn("aggregator", &paths::binary("wavs-aggregator"), &args, &[("RUST_LOG", "info")], dir)?;
    process.wait_until(Duration::from_secs(60), || port_open(port)).await?;
    Ok((process, format!("http://127.0.0.1:{port}")))
}

/// Starts operator node `i` (dev key 2 + i) serving every chain.
pub async fn start_node(dir: &Path, adapters: &Path, i: usize, chains: &str, aggregator_url: &str) -> Result<NodeProcess, String> {
    let port = free_port();
    let config = format!(
        "data-dir = \"{data}\"\nadapters-dir = \"{adapters}\"\napi-addr = \"127.0.0.1:{port}\"\naggregator-url = \"{aggregator_url}\"\n\n[operator]\n{key}\n\n{chains}",
        data = dir.join(format!("node{}", i + 1)).display(),
        adapters = adapters.display(),
        key = dev_key_toml(2 + i as u32),
    );
    let path = dir.join(format!("node{}.toml", i + 1));
    std::fs::write(&path, config).map_err(|e| e.to_string())?;
    let started = Instant::now();
    let args = ["node", "--config", path.to_str().unwrap_or_default()];
    let mut process = Managed::spawn(&format!("node{}", i + 1), &paths::binary("wavs"), &args, &[("RUST_LOG", "info")], dir)?;
    process.wait_until(Duration::from_secs(60), || port_open(port)).await?;
    Ok(NodeProcess { process, url: format!("http://127.0.0.1:{port}"), ready_in: started.elapsed() })
}
