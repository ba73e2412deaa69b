//! The `peers` export of both reference adapters against real chains (anvil and wasmd),
//! through the host runtime as a node uses it: an operator's account publishes and updates
//! its node's address at the manager and reads it back; a stranger and an over-long
//! address are refused by the chain, by name, and leave the list as it was; an operator the
//! owner sets to weight 0 drops out of it.

use std::sync::Arc;
use wavs_devnet::chain::LocalChain;
use wavs_devnet::devnet::load_adapters;
use wavs_devnet::{ChainKind, dev_key};
use wavs_runtime::bindings::curves_api::Scheme;
use wavs_runtime::bindings::testing_api::TestOperator;
use wavs_runtime::{AdapterErrorKind, AdapterRegistry, AdapterSigner, ChainAdapter, Limits, RuntimeError};
use wavs_types::ChainSpec;

/// A connection whose signer sends from dev account `key` (funded on every local chain).
fn account(registry: &Arc<AdapterRegistry>, kind: ChainKind, spec: &ChainSpec, key: u32) -> ChainAdapter {
    ChainAdapter::from_spec(registry.clone(), kind.name(), spec, AdapterSigner::Submitting(dev_key(key)), Limits::ADAPTER_DEFAULT)
}

fn rejected(result: Result<(), RuntimeError>) -> String {
    match result {
        Err(RuntimeError::Adapter { kind: AdapterErrorKind::Rejected, message }) => message,
        other => panic!("expected a rejection, got {other:?}"),
    }
}

async fn listed(conn: &ChainAdapter, manager: &str) -> Vec<String> {
    let mut addresses = conn.peer_addresses(manager).await.unwrap();
    addresses.sort();
    addresses
}

async fn operators_publish_and_others_are_refused(kind: ChainKind, chain: LocalChain) {
    let dir = tempfile::Builder::new().prefix("wavs-peers-adapter-").tempdir().unwrap();
    let (registry, _) = load_adapters(dir.path(), &[kind]).await.expect("the adapter loads");
    let owner = account(&registry, kind, &chain.spec, 0);
    let operator = |key: u32| TestOperator { public_key: dev_key(key).public_key(), proof: vec![], weight: 1 };
    let deployment = owner.deploy_service(Scheme::Secp256k1Ecdsa, &[operator(2), operator(3)], 1).await.expect("contracts deploy");
    let manager = deployment.manager.as_str();
    let (first, second, stranger) = (account(&registry, kind, &chain.spec, 2), account(&registry, kind, &chain.spec, 3), account(&registry, kind, &chain.spec, 4));
    let (a, a_next, b) = ("/ip4/10.0.0.1/tcp/9700/p2p/12D3KooWA", "/dns4/node1.example.com/tcp/9700/p2p/12D3KooWA", "/ip4/10.0.0.2/tcp/9700/p2p/12D3KooWB");
    assert!(owner.peer_addresses(manager).await.unwrap().is_empty());

    first.announce_peer(manager, a).await.expect("an operator publishes its address");
    second.announce_peer(manager, b).await.unwrap();
    assert_eq!(listed(&owner, manager).await, [a, b]);
    first.announce_peer(manager, a_next).await.expect("and updates it");
    assert_eq!(listed(&owner, manager).await, [a_next, b]);

    // A stranger's account (no weight) and an over-long address: refused by name.
    let refusal = rejected(stranger.announce_peer(manager, "/ip4/6.6.6.6/tcp/1/p2p/12D3KooWX").await);
    assert!(refusal.contains("NotOperator"), "{refusal}");
    let refusal = rejected(second.announce_peer(manager, &"x".repeat(257)).await);
    assert!(refusal.contains("PeerAddressTooLong"), "{refusal}");
    assert_eq!(listed(&owner, manager).await, [a_next, b], "the honest addresses stay");

    // The owner sets the second operator to weight 0: its address is no longer listed.
    owner.set_operator(manager, &TestOperator { weight: 0, ..operator(3) }).await.unwrap();
    assert_eq!(listed(&owner, manager).await, [a_next]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn evm_operators_publish_peer_addresses_and_a_stranger_is_refused() {
    let dir = tempfile::Builder::new().prefix("wavs-peers-anvil-").tempdir().unwrap();
    let chain = LocalChain::start_anvil(dir.path()).await.expect("anvil starts");
    operators_publish_and_others_are_refused(ChainKind::Anvil, chain).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cosmwasm_operators_publish_peer_addresses_and_a_stranger_is_refused() {
    let dir = tempfile::Builder::new().prefix("wavs-peers-wasmd-").tempdir().unwrap();
    let chain = LocalChain::start_wasmd(dir.path()).await.expect("wasmd starts");
    operators_publish_and_others_are_refused(ChainKind::Wasmd, chain).await;
}
