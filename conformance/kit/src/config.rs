//! The chain file a chain team hands the kit: the chain entry as an operator writes it,
//! plus a funded key to deploy and submit with.

use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::Path;
use wavs_runtime::KeyConfig;
use wavs_types::ChainSpec;

/// `chain.toml`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct KitConfig {
    /// The chain's name in reports (default `chain`).
    #[serde(default = "default_name")]
    pub name: String,
    /// Adapter family.
    pub family: String,
    /// The chain's own id.
    pub chain_id: String,
    /// RPC endpoints.
    pub rpc_urls: Vec<String>,
    /// Family-specific options, passed to the adapter.
    #[serde(default)]
    pub options: BTreeMap<String, String>,
    /// A funded account that deploys the test contracts and submits.
    pub deployer: KeyConfig,
}

fn default_name() -> String {
    "chain".into()
}

impl KitConfig {
    /// Reads and checks `path`.
    pub fn load(path: &Path) -> Result<KitConfig, String> {
        let text = std::fs::read_to_string(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        let config: KitConfig = toml::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))?;
        config.spec().validate(&config.name)?;
        Ok(config)
    }

    /// The chain entry as the node would hold it.
    pub fn spec(&self) -> ChainSpec {
        ChainSpec {
            family: self.family.clone(),
            chain_id: self.chain_id.clone(),
            rpc_urls: self.rpc_urls.clone(),
            confirmations: 0,
            start_height: None,
            poll_interval_ms: 100,
            max_block_range: 500,
            options: self.options.clone(),
        }
    }
}
