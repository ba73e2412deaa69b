//! The node's TOML configuration, with environment overrides for what differs per
//! deployment (`WAVS_DATA_DIR`, `WAVS_ADAPTERS_DIR`, `WAVS_API_ADDR`,
//! `WAVS_AGGREGATOR_URL`, `WAVS_OPERATOR_KEY`, `WAVS_API_TOKEN`).

use crate::error::{NodeError, Result};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use wavs_runtime::{KeyConfig, Limits};
use wavs_types::api_token::ApiToken;
use wavs_types::{ChainSpec, LimitOverrides};

pub mod allowed_hosts;
pub mod p2p;
pub mod sources;
pub mod storage;

/// Node configuration.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct NodeConfig {
    /// Where the store, uploaded components and the compiled cache live.
    pub data_dir: PathBuf,
    /// Directory scanned for chain adapter `.wasm` files.
    pub adapters_dir: PathBuf,
    /// Address of the HTTP API.
    #[serde(default = "default_api_addr")]
    pub api_addr: SocketAddr,
    /// Base URL of the aggregator signed envelopes go to.
    #[serde(default)]
    pub aggregator_url: Option<String>,
    /// The operator's base key. Each chain signs with a key of its own, derived from it
    /// per chain or set under `[operator.chains.<name>]`.
    pub operator: KeyConfig,
    /// Chains by the operator's name for them.
    #[serde(default)]
    pub chains: BTreeMap<String, ChainSpec>,
    /// Limits for service components.
    #[serde(default)]
    pub limits: LimitsConfig,
    /// Executions allowed to run at once.
    #[serde(default = "default_concurrency")]
    pub max_concurrent_executions: usize,
    /// Background compiles (`POST /components?wait=false`) allowed to run at once (at
    /// least 1, default 2). Each takes a core and the memory a compile needs; past the cap
    /// a new component is refused with 429 until one finishes, while one already
    /// compiling or compiled is still accepted.
    #[serde(default = "default_compile_concurrency")]
    pub max_concurrent_compiles: usize,
    /// Bearer token every request but GET/HEAD must carry (`Authorization: Bearer <token>`).
    /// Unset: `wavs node` uses the token it generated in `<data-dir>/api-token`
    /// ([`crate::api::token`]). `"none"` opens the API to anyone who can reach it.
    #[serde(default)]
    pub api_token: Option<ApiToken>,
    /// More names the API answers to (`host` for any port, or `host:port`), beyond its
    /// `api-addr`, `localhost`, `127.0.0.1` and `[::1]` on its port: the name of a proxy
    /// or DNS name in front of it. Requests naming any other `Host` or `Origin` are refused.
    #[serde(default)]
    pub api_allowed_hosts: Vec<String>,
    /// Restricted hosts service components may be granted: `host` (any port) or
    /// `host:port`. Without an entry here a manifest may not grant loopback, private,
    /// link-local or unspecified addresses, `localhost`, or this machine's addresses, and
    /// no request reaches them even through a DNS name. The node's own API, aggregator
    /// and chain RPC endpoints stay refused unless an entry names that exact `host:port`.
    #[serde(default)]
    pub http_allow_private: Vec<String>,
    /// Caps on uploaded components and how long an unused one is kept (`[storage]`).
    #[serde(default)]
    pub storage: storage::StorageConfig,
    /// Where `ipfs://` and `oci://` component sources are fetched from (`[sources]`).
    #[serde(default)]
    pub sources: sources::SourcesConfig,
    /// After downtime, how many missed ticks of each cron workflow the node still runs
    /// (the newest ones); older missed ticks are skipped, and the log says how many.
    #[serde(default = "default_cron_catch_up")]
    pub cron_catch_up: usize,
    /// Aggregate in this node, exchanging signed envelopes with peers (`[p2p]`), instead
    /// of posting them to `aggregator-url`.
    #[serde(default)]
    pub p2p: Option<p2p::P2pConfig>,
    /// Each service signs with a key of its own on each chain (`wavs keys --service S`
    /// shows what to register). `false`: every service signs with its chain's key, for a
    /// setup whose one service manager serves several services (the devnet's).
    #[serde(default = "default_per_service_keys")]
    pub per_service_keys: bool,
}

/// Component limits (default and maximum) and chain adapter limits.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct LimitsConfig {
    /// Applied where a manifest sets nothing.
    #[serde(default = "component_default")]
    pub default: Limits,
    /// No manifest may ask for more.
    #[serde(default = "component_max")]
    pub max: Limits,
    /// Per-call limits of chain adapters; what is not set keeps the adapter default.
    #[serde(default)]
    pub adapter: LimitOverrides,
}

impl LimitsConfig {
    /// The limits every adapter call runs under.
    pub fn adapter_limits(&self) -> Limits {
        Limits::ADAPTER_DEFAULT.with_overrides(&self.adapter)
    }

    /// The effective limits of a component: its overrides over the operator defaults,
    /// refused above the operator maxima.
    pub fn for_component(&self, spec: &wavs_types::ComponentSpec) -> std::result::Result<Limits, String> {
        let limits = self.default.with_overrides(&spec.limits);
        match limits.exceeding(&self.max) {
            Some(msg) => Err(msg),
            None => Ok(limits),
        }
    }
}

fn default_api_addr() -> SocketAddr {
    "127.0.0.1:8000".parse().expect("valid literal")
}
fn default_concurrency() -> usize {
    64
}
fn default_compile_concurrency() -> usize {
    2
}
fn default_cron_catch_up() -> usize {
    10
}
fn default_per_service_keys() -> bool {
    true
}
fn component_default() -> Limits {
    Limits::COMPONENT_DEFAULT
}
fn component_max() -> Limits {
    Limits {
        fuel: 10_000_000_000,
        time_ms: 60_000,
        memory_bytes: 512 << 20,
        output_bytes: 16 << 20,
        host_handles: 4_096,
        log_lines: 100_000,
        log_bytes: 16 << 20,
    }
}

impl Default for LimitsConfig {
    fn default() -> Self {
        LimitsConfig { default: component_default(), max: component_max(), adapter: LimitOverrides::default() }
    }
}

impl NodeConfig {
    /// Reads `path`, applies environment overrides and validates.
    pub fn load(path: &Path) -> Result<Self> {
        let text = std::fs::read_to_string(path).map_err(|e| {
            NodeError::Invalid(format!("cannot read config {}: {e}", path.display()))
        })?;
        let mut config = Self::parse(&text).map_err(|e| match e {
            NodeError::Invalid(m) => NodeError::Invalid(format!("{}: {m}", path.display())),
            other => other,
        })?;
        config.apply_env(|k| std::env::var(k).ok())?;
        config.validate()?;
        Ok(config)
    }

    /// Parses TOML text.
    pub fn parse(text: &str) -> Result<Self> {
        toml::from_str(text).map_err(|e| NodeError::Invalid(format!("invalid config: {e}")))
    }

    /// Applies `WAVS_*` overrides from `var`; a value that does not parse is an error,
    /// never ignored (the node would otherwise listen where its operator did not say).
    pub fn apply_env(&mut self, var: impl Fn(&str) -> Option<String>) -> Result<()> {
        if let Some(v) = var("WAVS_DATA_DIR") {
            self.data_dir = v.into();
        }
        if let Some(v) = var("WAVS_ADAPTERS_DIR") {
            self.adapters_dir = v.into();
        }
        if let Some(v) = var("WAVS_API_ADDR") {
            self.api_addr = v.trim().parse().map_err(|e| {
                NodeError::Invalid(format!("WAVS_API_ADDR={v:?} is not an address like 127.0.0.1:8000 ({e}): fix or unset it"))
            })?;
        }
        if let Some(v) = var("WAVS_AGGREGATOR_URL") {
            self.aggregator_url = Some(v);
        }
        if let Some(v) = var("WAVS_OPERATOR_KEY") {
            // Replaces the base key; keys set per chain stay.
            let chains = std::mem::take(&mut self.operator.chains);
            self.operator = KeyConfig { chains, ..KeyConfig::from_private_key(v) };
        }
        // An empty variable does not clear a configured token: that would open the API.
        // Nor does the variable ever open it: "none" there is refused by `validate`.
        if let Some(v) = var("WAVS_API_TOKEN").filter(|v| !v.trim().is_empty()) {
            self.api_token = Some(ApiToken::secret_of(v));
        }
        Ok(())
    }

    /// Checks values that parse but cannot work.
    pub fn validate(&self) -> Result<()> {
        if let Some(p2p) = &self.p2p {
            p2p.validate(self.aggregator_url.as_deref()).map_err(NodeError::Invalid)?;
        }
        for (name, spec) in &self.chains {
            spec.validate(name).map_err(NodeError::Invalid)?;
        }
        if let Some(msg) = self.limits.default.exceeding(&self.limits.max) {
            return Err(NodeError::Invalid(format!("limits.default: {msg}")));
        }
        if let Some(msg) = self.limits.adapter_limits().exceeding(&Limits::UNBOUNDED) {
            return Err(NodeError::Invalid(format!("limits.adapter: {msg}")));
        }
        let names: Vec<&str> = self.chains.keys().map(String::as_str).collect();
        self.operator.validate("operator", &names).map_err(|e| NodeError::Invalid(e.to_string()))?;
        if let Some(secret) = self.api_token.as_ref().and_then(ApiToken::secret) {
            wavs_types::api_token::check_secret(secret).map_err(NodeError::Invalid)?;
        }
        for host in &self.api_allowed_hosts {
            allowed_hosts::check_allowed(host).map_err(NodeError::Invalid)?;
        }
        self.storage.validate().map_err(NodeError::Invalid)?;
        self.sources.validate().map_err(NodeError::Invalid)?;
        if self.max_concurrent_compiles == 0 {
            // 0 would refuse every background upload.
            return Err(NodeError::Invalid("max-concurrent-compiles must be at least 1".into()));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A valid config (the `[p2p]` tests append to it).
    pub(crate) const GOOD: &str = r#"
        data-dir = "/tmp/x"
        adapters-dir = "/tmp/a"
        [operator]
        private-key = "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80"
        [chains.anvil]
        family = "evm"
        chain-id = "31337"
        rpc-urls = ["http://127.0.0.1:8545"]
    "#;

    #[test]
    fn parses_and_applies_env_overrides() {
        let mut c = NodeConfig::parse(GOOD).unwrap();
        c.validate().unwrap();
        assert_eq!(c.chains["anvil"].max_block_range, 500);
        c.apply_env(|k| (k == "WAVS_API_ADDR").then(|| "127.0.0.1:9999".to_string())).unwrap();
        assert_eq!(c.api_addr.port(), 9999);
        // A malformed address is refused, naming the variable, and changes nothing.
        let err = c.apply_env(|k| (k == "WAVS_API_ADDR").then(|| "localhost:99999".to_string())).unwrap_err().to_string();
        assert!(err.contains("WAVS_API_ADDR=\"localhost:99999\" is not an address"), "{err}");
        assert_eq!(c.api_addr.port(), 9999);
        assert_eq!(c.api_token, None);
        let secret = |t: &str| Some(ApiToken::secret_of(t));
        c.apply_env(|k| (k == "WAVS_API_TOKEN").then(|| "s3cret".to_string())).unwrap();
        assert_eq!(c.api_token, secret("s3cret"));
        c.apply_env(|k| (k == "WAVS_API_TOKEN").then(String::new)).unwrap();
        assert_eq!(c.api_token, secret("s3cret"), "an empty variable keeps the token");
        let with = |line: &str| NodeConfig::parse(&GOOD.replace("adapters-dir", &format!("{line}\nadapters-dir"))).unwrap();
        assert_eq!(with("api-token = \"t\"").api_token, secret("t"));
        assert!(with("api-token = \" \"").validate().unwrap_err().to_string().contains("api-token is empty"));
        let open = with("api-token = \"none\"");
        assert_eq!(open.api_token, Some(ApiToken::Open));
        open.validate().unwrap();
        // The variable never opens the API: "none" there is refused.
        let mut c = NodeConfig::parse(GOOD).unwrap();
        c.apply_env(|k| (k == "WAVS_API_TOKEN").then(|| "none".to_string())).unwrap();
        assert!(c.validate().unwrap_err().to_string().contains("guessable"));
        with("api-allowed-hosts = [\"wavs.example.com\", \"proxy:9000\"]").validate().unwrap();
        let err = with("api-allowed-hosts = [\"http://wavs.example.com\"]").validate().unwrap_err().to_string();
        assert!(err.contains("api-allowed-hosts") && err.contains("no scheme"), "{err}");
    }

    #[test]
    fn adapter_limits_override_only_what_is_set() {
        let c = NodeConfig::parse(&format!("{GOOD}\n[limits.adapter]\ntime-ms = 1500")).unwrap();
        c.validate().unwrap();
        let limits = c.limits.adapter_limits();
        assert_eq!(limits.time_ms, 1500);
        assert_eq!(limits.fuel, Limits::ADAPTER_DEFAULT.fuel);
        assert_eq!(NodeConfig::parse(GOOD).unwrap().limits.adapter_limits(), Limits::ADAPTER_DEFAULT);
    }

    #[test]
    fn unknown_fields_and_bad_values_are_named() {
        let err = NodeConfig::parse(&GOOD.replace("data-dir", "data-dri")).unwrap_err().to_string();
        assert!(err.contains("data-dri"), "{err}");
        let c = NodeConfig::parse(&GOOD.replace("http://127.0.0.1:8545", "ws://x")).unwrap();
        assert!(c.validate().unwrap_err().to_string().contains("must start with http"));
        let c = NodeConfig::parse(&format!("{GOOD}\n[limits.adapter]\nfuel = 0")).unwrap();
        assert!(c.validate().unwrap_err().to_string().contains("limits.adapter: fuel must be greater than 0"));
        let c = NodeConfig::parse(&GOOD.replace("0xac09", "0xzz09")).unwrap();
        assert!(c.validate().unwrap_err().to_string().contains("not hex"));
        assert_eq!(NodeConfig::parse(GOOD).unwrap().max_concurrent_compiles, 2);
        let c = NodeConfig::parse(&GOOD.replace("adapters-dir", "max-concurrent-compiles = 0\nadapters-dir")).unwrap();
        assert!(c.validate().unwrap_err().to_string().contains("max-concurrent-compiles must be at least 1"));
    }
}
