//! The `[p2p]` section: this node aggregates itself, exchanging signed envelopes with
//! its peers over gossip instead of posting them to a standalone aggregator.

use serde::Deserialize;
use std::path::Path;
use wavs_aggregator::config::AggregatorConfig;

/// `[p2p]`: where to listen, whom to dial, how long each operator in line waits before
/// taking over a submission, and the embedded aggregator (`[p2p.aggregator]`, the same
/// keys as a standalone aggregator's file).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct P2pConfig {
    /// Multiaddrs to listen on for peers, e.g. `/ip4/0.0.0.0/tcp/9700`.
    #[serde(default = "default_listen")]
    pub listen: Vec<String>,
    /// Multiaddrs of other operators' nodes, e.g. `/ip4/10.0.0.2/tcp/9700`.
    #[serde(default)]
    pub peers: Vec<String>,
    /// Where other nodes reach this one, as `wavs p2p announce` publishes it by default
    /// (e.g. `/dns4/node.example.com/tcp/9700`; `/p2p/<peer id>` is added). Absent: the
    /// first non-loopback address gossip is bound to (loopback if there is no other),
    /// which behind NAT others may not reach.
    #[serde(default)]
    pub announce: Option<String>,
    /// Also dial the addresses the managers of this node's targets list (every 15 s): the
    /// operators' nodes find each other from the chain. On by default.
    #[serde(default = "default_true")]
    pub peers_from_chain: bool,
    /// Milliseconds each operator in line for an envelope waits after the one before
    /// it, before submitting it itself if it has not landed.
    #[serde(default = "default_fallback_delay")]
    pub fallback_delay_ms: u64,
    /// Largest gossip message sent or taken (a signed envelope as JSON).
    #[serde(default = "default_max_message")]
    pub max_message_bytes: usize,
    /// The embedded aggregator: its data dir, adapters dir, submitting key, chains and
    /// targets. Its `api-addr` should be a loopback address (`127.0.0.1:0`: any port).
    pub aggregator: AggregatorConfig,
}

fn default_listen() -> Vec<String> {
    vec!["/ip4/0.0.0.0/tcp/9700".into()]
}
fn default_true() -> bool {
    true
}
fn default_fallback_delay() -> u64 {
    10_000
}
fn default_max_message() -> usize {
    256 * 1024
}

impl P2pConfig {
    /// Checks values that parse but cannot work.
    pub fn validate(&self, aggregator_url: Option<&str>) -> Result<(), String> {
        if let Some(url) = aggregator_url {
            return Err(format!(
                "aggregator-url ({url}) and [p2p] are both set: with [p2p] the node aggregates itself; remove one"
            ));
        }
        if self.aggregator.turns.is_some() {
            return Err("[p2p.aggregator.turns] is set by the node from [p2p] fallback-delay-ms: remove it".into());
        }
        if let Some(address) = &self.announce {
            wavs_p2p::check_multiaddr(address).map_err(|e| format!("[p2p] announce: {e}"))?;
        }
        if self.max_message_bytes < 1024 {
            return Err("[p2p] max-message-bytes must be at least 1024 (a signed envelope as JSON)".into());
        }
        self.aggregator.validate().map_err(|e| format!("[p2p.aggregator]: {e}"))
    }

    /// The embedded aggregator's configuration, taking turns with the other nodes.
    pub fn aggregator(&self) -> AggregatorConfig {
        let turns = wavs_aggregator::turns::TurnsConfig { fallback_delay_ms: self.fallback_delay_ms };
        AggregatorConfig { turns: Some(turns), ..self.aggregator.clone() }
    }

    /// The gossip settings; the peer id is kept under the node's `data_dir` so the address
    /// published on chain stays valid across restarts.
    pub fn gossip(&self, data_dir: &Path) -> wavs_p2p::GossipConfig {
        wavs_p2p::GossipConfig {
            listen: self.listen.clone(),
            peers: self.peers.clone(),
            max_message_bytes: self.max_message_bytes,
            identity: Some(data_dir.join("p2p").join("identity")),
            ..wavs_p2p::GossipConfig::default()
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::config::NodeConfig;
    use crate::config::tests::GOOD as BASE;
    const P2P: &str = r#"
        [p2p]
        peers = ["/ip4/10.0.0.2/tcp/9700"]
        fallback-delay-ms = 3000
        [p2p.aggregator]
        data-dir = "/tmp/agg"
        adapters-dir = "/tmp/adapters"
        api-addr = "127.0.0.1:0"
        [p2p.aggregator.submitter]
        private-key = "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d"
    "#;

    #[test]
    fn the_embedded_aggregator_takes_turns_with_the_configured_delay() {
        let config = NodeConfig::parse(&format!("{BASE}{P2P}")).unwrap();
        config.validate().unwrap();
        let p2p = config.p2p.unwrap();
        assert_eq!(p2p.aggregator().turns.map(|t| t.fallback_delay_ms), Some(3000));
        assert_eq!(p2p.gossip(std::path::Path::new("/data")).peers, vec!["/ip4/10.0.0.2/tcp/9700".to_string()]);
        assert!(p2p.peers_from_chain, "on by default");
        assert_eq!(p2p.announce, None);
    }

    #[test]
    fn an_aggregator_url_beside_p2p_is_refused_saying_to_remove_one() {
        let text = BASE.replace("[operator]", "aggregator-url = \"http://127.0.0.1:8100\"\n[operator]");
        let err = NodeConfig::parse(&format!("{text}{P2P}")).unwrap().validate().unwrap_err();
        assert!(err.to_string().contains("aggregator-url (http://127.0.0.1:8100) and [p2p] are both set"), "{err}");
        assert!(err.to_string().contains("remove one"), "{err}");
    }

    #[test]
    fn an_announce_address_that_is_no_multiaddr_is_refused_and_one_without_peer_id_is_taken() {
        let bad = P2P.replace("fallback-delay-ms", "announce = \"node.example.com:9700\"\nfallback-delay-ms");
        let err = NodeConfig::parse(&format!("{BASE}{bad}")).unwrap().validate().unwrap_err();
        assert!(err.to_string().contains("[p2p] announce: \"node.example.com:9700") && err.to_string().contains("is not a multiaddr"), "{err}");
        let good = P2P.replace("fallback-delay-ms", "announce = \"/dns4/node.example.com/tcp/9700\"\npeers-from-chain = false\nfallback-delay-ms");
        let config = NodeConfig::parse(&format!("{BASE}{good}")).unwrap();
        config.validate().unwrap();
        assert!(!config.p2p.unwrap().peers_from_chain);
    }
}
