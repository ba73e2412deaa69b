//! Devnets without an aggregator process: every node aggregates itself (`[p2p]`),
//! exchanging signed envelopes over gossip and submitting in turn.

use crate::keys::dev_key_toml;
use crate::launch::Target;
use std::path::Path;

/// Node `i` submits with dev account `P2P_SUBMITTER_BASE + i` (funded on every local
/// chain; no aggregator process runs to use 1, 7, 8 or 9 then, and operators sign with
/// keys derived from 2.., never with those accounts).
pub const P2P_SUBMITTER_BASE: u32 = 5;

/// Most nodes a p2p devnet can fund (dev accounts 5..=9).
pub const MAX_P2P_NODES: usize = 5;

/// Where node `i` of a p2p devnet listens and its embedded aggregator serves.
pub struct P2pPorts {
    /// Each node's gossip port.
    pub gossip: Vec<u16>,
    /// Each node's embedded aggregator API port.
    pub aggregator: Vec<u16>,
}

/// The `[p2p]` section of node `i`: it dials every other node, aggregates for
/// `targets` on the devnet's chains (`chains`, as `chains_toml` wrote them) and submits
/// with a funded dev account of its own.
pub fn p2p_section(i: usize, ports: &P2pPorts, dir: &Path, adapters: &Path, chains: &str, targets: &[Target<'_>], fallback_delay_ms: u64) -> String {
    let peers: Vec<String> = ports
        .gossip
        .iter()
        .enumerate()
        .filter(|(j, _)| *j != i)
        .map(|(_, port)| format!("\"/ip4/127.0.0.1/tcp/{port}\""))
        .collect();
    let mut out = format!(
        "[p2p]\nlisten = [\"/ip4/127.0.0.1/tcp/{gossip}\"]\npeers = [{peers}]\nfallback-delay-ms = {fallback_delay_ms}\n\n\
         [p2p.aggregator]\ndata-dir = \"{data}\"\nadapters-dir = \"{adapters}\"\napi-addr = \"127.0.0.1:{api}\"\nbatch-interval-ms = 100\n\n",
        gossip = ports.gossip[i],
        peers = peers.join(", "),
        data = dir.join(format!("node{}-aggregator", i + 1)).display(),
        adapters = adapters.display(),
        api = ports.aggregator[i],
    );
    for t in targets {
        out += &format!("[[p2p.aggregator.targets]]\nchain = \"{}\"\nmanager = \"{}\"\nhandler = \"{}\"\n\n", t.chain, t.manager, t.handler);
    }
    let account = P2P_SUBMITTER_BASE + i as u32;
    out += &format!("[p2p.aggregator.submitter]\n{}\n\n", dev_key_toml(account));
    // The same funded account on every chain (each chain keeps its own nonces).
    for t in targets {
        out += &format!(
            "[p2p.aggregator.submitter.chains.{}]\nhd-path = \"m/44'/60'/0'/0/{account}\"\n\n",
            t.chain
        );
    }
    out + &chains.replace("[chains.", "[p2p.aggregator.chains.")
}
