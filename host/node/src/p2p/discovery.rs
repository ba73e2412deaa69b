//! Peers from the chain: each operator publishes where its node is reached at the managers
//! it serves (`POST /p2p/announce`), and every node reads those lists and dials what it is
//! not connected to yet. The lists are untrusted text: `wavs_p2p::dialable` parses them,
//! skips junk, this node itself and peers already connected, and bounds each round.

use super::Peers;
use crate::chains::Chains;
use crate::error::{NodeError, Result};
use std::sync::Arc;
use std::time::Duration;

/// How often the managers' lists are read (the first time at start).
const ROUND: Duration = Duration::from_secs(15);

impl Peers {
    /// Where other nodes reach this one, naming its peer id: `[p2p] announce`, else the
    /// first address gossip is bound to that is no wildcard.
    pub async fn own_address(&self) -> Result<String> {
        let address = match &self.announce {
            Some(address) => address.clone(),
            None => self.gossip.listening().await.into_iter().find(|a| !is_wildcard(a)).ok_or_else(|| {
                NodeError::Invalid("gossip is bound to no address others can dial: set [p2p] announce".into())
            })?,
        };
        wavs_p2p::naming_peer(&address, &self.gossip.peer_id()).map_err(|e| NodeError::Invalid(format!("[p2p] announce: {e}")))
    }

    /// Every [`ROUND`], reads the peer addresses of every manager the embedded aggregator
    /// serves (through this node's adapter for its chain) and dials the new ones. Does
    /// nothing with `[p2p] peers-from-chain = false`.
    pub(crate) async fn discover(self: Arc<Self>, chains: Arc<Chains>) {
        if !self.from_chain {
            return;
        }
        let mut round = tokio::time::interval(ROUND);
        loop {
            round.tick().await;
            let found = self.read_managers(&chains).await;
            match self.gossip.dial_found(found).await {
                Ok(0) => {}
                Ok(dialled) => tracing::info!(dialled, "dialling peers found on chain"),
                Err(e) => return tracing::debug!("peer discovery stops: {e}"),
            }
        }
    }

    /// What the served managers list; a manager that cannot be read now is skipped (the
    /// next round tries again).
    async fn read_managers(&self, chains: &Chains) -> Vec<String> {
        let mut found = Vec::new();
        for (chain, manager) in self.aggregator.served_managers() {
            let Some((name, served)) = chains.resolve(&chain) else {
                tracing::debug!(%chain, %manager, "no chain here to read the manager's peer addresses from");
                continue;
            };
            match served.adapter.peer_addresses(&manager).await {
                Ok(addresses) => found.extend(addresses),
                Err(e) => tracing::debug!(chain = %name, %manager, "cannot read the manager's peer addresses: {e}"),
            }
        }
        found
    }
}

/// Whether `address` listens on every interface (`0.0.0.0`, `::`): no address to dial.
fn is_wildcard(address: &str) -> bool {
    address.starts_with("/ip4/0.0.0.0/") || address.starts_with("/ip6/::/")
}
