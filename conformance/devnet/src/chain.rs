//! The local chain process a devnet runs on.

use crate::paths;
use crate::process::{Managed, free_port, port_open};
use std::collections::BTreeMap;
use std::path::Path;
use std::time::Duration;
use wavs_types::ChainSpec;

/// A local chain and the spec nodes use to reach it.
pub struct LocalChain {
    /// The chain process.
    pub process: Managed,
    /// How configs name it.
    pub spec: ChainSpec,
    /// The chain's REST API, where it has one (for tests; adapters use `spec.rpc_urls`).
    pub rest_url: Option<String>,
}

impl LocalChain {
    /// Starts anvil (instant mining, chain id 31337) on a free port.
    pub async fn start_anvil(log_dir: &Path) -> Result<LocalChain, String> {
        Self::start_anvil_with_id(log_dir, 31337).await
    }

    /// Starts anvil with `chain_id`: with the same deployer, a second anvil holds the same
    /// contracts at the same addresses, so replays across chains can be tried.
    pub async fn start_anvil_with_id(log_dir: &Path, chain_id: u64) -> Result<LocalChain, String> {
        let bin = paths::anvil();
        paths::require(&bin, "run scripts/install-tools.sh (npm ci installs anvil)")?;
        let port = free_port();
        let (port_text, id_text) = (port.to_string(), chain_id.to_string());
        let name = if chain_id == 31337 { "anvil".to_string() } else { format!("anvil-{chain_id}") };
        let args = ["--port", &port_text, "--chain-id", &id_text, "--silent"];
        let mut process = Managed::spawn(&name, &bin, &args, &[], log_dir)?;
        process.wait_until(Duration::from_secs(30), || port_open(port)).await?;
        let spec = devnet_spec("evm", &id_text, vec![format!("http://127.0.0.1:{port}")], Default::default());
        Ok(LocalChain { process, spec, rest_url: None })
    }
}

/// The spec of a local devnet chain: no confirmations, fast polling.
pub(crate) fn devnet_spec(
    family: &str,
    chain_id: &str,
    rpc_urls: Vec<String>,
    options: BTreeMap<String, String>,
) -> ChainSpec {
    ChainSpec {
        family: family.into(),
        chain_id: chain_id.into(),
        rpc_urls,
        confirmations: 0,
        finality: Default::default(),
        start_height: None,
        poll_interval_ms: 100,
        max_block_range: 500,
        options,
        endpoints: Default::default(),
    }
}
