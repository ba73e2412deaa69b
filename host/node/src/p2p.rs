//! Aggregating in the node (`[p2p]`): an embedded aggregator (the aggregator's own
//! library, with its own store under `[p2p.aggregator] data-dir`) counts this node's
//! signatures and every peer's, and submits in turn with the other nodes
//! (`wavs_aggregator::turns`). Every envelope this node signs is published on gossip;
//! every envelope heard goes through the aggregator's intake exactly as a `POST
//! /envelopes` would, so a peer's forged, replayed or misdirected signature is refused
//! there. The node's sender keeps posting to the embedded aggregator's loopback API, so
//! the outbox follows each envelope to its final state as it does with a standalone one.
//!
//! Peers come from `[p2p] peers` and, unless `peers-from-chain = false`, from the
//! managers this node aggregates for: each operator publishes its node's address there
//! (`POST /p2p/announce`) and every node dials what they list ([`discovery`]).

mod discovery;

pub use discovery::PeerLists;

use crate::error::{NodeError, Result};
use std::sync::Arc;
use tokio::sync::mpsc::Receiver;
use wavs_aggregator::Aggregator;
use wavs_p2p::{Gossip, Heard};
use wavs_types::SignedSubmission;
use wavs_types::p2p::P2pHealth;

/// The embedded aggregator and the gossip it hears from.
pub struct Peers {
    aggregator: Arc<Aggregator>,
    gossip: Gossip,
    /// `[p2p] announce`: where others reach this node, if not where gossip is bound.
    announce: Option<String>,
    /// `[p2p] peers-from-chain`.
    from_chain: bool,
}

impl Peers {
    /// Starts the embedded aggregator and gossip; gives them with the URL the sender
    /// posts to.
    pub(crate) async fn start(config: &crate::config::p2p::P2pConfig, data_dir: &std::path::Path) -> Result<(Arc<Peers>, String)> {
        let handle = Aggregator::start(config.aggregator())
            .await
            .map_err(|e| NodeError::Invalid(format!("[p2p.aggregator] cannot start: {e}")))?;
        let (gossip, heard) = Gossip::start(config.gossip(data_dir)).await.map_err(|e| NodeError::Invalid(format!("[p2p]: {e}")))?;
        let peers = Arc::new(Peers {
            aggregator: handle.aggregator.clone(),
            gossip,
            announce: config.announce.clone(),
            from_chain: config.peers_from_chain,
        });
        let url = format!("http://{}", handle.addr);
        tokio::spawn(peers.clone().hear(heard));
        tokio::spawn(async move {
            // The embedded store is gone: this node can no longer aggregate.
            let why = handle.fatal().await;
            tracing::error!("embedded aggregator stopped: {why}");
        });
        tracing::info!(peer_id = %peers.gossip.peer_id(), peers = config.peers.len(), peers_from_chain = config.peers_from_chain, fallback_delay_ms = config.fallback_delay_ms, "aggregating in this node over p2p");
        Ok((peers, url))
    }

    /// Addresses gossip listens on, once bound.
    pub async fn listening(&self) -> Vec<String> {
        self.gossip.listening().await
    }

    /// This node's peer id, addresses and peer count, for `GET /health`.
    pub fn health(&self) -> P2pHealth {
        P2pHealth {
            peer_id: self.gossip.peer_id(),
            listening: self.gossip.listen_addrs(),
            peers: self.gossip.topic_peers(),
            peers_from_chain: self.from_chain,
        }
    }

    /// Hands a signed envelope of this node's to its peers (and, until the embedded
    /// aggregator knows which operator it submits as at that manager, to it directly: an
    /// envelope already final there teaches nothing, so the next one is tried).
    pub(crate) fn share(self: &Arc<Self>, submission: &SignedSubmission) {
        let peers = self.clone();
        let submission = submission.clone();
        tokio::spawn(async move {
            if !peers.aggregator.knows_own(&submission.chain, &submission.manager)
                && let Err(e) = peers.aggregator.accept_own(&submission).await
            {
                tracing::warn!(chain = %submission.chain, "embedded aggregator refused this node's own signature: {e}");
            }
            let bytes = match serde_json::to_vec(&submission) {
                Ok(bytes) => bytes,
                Err(e) => return tracing::error!("cannot encode an envelope for gossip: {e}"),
            };
            // No peer yet is not an error: the outbox sends it again until it is final,
            // and each send publishes it again.
            if let Err(e) = peers.gossip.publish(bytes).await {
                tracing::debug!("envelope not gossiped now: {e}");
            }
        });
    }

    /// Counts what peers publish; junk and refusals are logged and dropped.
    async fn hear(self: Arc<Self>, mut heard: Receiver<Heard>) {
        while let Some(Heard { data, from }) = heard.recv().await {
            let submission: SignedSubmission = match serde_json::from_slice(&data) {
                Ok(s) => s,
                Err(e) => {
                    tracing::warn!(peer = %from, "dropped a gossip message that is not a signed envelope: {e}");
                    continue;
                }
            };
            if let Err(e) = self.aggregator.receive(&submission).await {
                tracing::debug!(peer = %from, "peer's envelope not counted: {e}");
            }
        }
    }
}
