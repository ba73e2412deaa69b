//! The node's p2p answers, typed: `POST /p2p/announce` (publishing this node's address at a
//! manager, so peers find it from the chain) and the `p2p` part of `GET /health`.

use serde::{Deserialize, Serialize};

/// `POST /p2p/announce`: where to publish this node's p2p address.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct AnnouncePeerRequest {
    /// The chain of the manager: the node's name for it, or `family:chain-id`.
    pub chain: String,
    /// The manager contract on that chain (one of a service's managers this operator is
    /// an operator of).
    pub manager: String,
    /// The multiaddr to publish, ending in `/p2p/<peer id>`; absent: this node's own
    /// (`[p2p] announce`, else the first routable address gossip is bound to, loopback if
    /// there is none, with its peer id).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address: Option<String>,
}

/// `POST /p2p/announce`: what the manager now holds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "kebab-case")]
pub struct PeerAnnounced {
    /// The node's name for the chain.
    pub chain: String,
    /// The manager it was published at.
    pub manager: String,
    /// The address published.
    pub address: String,
    /// Whether the manager lists it among its operators' addresses now (it does while this
    /// operator has weight there).
    pub listed: bool,
}

/// The node's gossip with other operators' nodes (`[p2p]`), in `GET /health`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "kebab-case")]
pub struct P2pHealth {
    /// This node's peer id: the `/p2p/<id>` its address ends with.
    pub peer_id: String,
    /// The addresses gossip is bound to.
    pub listening: Vec<String>,
    /// Peers that currently hear the envelopes topic.
    pub peers: usize,
    /// Whether the node dials the addresses its managers list (`[p2p] peers-from-chain`).
    pub peers_from_chain: bool,
}
