//! Peers from the chain: each operator publishes where its node is reached at the managers
//! it serves (`POST /p2p/announce`), and every node reads those lists and dials what it is
//! not connected to yet. The lists are untrusted text: `wavs_p2p::dialable` parses them,
//! skips junk, this node itself and peers already connected, and bounds each round.

use super::Peers;
use crate::error::{NodeError, Result};
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

/// Where the managers' lists are read: the node's chains, through their adapters
/// (`chains/peer_lists.rs`). A trait, so that p2p needs nothing of the chains.
pub trait PeerLists: Send + Sync {
    /// The peer addresses `manager` on `chain` (a name or `family:chain-id`) lists now.
    fn peer_addresses<'a>(&'a self, chain: &'a str, manager: &'a str) -> Pin<Box<dyn Future<Output = Result<Vec<String>>> + Send + 'a>>;
}

/// How often the managers' lists are read (the first time at start).
const ROUND: Duration = Duration::from_secs(15);

impl Peers {
    /// Where other nodes reach this one, naming its peer id: `[p2p] announce`, else an
    /// address gossip is bound to ([`default_announce`]).
    pub async fn own_address(&self) -> Result<String> {
        let address = match &self.announce {
            Some(address) => address.clone(),
            None => default_announce(&self.gossip.listening().await).ok_or_else(|| {
                NodeError::Invalid("gossip is bound to no address others can dial: set [p2p] announce".into())
            })?,
        };
        wavs_p2p::naming_peer(&address, &self.gossip.peer_id()).map_err(|e| NodeError::Invalid(format!("[p2p] announce: {e}")))
    }

    /// Every [`ROUND`], reads the peer addresses of every manager the embedded aggregator
    /// serves (through this node's adapter for its chain) and dials the new ones. Does
    /// nothing with `[p2p] peers-from-chain = false`.
    pub(crate) async fn discover(self: Arc<Self>, chains: Arc<dyn PeerLists>) {
        if !self.from_chain {
            return;
        }
        let mut round = tokio::time::interval(ROUND);
        loop {
            round.tick().await;
            let found = self.read_managers(&*chains).await;
            match self.gossip.dial_found(found).await {
                Ok(0) => {}
                Ok(dialled) => tracing::info!(dialled, "dialling peers found on chain"),
                Err(e) => return tracing::debug!("peer discovery stops: {e}"),
            }
        }
    }

    /// What the served managers list; a manager that cannot be read now is skipped (the
    /// next round tries again).
    async fn read_managers(&self, chains: &dyn PeerLists) -> Vec<String> {
        let mut found = Vec::new();
        for (chain, manager) in self.aggregator.served_managers() {
            match chains.peer_addresses(&chain, &manager).await {
                Ok(addresses) => found.extend(addresses),
                Err(e) => tracing::debug!(%chain, %manager, "cannot read the manager's peer addresses: {e}"),
            }
        }
        found
    }
}

/// The bound address to announce when `[p2p] announce` is not set: the first that is no
/// wildcard (`0.0.0.0`, `::`) nor loopback, else the first loopback one (a single-machine
/// devnet), else none.
fn default_announce(bound: &[String]) -> Option<String> {
    let wildcard = |a: &&String| a.starts_with("/ip4/0.0.0.0/") || a.starts_with("/ip6/::/");
    let loopback = |a: &&String| a.starts_with("/ip4/127.") || a.starts_with("/ip6/::1/");
    let dialable: Vec<&String> = bound.iter().filter(|a| !wildcard(a)).collect();
    dialable.iter().find(|a| !loopback(a)).or(dialable.first()).map(|a| a.to_string())
}

#[cfg(test)]
mod tests {
    use super::default_announce;

    #[test]
    fn a_routable_bound_address_is_announced_before_loopback_and_never_a_wildcard() {
        let bound = |list: &[&str]| list.iter().map(|a| a.to_string()).collect::<Vec<_>>();
        let lan = "/ip4/10.0.0.5/tcp/9700";
        assert_eq!(default_announce(&bound(&["/ip4/127.0.0.1/tcp/9700", lan])).as_deref(), Some(lan));
        assert_eq!(default_announce(&bound(&["/ip4/0.0.0.0/tcp/9700", "/ip4/127.0.0.1/tcp/9700"])).as_deref(), Some("/ip4/127.0.0.1/tcp/9700"));
        assert_eq!(default_announce(&bound(&["/ip4/0.0.0.0/tcp/9700", "/ip6/::/tcp/9700"])), None);
    }
}
