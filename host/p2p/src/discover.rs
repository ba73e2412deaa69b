//! Peers found elsewhere (a manager's list on chain): untrusted text, so each is parsed,
//! must name its peer id (`/p2p/<id>`, the only way to tell this node and peers already
//! connected apart), and at most a few are dialled per round, so a long list of junk costs
//! this node bounded work.

use libp2p::multiaddr::Protocol;
use libp2p::{Multiaddr, PeerId};
use std::collections::HashSet;

/// The peer id an address ends with, if it names one.
pub(crate) fn peer_of(addr: &Multiaddr) -> Option<PeerId> {
    match addr.iter().last() {
        Some(Protocol::P2p(peer)) => Some(peer),
        _ => None,
    }
}

/// The addresses of `found` worth dialling: well-formed multiaddrs naming a peer id that is
/// neither `own` nor `connected`, each peer once, at most `cap`. What is skipped and why is
/// logged at debug.
pub fn dialable(found: &[String], own: &PeerId, connected: &HashSet<PeerId>, cap: usize) -> Vec<(PeerId, Multiaddr)> {
    let mut chosen: Vec<(PeerId, Multiaddr)> = Vec::new();
    for text in found {
        if chosen.len() >= cap {
            tracing::debug!(cap, "more peer addresses found than are dialled per round; the rest wait for the next");
            break;
        }
        let addr = match text.parse::<Multiaddr>() {
            Ok(addr) => addr,
            Err(e) => {
                tracing::debug!(address = %text.chars().take(80).collect::<String>(), "skipped a peer address that is no multiaddr: {e}");
                continue;
            }
        };
        let Some(peer) = peer_of(&addr) else {
            tracing::debug!(address = %addr, "skipped a peer address without /p2p/<peer id>");
            continue;
        };
        if peer == *own || connected.contains(&peer) || chosen.iter().any(|(p, _)| *p == peer) {
            continue;
        }
        chosen.push((peer, addr));
    }
    chosen
}

fn multiaddr(address: &str) -> Result<Multiaddr, String> {
    address.parse().map_err(|e| format!("{address:?} is not a multiaddr (like /ip4/203.0.113.7/tcp/9700): {e}"))
}

/// Checks that `address` is a multiaddr.
pub fn check_multiaddr(address: &str) -> Result<(), String> {
    multiaddr(address).map(|_| ())
}

/// Checks that `address` is one other nodes can dial and tell apart: a multiaddr ending
/// in `/p2p/<peer id>`.
pub fn check_announced(address: &str) -> Result<(), String> {
    match peer_of(&multiaddr(address)?) {
        Some(_) => Ok(()),
        None => Err(format!("{address:?} names no peer: end it with /p2p/<peer id> (GET /health says this node's)")),
    }
}

/// `address` (a multiaddr) naming the peer `peer_id`: as given if it ends with
/// `/p2p/<peer_id>`, else with that appended; refused if it names another peer.
pub fn naming_peer(address: &str, peer_id: &str) -> Result<String, String> {
    let addr = multiaddr(address)?;
    let peer: PeerId = peer_id.parse().map_err(|e| format!("{peer_id:?} is not a peer id: {e}"))?;
    match peer_of(&addr) {
        Some(named) if named == peer => Ok(addr.to_string()),
        Some(named) => Err(format!("{address:?} names peer {named}, but this node is {peer}")),
        None => Ok(addr.with(Protocol::P2p(peer)).to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn addr(port: u16, peer: &PeerId) -> String {
        format!("/ip4/10.0.0.1/tcp/{port}/p2p/{peer}")
    }

    #[test]
    fn own_connected_junk_and_duplicates_are_skipped() {
        let (own, connected_peer, a, b) = (PeerId::random(), PeerId::random(), PeerId::random(), PeerId::random());
        let connected = HashSet::from([connected_peer]);
        let found = vec![
            addr(1, &own),
            "not a multiaddr".into(),
            "/ip4/10.0.0.9/tcp/9700".into(), // no peer id: cannot tell whom it reaches
            "x".repeat(256),
            addr(2, &connected_peer),
            addr(3, &a),
            addr(4, &a), // the same peer again
            addr(5, &b),
        ];
        let chosen = dialable(&found, &own, &connected, 64);
        let chosen: Vec<(PeerId, String)> = chosen.into_iter().map(|(p, a)| (p, a.to_string())).collect();
        assert_eq!(chosen, vec![(a, addr(3, &a)), (b, addr(5, &b))]);
    }

    #[test]
    fn at_most_cap_are_dialled_per_round() {
        let own = PeerId::random();
        let found: Vec<String> = (0..100).map(|i| addr(i, &PeerId::random())).collect();
        assert_eq!(dialable(&found, &own, &HashSet::new(), 64).len(), 64);
        assert_eq!(dialable(&found[..3], &own, &HashSet::new(), 64).len(), 3);
    }

    #[test]
    fn an_announced_address_must_name_its_peer() {
        let peer = PeerId::random();
        check_announced(&addr(9700, &peer)).unwrap();
        assert!(check_announced("/ip4/10.0.0.1/tcp/9700").unwrap_err().contains("end it with /p2p/<peer id>"));
        assert!(check_announced("10.0.0.1:9700").unwrap_err().contains("is not a multiaddr"));
    }

    #[test]
    fn this_nodes_peer_id_is_appended_once_and_another_is_refused() {
        let (own, other) = (PeerId::random(), PeerId::random());
        let bare = "/dns4/node.example.com/tcp/9700";
        let named = format!("{bare}/p2p/{own}");
        assert_eq!(naming_peer(bare, &own.to_string()).unwrap(), named);
        assert_eq!(naming_peer(&named, &own.to_string()).unwrap(), named);
        let err = naming_peer(&format!("{bare}/p2p/{other}"), &own.to_string()).unwrap_err();
        assert!(err.contains(&format!("names peer {other}, but this node is {own}")), "{err}");
    }
}
