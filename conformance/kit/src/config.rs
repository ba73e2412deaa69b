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
    /// A funded account that deploys the test contracts and submits. Set it per chain
    /// (`[deployer.chains.<name>]`, `second` for the second chain) or give one key
    /// (`private-key`, or `mnemonic` and `hd-path`) for both.
    pub deployer: KeyConfig,
    /// Optional: a second chain of the same family with another chain id (and the same
    /// funded deployer), to check that a signature made for one chain is refused on
    /// the other. Without it that check is skipped.
    #[serde(default)]
    pub second_chain: Option<SecondChain>,
}

/// `[second-chain]`: where the second chain is; its family and options are the first's.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct SecondChain {
    /// Its chain id; must differ from the first chain's.
    pub chain_id: String,
    /// Its RPC endpoints.
    pub rpc_urls: Vec<String>,
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
        if let Some(second) = config.second_spec() {
            second.validate("second-chain")?;
            if second.chain_id == config.chain_id {
                return Err(format!("{}: [second-chain] must have another chain-id than {:?}", path.display(), config.chain_id));
            }
        }
        Ok(config)
    }

    /// The second chain's entry, if the file names one.
    pub fn second_spec(&self) -> Option<ChainSpec> {
        self.second_chain.as_ref().map(|s| ChainSpec { chain_id: s.chain_id.clone(), rpc_urls: s.rpc_urls.clone(), ..self.spec() })
    }

    /// The chain entry as the node would hold it.
    pub fn spec(&self) -> ChainSpec {
        ChainSpec {
            family: self.family.clone(),
            chain_id: self.chain_id.clone(),
            rpc_urls: self.rpc_urls.clone(),
            confirmations: 0,
            finality: Default::default(),
            start_height: None,
            poll_interval_ms: 100,
            max_block_range: 500,
            options: self.options.clone(),
            endpoints: Default::default(),
        }
    }
}
