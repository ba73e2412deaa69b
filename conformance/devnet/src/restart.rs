//! Crashing and restarting the devnet's aggregator, for fault tests: kill -9, then the
//! same binary with the same config file (same port, same data dir) again.

use crate::devnet::Devnet;
use crate::paths;
use crate::process::{Managed, port_open};
use std::time::Duration;

impl Devnet {
    /// Kills the aggregator with SIGKILL (no chance to flush anything) and starts it
    /// again from `<dir>/aggregator.toml`, waiting until its port answers. Each run
    /// logs to a file of its own (`aggregator-restart-<n>.log`), so earlier logs stay.
    pub async fn restart_aggregator(&mut self) -> Result<(), String> {
        self.kill_aggregator();
        self.start_aggregator_again().await
    }

    /// Kills the aggregator with SIGKILL and waits for it to be gone. Its port stops
    /// answering until [`Devnet::start_aggregator_again`].
    pub fn kill_aggregator(&mut self) {
        if let Some(aggregator) = self.aggregator.as_mut() {
            aggregator.stop();
        }
    }

    /// Starts the aggregator again with the config the devnet wrote for it.
    pub async fn start_aggregator_again(&mut self) -> Result<(), String> {
        let config = self.dir.path().join("aggregator.toml");
        paths::require(&config, "the devnet writes it when it starts the aggregator")?;
        let port: u16 = self
            .aggregator_url
            .rsplit(':')
            .next()
            .and_then(|p| p.parse().ok())
            .ok_or_else(|| format!("no port in the aggregator URL {}", self.aggregator_url))?;
        let n = (1..).find(|n| !self.dir.path().join(format!("aggregator-restart-{n}.log")).exists()).unwrap_or(1);
        let args = ["--config", config.to_str().unwrap_or_default()];
        let binary = paths::binary("wavs-aggregator");
        let name = format!("aggregator-restart-{n}");
        let mut process = Managed::spawn(&name, &binary, &args, &[("RUST_LOG", "info")], self.dir.path())?;
        process.wait_until(Duration::from_secs(60), || port_open(port)).await?;
        self.aggregator = Some(process);
        Ok(())
    }
}
