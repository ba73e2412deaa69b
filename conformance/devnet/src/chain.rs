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
    /// Starts anvil (instant mining) on a free port.
    pub async fn start_anvil(log_dir: &Path) -> Result<LocalChain, String> {
        let bin = paths::anvil();
        paths::require(&bin, "run scripts/install-tools.sh (npm ci installs anvil)")?;
        let port = free_port();
        let port_text = port.to_string();
        let mut process = Managed::spawn("anvil", &bin, &["--port", &port_text, "--silent"], &[], log_dir)?;
        process.wait_until(Duration::from_secs(30), || port_open(port)).await?;
        let spec = devnet_spec("evm", "31337", vec![format!("http://127.0.0.1:{port}")], Default::default());
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
        start_height: None,
        poll_interval_ms: 100,
        max_block_range: 500,
        options,
    }
}
