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

/// The `[p2p]` section of node `i`: it dials every other node (`list_peers`; else it lists
/// none and finds them from the chain), aggregates for `targets` on the devnet's chains
/// (`chains`, as `chains_toml` wrote them) and submits with a funded dev account of its own.
#[allow(clippy::too_many_arguments)]
pub fn p2p_section(
    i: usize,
    ports: &P2pPorts,
    dir: &Path,
    adapters: &Path,
    chains: &str,
    targets: &[Target<'_>],
    fallback_delay_ms: u64,
    list_peers: bool,
) -> String {
    let peers: Vec<String> = ports
        .gossip
        .iter()
        .enumerate()
        .filter(|(j, _)| *j != i && list_peers)
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

impl crate::Devnet {
    /// Whether the nodes aggregate themselves over p2p (no aggregator process).
    pub fn is_p2p(&self) -> bool {
        !self.embedded_aggregators.is_empty()
    }

    /// Operator `i` funds its account on chain `name` and publishes its node's p2p address
    /// at that chain's manager with `wavs p2p announce`, as an operator does so the other
    /// operators' nodes find its node; what wavs printed.
    pub async fn operator_announces(&self, i: usize, name: &str) -> Result<String, String> {
        let manager = self.chain(name)?.deployment.manager.clone();
        self.operator_announces_at(i, name, &manager).await
    }

    /// As [`Devnet::operator_announces`], at `manager` on chain `name`.
    pub async fn operator_announces_at(&self, i: usize, name: &str, manager: &str) -> Result<String, String> {
        self.fund_operator(&self.nodes[i].url, name).await?;
        let config = self.node_config(i).display().to_string();
        self.run_wavs(&["--config", &config, "p2p", "announce", "--chain", name, "--manager", manager].map(String::from)).await
    }

    /// The `[p2p]` and `[p2p.aggregator]` tables of node `i`'s config file as written:
    /// what the demo shows of how each operator joins the peer network. The targets,
    /// submitting key and chains that follow them are left out (the key is a secret).
    pub fn p2p_settings(&self, i: usize) -> Result<String, String> {
        let path = self.node_config(i);
        let text = std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
        Ok(tables(&text, &["[p2p]", "[p2p.aggregator]"]))
    }
}

/// The lines of the TOML tables named by `headers` (header lines included), in file order.
fn tables(text: &str, headers: &[&str]) -> String {
    let mut inside = false;
    let mut out = Vec::new();
    for line in text.lines() {
        let trimmed = line.trim();
        if trimmed.starts_with('[') {
            inside = headers.contains(&trimmed);
        }
        if inside && !trimmed.is_empty() {
            out.push(line);
        }
    }
    out.join("\n")
}

#[cfg(test)]
mod tests {
    #[test]
    fn only_the_named_tables_are_kept() {
        let text = "data-dir = \"d\"\n[p2p]\nlisten = [\"a\"]\n\n[p2p.aggregator]\napi-addr = \"x\"\n\n[p2p.aggregator.submitter]\nkey = \"secret\"\n";
        assert_eq!(super::tables(text, &["[p2p]", "[p2p.aggregator]"]), "[p2p]\nlisten = [\"a\"]\n[p2p.aggregator]\napi-addr = \"x\"");
    }
}
