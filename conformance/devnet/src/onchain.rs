//! Services defined on chain, as strangers run them: the service owner publishes a
//! definition and its components and sets the manager's service URI; each operator only
//! runs `wavs service add --chain C --manager ADDR` against its own node. The demo and
//! the end-to-end tests take both sides through these helpers.

use crate::daemons::Ipfs;
use crate::devnet::Devnet;
use crate::paths;
use serde_json::{Value, json};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};
use wavs_types::followed::FollowedService;

/// The service owner's side: a local IPFS node it publishes to (the operators' nodes
/// fetch through its gateway) and a directory of its own for the files it publishes.
pub struct ServiceOwner {
    /// The kubo node.
    pub ipfs: Ipfs,
    dir: PathBuf,
}

impl ServiceOwner {
    /// Starts the owner's kubo node (offline, loopback) with its repo under `dir`.
    pub fn start(dir: &Path) -> ServiceOwner {
        ServiceOwner { ipfs: Ipfs::start(dir), dir: dir.to_path_buf() }
    }

    /// The `[sources]` section an operator's node needs to fetch what this owner
    /// publishes (plus `insecure-registries` for local OCI registries, if any).
    pub fn node_sources(&self, insecure_registries: &[&str]) -> String {
        let registries: Vec<String> = insecure_registries.iter().map(|r| format!("\"{r}\"")).collect();
        format!("[sources]\nipfs-gateway = \"{}\"\ninsecure-registries = [{}]\n", self.ipfs.gateway, registries.join(", "))
    }

    /// Publishes `file` on IPFS: its `ipfs://` URI.
    pub fn publish_file(&self, file: &Path) -> String {
        format!("ipfs://{}", self.ipfs.add(file))
    }

    /// Writes `definition` to `<dir>/<name>` and publishes it on IPFS: its `ipfs://` URI.
    pub fn publish_definition(&self, name: &str, definition: &Value) -> Result<String, String> {
        let file = self.dir.join(name);
        let text = serde_json::to_vec_pretty(definition).map_err(|e| e.to_string())?;
        std::fs::write(&file, text).map_err(|e| format!("{}: {e}", file.display()))?;
        Ok(self.publish_file(&file))
    }

    /// A manifest component entry for the guest `file` (`components/square.wasm`), fetched
    /// from IPFS: its digest and where to get it.
    pub fn component_on_ipfs(&self, file: &str) -> Result<Value, String> {
        let path = paths::guest(file);
        let bytes = std::fs::read(&path).map_err(|e| format!("{}: {e} (run scripts/build-guests.sh)", path.display()))?;
        Ok(json!({ "digest": wavs_runtime::WasmEngine::digest(&bytes), "source": self.publish_file(&path) }))
    }
}

impl Devnet {
    /// A definition for many operators: one workflow `from-<chain>` per chain of `from`,
    /// triggered by that chain's trigger contract, running `component` (a manifest entry
    /// named `name`) and submitting to chain `to`'s handler and manager. Chains are named
    /// by their shared `family:chain-id`, so it means the same to every operator.
    pub fn shared_definition(&self, id: &str, from: &[&str], to: &str, name: &str, component: Value) -> Result<Value, String> {
        let target = self.chain(to)?;
        let mut workflows = serde_json::Map::new();
        for source in from {
            let source = self.chain(source)?;
            workflows.insert(format!("from-{}", source.name), json!({
                "trigger": { "chain-event": {
                    "chain": source.chain.spec.caip2(),
                    "contract": source.deployment.trigger_filter.contract,
                    "event": source.deployment.trigger_filter.event,
                } },
                "component": name,
                "submit": { "aggregator": {
                    "chain": target.chain.spec.caip2(),
                    "handler": target.deployment.handler,
                    "manager": target.deployment.manager,
                } }
            }));
        }
        Ok(json!({ "id": id, "components": { name: component }, "workflows": workflows }))
    }

    /// The command operator `i` runs to have its node follow `manager` on `chain`, with
    /// its own config file.
    pub fn service_add_args(&self, i: usize, chain: &str, manager: &str) -> Vec<String> {
        let config = self.node_config(i).display().to_string();
        ["--config", &config, "service", "add", "--chain", chain, "--manager", manager].map(String::from).to_vec()
    }

    /// The `wavs` arguments with which operator `i` registers its key for `service` at
    /// `manager` on `chain`.
    pub fn register_args(&self, i: usize, service: &str, chain: &str, manager: &str) -> Vec<String> {
        let config = self.node_config(i).display().to_string();
        ["--config", &config, "keys", "--service", service, "--register", "--chain", chain, "--manager", manager].map(String::from).to_vec()
    }

    /// Operator `i` funds its account on `chain` and registers its node's key for
    /// `service` at `manager` with `wavs keys --register`, as an operator does once it
    /// runs the service (its node signs it with a key of its own); what wavs printed.
    pub async fn operator_registers(&self, i: usize, service: &str, chain: &str, manager: &str) -> Result<String, String> {
        self.fund_operator(&self.nodes[i].url, chain).await?;
        self.run_wavs(&self.register_args(i, service, chain, manager)).await
    }

    /// Runs `wavs <args>` as an operator would: what it printed, or its error output.
    pub async fn run_wavs(&self, args: &[String]) -> Result<String, String> {
        let out = tokio::process::Command::new(paths::binary("wavs"))
            .args(args)
            .output()
            .await
            .map_err(|e| format!("cannot run wavs: {e}"))?;
        let stdout = String::from_utf8_lossy(&out.stdout).to_string();
        if !out.status.success() {
            return Err(format!("wavs {} failed:\n{stdout}{}", args.join(" "), String::from_utf8_lossy(&out.stderr)));
        }
        Ok(stdout)
    }

    /// Operator `i` runs `wavs service add --chain <chain> --manager <manager>`: the
    /// record its node answers.
    pub async fn operator_follows(&self, i: usize, chain: &str, manager: &str) -> Result<FollowedService, String> {
        let args: Vec<String> = std::iter::once("--json".to_string()).chain(self.service_add_args(i, chain, manager)).collect();
        let stdout = self.run_wavs(&args).await?;
        serde_json::from_str(&stdout).map_err(|e| format!("wavs service add printed no followed service ({e}): {stdout}"))
    }

    /// Waits until every running node's record of `manager` on `chain` satisfies `done`;
    /// returns them. `timeout` bounds the wait (a chain's reads are slower on wasmd).
    pub async fn wait_followed(
        &self,
        chain: &str,
        manager: &str,
        what: &str,
        timeout: Duration,
        done: impl Fn(&FollowedService) -> bool,
    ) -> Result<Vec<FollowedService>, String> {
        let started = Instant::now();
        loop {
            let mut records = Vec::new();
            for node in self.nodes.iter().filter(|n| !crate::flows::is_stopped(&n.url)) {
                let list = self.client(&node.url).followed().await.map_err(|e| format!("GET {}/followed: {e}", node.url))?;
                let record = list.into_iter().find(|f| f.chain == chain && f.manager.eq_ignore_ascii_case(manager));
                records.push(record.ok_or_else(|| format!("{} follows no manager {manager} on {chain}", node.url))?);
            }
            if records.iter().all(&done) {
                return Ok(records);
            }
            if started.elapsed() > timeout {
                return Err(format!("not every node {what} within {timeout:?}: {records:#?}"));
            }
            tokio::time::sleep(Duration::from_millis(250)).await;
        }
    }
}
