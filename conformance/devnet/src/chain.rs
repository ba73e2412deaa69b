//! The local chain process a devnet runs on.

use crate::paths;
use crate::process::{Managed, free_port, port_open};
use std::path::Path;
use std::time::Duration;
use wavs_types::ChainSpec;

/// A local chain and the spec nodes use to reach it.
pub struct LocalChain {
    /// The chain process.
    pub process: Managed,
    /// How configs name it.
    pub spec: ChainSpec,
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
        let spec = ChainSpec {
            family: "evm".into(),
            chain_id: "31337".into(),
            rpc_urls: vec![format!("http://127.0.0.1:{port}")],
            confirmations: 0,
            start_height: None,
            poll_interval_ms: 100,
            max_block_range: 500,
            options: Default::default(),
        };
        Ok(LocalChain { process, spec })
    }
}
