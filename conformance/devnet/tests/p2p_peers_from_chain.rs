//! Peers from the chain: three nodes (threshold 2) aggregate themselves over p2p with no
//! aggregator process and no peer in any configuration. Each operator funds its account
//! and publishes its node's address at the manager (`wavs p2p announce`); the manager
//! lists the three, every node dials the others it reads there, and a burst of triggers
//! all land. An operator announcing at a manager it is no operator of is refused by the
//! chain, by name, and that manager lists nothing; junk in a list is skipped by the node
//! (`wavs_p2p::dialable`'s tests).

use std::time::{Duration, Instant};
use wavs_devnet::bursts::{fire_with_fault, lost_squares};
use wavs_devnet::{Devnet, DevnetOptions, guest};
use wavs_runtime::bindings::curves_api::Scheme;
use wavs_runtime::bindings::testing_api::TestOperator;
use wavs_types::p2p::P2pHealth;

/// Each node's p2p part of `GET /health`.
async fn p2p_health(devnet: &Devnet) -> Vec<P2pHealth> {
    let mut all = Vec::new();
    for node in &devnet.nodes {
        let health = devnet.client(&node.url).health().await.expect("GET /health");
        all.push(health.p2p.expect("a [p2p] node reports its gossip"));
    }
    all
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nodes_listing_no_peers_find_each_other_at_the_manager_and_land_every_result() {
    let opts = DevnetOptions { p2p_fallback_delay_ms: Some(3000), p2p_peers_from_chain: true, ..DevnetOptions::default() };
    let mut devnet = Devnet::start(opts, &|s| eprintln!("[devnet] {s}")).await.expect("devnet starts");
    assert!(devnet.aggregator.is_none(), "no aggregator process runs");
    for i in 0..devnet.nodes.len() {
        let settings = devnet.p2p_settings(i).unwrap();
        assert!(settings.contains("peers = []"), "node {} lists no peer: {settings}", i + 1);
    }
    devnet.deploy_service(devnet.square_manifest("square"), &[("square", guest("components/square.wasm"))]).await.unwrap();
    // Alone: nothing configured, nothing on chain yet.
    for (i, p2p) in p2p_health(&devnet).await.iter().enumerate() {
        assert_eq!(p2p.peers, 0, "node {} has no peer before the announcements", i + 1);
        assert!(p2p.peers_from_chain);
    }

    // Another service's manager whose operators are nodes 1 and 2: node 3's operator
    // account is refused there, by name, and nothing is listed.
    let chain = devnet.primary().name.clone();
    let mut operators = Vec::new();
    for node in &devnet.nodes[..2] {
        let public_key = devnet.fund_operator(&node.url, &chain).await.unwrap();
        operators.push(TestOperator { public_key, proof: vec![], weight: 1 });
    }
    let other = devnet.primary().deployer.deploy_service(Scheme::Secp256k1Ecdsa, &operators, 1).await.unwrap();
    let refusal = devnet.operator_announces_at(2, &chain, &other.manager).await.unwrap_err();
    eprintln!("[refused] {}", refusal.trim());
    assert!(refusal.contains("NotOperator"), "{refusal}");
    assert!(devnet.primary().deployer.peer_addresses(&other.manager).await.unwrap().is_empty());

    for i in 0..devnet.nodes.len() {
        let printed = devnet.operator_announces(i, &chain).await.unwrap();
        eprintln!("[announce] node {}: {}", i + 1, printed.trim());
        assert!(printed.contains("it lists it"), "{printed}");
    }
    // The manager lists each node's own address, naming its peer id.
    let primary = devnet.primary();
    let listed = primary.deployer.peer_addresses(&primary.deployment.manager).await.unwrap();
    let before = p2p_health(&devnet).await;
    assert_eq!(listed.len(), 3, "{listed:?}");
    for p2p in &before {
        let own = listed.iter().find(|a| a.ends_with(&format!("/p2p/{}", p2p.peer_id))).expect("the node's address is listed");
        assert!(p2p.listening.iter().any(|l| own.starts_with(l.as_str())), "announced {own}, bound {:?}", p2p.listening);
    }

    // Every node reads the list (every 15 s) and dials the two others.
    let started = Instant::now();
    loop {
        let peers: Vec<usize> = p2p_health(&devnet).await.iter().map(|p| p.peers).collect();
        if peers.iter().all(|n| *n >= 2) {
            eprintln!("[figures] every node hears 2 peers {:.1} s after the announcements", started.elapsed().as_secs_f64());
            break;
        }
        assert!(started.elapsed() < Duration::from_secs(60), "gossip peers per node after 60 s: {peers:?}");
        tokio::time::sleep(Duration::from_millis(500)).await;
    }

    let fired = fire_with_fault(&mut devnet, 30, |_| {}).await;
    assert_eq!(lost_squares(&devnet, &fired, Duration::from_secs(120)).await, 0, "every result lands");
}
