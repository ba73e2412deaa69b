//! The devnet's keys: the well-known dev mnemonic, whose first ten accounts
//! (`m/44'/60'/0'/0/N`) are funded on every local chain.
//!
//! Index 0 deploys and fires triggers. The aggregator submits on each chain with a
//! funded account of its own ([`SUBMITTER_INDEXES`], by the chain's place in the
//! devnet), so no two chains share its key. Operators use 2.. as their base key, and —
//! like every node — sign on each chain with a key derived from it for that chain
//! ([`operator_chain_key`]). Those accounts start unfunded: a node sends a transaction
//! only to register a service's key at its manager, and the devnet funds them for that
//! (`Devnet::deploy_service_contracts`).

use wavs_runtime::{KeyConfig, Signer};

/// The devnet mnemonic (the local chains' funded dev accounts).
pub const DEV_MNEMONIC: &str = "test test test test test test test test test test test junk";

/// The dev account the aggregator submits with on the devnet's first, second, ... chain.
pub const SUBMITTER_INDEXES: [u32; 4] = [1, 9, 8, 7];

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

/// Operator `operator`'s key on the chain of `family` and `chain_id`: what its node
/// signs envelopes for that chain with (derived from base key 2 + `operator`).
pub fn operator_chain_key(operator: usize, family: &str, chain_id: &str) -> Signer {
    let config: KeyConfig = toml::from_str(&dev_key_toml(2 + operator as u32)).expect("valid key section");
    config.chain_signer("devnet", family, chain_id).expect("derivable key")
}

/// The aggregator's `[submitter]` section for `chains` (names, in the devnet's order):
/// a base key plus one funded account per chain.
pub fn submitter_toml(chains: &[&str]) -> String {
    let mut out = format!("[submitter]\n{}\n", dev_key_toml(SUBMITTER_INDEXES[0]));
    for (i, name) in chains.iter().enumerate() {
        let index = SUBMITTER_INDEXES[i % SUBMITTER_INDEXES.len()];
        out += &format!("\n[submitter.chains.{name}]\nhd-path = \"{}\"\n", path(index));
    }
    out
}

/// The aggregator's submitting key on the devnet's `position`-th chain.
pub fn submitter_key(position: usize) -> Signer {
    dev_key(SUBMITTER_INDEXES[position % SUBMITTER_INDEXES.len()])
}
