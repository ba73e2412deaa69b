//! Real swarms on loopback TCP: what one node publishes reaches every other, relayed
//! where they are not connected directly; oversized messages and bad addresses are
//! refused with errors that say what to fix, and honest traffic still flows after.

use std::time::Duration;
use tokio::sync::mpsc::Receiver;
use wavs_p2p::{Gossip, GossipConfig, Heard, P2pError};

/// Generous: only a broken exchange takes this long.
const PATIENCE: Duration = Duration::from_secs(30);

async fn node(peers: Vec<String>, max_message_bytes: usize) -> (Gossip, Receiver<Heard>) {
    let config = GossipConfig { peers, max_message_bytes, ..GossipConfig::default() };
    let (gossip, heard) = Gossip::start(config).await.expect("gossip starts");
    gossip.listening().await;
    (gossip, heard)
}

async fn next(heard: &mut Receiver<Heard>) -> Vec<u8> {
    tokio::time::timeout(PATIENCE, heard.recv()).await.expect("a message arrives").expect("gossip runs").data
}

/// Publishes until a peer hears the topic (subscriptions propagate after connecting).
async fn publish(gossip: &Gossip, data: &[u8]) {
    tokio::time::timeout(PATIENCE, gossip.wait_for_peers(1)).await.expect("a peer subscribes");
    gossip.publish(data.to_vec()).await.expect("published");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_node_hears_what_one_publishes_even_through_a_relay() {
    let (hub, mut hub_heard) = node(vec![], 1024).await;
    let hub_addr = hub.listen_addrs()[0].clone();
    let (left, mut left_heard) = node(vec![hub_addr.clone()], 1024).await;
    let (right, mut right_heard) = node(vec![hub_addr], 1024).await;
    tokio::time::timeout(PATIENCE, hub.wait_for_peers(2)).await.expect("both peers subscribe");

    publish(&hub, b"from the hub").await;
    assert_eq!(next(&mut left_heard).await, b"from the hub");
    assert_eq!(next(&mut right_heard).await, b"from the hub");

    // left and right never dialled each other: the hub relays.
    publish(&left, b"from the left").await;
    assert_eq!(next(&mut hub_heard).await, b"from the left");
    assert_eq!(next(&mut right_heard).await, b"from the left");
    drop(right);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn oversized_messages_are_refused_and_the_next_honest_one_arrives() {
    let (small, mut small_heard) = node(vec![], 1024).await;
    let (big, _big_heard) = node(vec![small.listen_addrs()[0].clone()], 64 * 1024).await;

    // The sender's own cap: refused before it leaves, and not worth retrying.
    let err = small.publish(vec![0u8; 2048]).await.expect_err("over the cap");
    assert!(matches!(err, P2pError::TooLarge { size: 2048, cap: 1024 }), "{err}");
    assert!(!err.is_retryable());

    // A peer with a larger cap sends 4 KiB: the receiver drops it unread (and the
    // stream it came on), keeps running, and takes an honest peer's message after it.
    let (honest, _honest_heard) = node(vec![small.listen_addrs()[0].clone()], 1024).await;
    tokio::time::timeout(PATIENCE, small.wait_for_peers(2)).await.expect("both peers subscribe");
    publish(&big, &vec![7u8; 4096]).await;
    publish(&honest, b"honest").await;
    assert_eq!(next(&mut small_heard).await, b"honest");
}

#[tokio::test]
async fn a_peer_that_is_not_a_multiaddr_is_refused_saying_what_one_looks_like() {
    let config = GossipConfig { peers: vec!["10.0.0.2:9700".into()], ..GossipConfig::default() };
    let err = Gossip::start(config).await.err().expect("refused");
    assert!(err.to_string().contains("\"10.0.0.2:9700\" is not a multiaddr (like /ip4/127.0.0.1/tcp/9700)"), "{err}");
    assert!(!err.is_retryable());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nodes_without_configured_peers_connect_to_addresses_found_and_skip_themselves_and_junk() {
    let (a, _a_heard) = node(vec![], 1024).await;
    let (b, mut b_heard) = node(vec![], 1024).await;
    let with_id = |g: &Gossip| format!("{}/p2p/{}", g.listen_addrs()[0], g.peer_id());
    // What a manager might list: both nodes, junk, an address naming no peer.
    let found = vec![with_id(&a), "junk".into(), a.listen_addrs()[0].clone(), with_id(&b)];
    assert_eq!(a.dial_found(found.clone()).await.unwrap(), 1, "only b is dialled");
    tokio::time::timeout(PATIENCE, a.wait_for_peers(1)).await.expect("a hears b");
    tokio::time::timeout(PATIENCE, b.wait_for_peers(1)).await.expect("b hears a");
    // Connected now: the next round dials nobody.
    assert_eq!(a.dial_found(found).await.unwrap(), 0);
    publish(&a, b"found on chain").await;
    assert_eq!(next(&mut b_heard).await, b"found on chain");
}
