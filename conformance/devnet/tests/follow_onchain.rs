//! Services defined on chain, end to end on anvil: operators who share nothing but the
//! chain and the peer network opt in by the manager's address only, follow each URI the owner sets and refuse
//! a bad definition (the flow is in `follow/mod.rs`).
//!
//! Needs `cargo build --bins`, `scripts/build-guests.sh` and anvil; kubo and the registry
//! are built by `scripts/build-ipfs.sh` and `scripts/build-oci-registry.sh` (cached).

mod follow;

use std::time::Duration;
use wavs_devnet::ChainKind;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn operators_follow_the_service_its_manager_defines() {
    let route = follow::Route { chains: vec![ChainKind::Anvil], from: "anvil", to: "anvil", patience: Duration::from_secs(60) };
    follow::operators_follow_the_manager(route).await;
}
