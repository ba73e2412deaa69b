//! The devnet's keys: the well-known dev mnemonic, funded on every local chain.
//!
//! Index 0 deploys and fires triggers, 1 is the aggregator's submitter, 2.. are the
//! operators. The same key is valid on every chain; only its address differs.

use wavs_runtime::Signer;

/// The devnet mnemonic (the local chains' funded dev accounts).
pub const DEV_MNEMONIC: &str = "test test test test test test test test test test test junk";

fn path(index: u32) -> String {
    format!("m/44'/60'/0'/0/{index}")
}

/// The dev key at `index`.
pub fn dev_key(index: u32) -> Signer {
    Signer::from_mnemonic(DEV_MNEMONIC, &path(index)).expect("valid dev key")
}

/// The same key as a config section body, as an operator would write it.
pub fn dev_key_toml(index: u32) -> String {
    format!("mnemonic = \"{DEV_MNEMONIC}\"\nhd-path = \"{}\"", path(index))
}
