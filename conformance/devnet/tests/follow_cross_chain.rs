//! Services defined on chain, across chains: the trigger fires on anvil and the result
//! lands on wasmd, whose CosmWasm manager holds the service URI. Operators opt in with
//! `wavs service add --chain wasmd --manager <its bech32 address>` only, follow the URI
//! from a component on IPFS to one in an OCI registry, and refuse a bad definition (the
//! flow is in `follow/mod.rs`).
//!
//! Needs scripts/build-wasmd.sh besides what follow_onchain needs; scripts/test.sh does it.

mod follow;

use std::time::Duration;
use wavs_devnet::ChainKind;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn operators_follow_a_cosmwasm_manager_whose_results_come_from_anvil() {
    let chains = vec![ChainKind::Wasmd, ChainKind::Anvil];
    let route = follow::Route { chains, from: "anvil", to: "wasmd", patience: Duration::from_secs(180) };
    follow::operators_follow_the_manager(route).await;
}
