//! Gossip between operator nodes: each node publishes the signed envelopes it makes on
//! one gossipsub topic and hears everyone else's, so every node can count signatures and
//! submit without a standalone aggregator.
//!
//! It carries bytes only. Peers are untrusted: the transport is authenticated (noise)
//! but a peer's identity proves nothing about an envelope, so the receiver verifies every
//! signature itself, as the aggregator's HTTP intake does. What this crate bounds is the
//! work a peer can cause: messages over [`GossipConfig::max_message_bytes`] are refused
//! by gossipsub before they reach the receiver, and the receiving channel is bounded
//! (when it is full, messages are dropped, never queued without end).

mod discover;
mod error;
mod identity;
mod swarm;

pub use discover::{check_announced, check_multiaddr, dialable, naming_peer};
pub use error::P2pError;

use std::path::PathBuf;
use std::time::Duration;
use tokio::sync::{mpsc, oneshot, watch};

/// The topic every node publishes envelopes on; the version names the message format.
pub const ENVELOPES_TOPIC: &str = "wavs/envelopes/1";

/// The most addresses [`Gossip::dial_found`] dials at once: a list from an untrusted source
/// costs bounded work per round.
pub const MAX_DIALS_PER_ROUND: usize = 64;

/// Where a node listens and whom it dials (the node's `[p2p]` section).
#[derive(Debug, Clone)]
pub struct GossipConfig {
    /// Multiaddrs to listen on, e.g. `/ip4/0.0.0.0/tcp/9700` (`tcp/0`: any free port).
    pub listen: Vec<String>,
    /// Multiaddrs of peers to dial at start, e.g. `/ip4/10.0.0.2/tcp/9700`; dialled again
    /// while not connected.
    pub peers: Vec<String>,
    /// Largest message sent or taken.
    pub max_message_bytes: usize,
    /// Messages heard and not yet taken by the receiver; more are dropped.
    pub inbox: usize,
    /// How long after losing a peer it is dialled again.
    pub redial: Duration,
    /// Where the transport key (hence the peer id) is kept across restarts; none: a fresh
    /// one per start.
    pub identity: Option<PathBuf>,
}

impl Default for GossipConfig {
    fn default() -> Self {
        GossipConfig {
            listen: vec!["/ip4/127.0.0.1/tcp/0".into()],
            peers: Vec::new(),
            max_message_bytes: 256 * 1024,
            inbox: 4096,
            redial: Duration::from_secs(2),
            identity: None,
        }
    }
}

/// A message heard from a peer.
#[derive(Debug, Clone)]
pub struct Heard {
    /// The bytes as published (at most `max_message_bytes`).
    pub data: Vec<u8>,
    /// The peer that relayed it, for logs only: it proves nothing about the content.
    pub from: String,
}

/// What the handle asks of the swarm task.
pub(crate) enum Command {
    Publish(Vec<u8>, oneshot::Sender<Result<(), P2pError>>),
    /// Dial what [`dialable`] keeps of these addresses; answers how many were dialled.
    Dial(Vec<String>, oneshot::Sender<usize>),
}

/// A running gossip node: publish with [`Gossip::publish`], hear from the receiver
/// [`Gossip::start`] returned. Dropping every handle stops it.
#[derive(Clone)]
pub struct Gossip {
    commands: mpsc::Sender<Command>,
    status: watch::Receiver<swarm::Status>,
    max_message_bytes: usize,
}

impl Gossip {
    /// Starts listening and dialling `config.peers`; gives the handle and the receiver of
    /// what peers publish.
    pub async fn start(config: GossipConfig) -> Result<(Gossip, mpsc::Receiver<Heard>), P2pError> {
        if config.max_message_bytes == 0 || config.inbox == 0 {
            return Err(P2pError::InvalidConfig("max-message-bytes and inbox must be above zero".into()));
        }
        let (commands, status, heard) = swarm::spawn(&config)?;
        let gossip = Gossip { commands, status, max_message_bytes: config.max_message_bytes };
        Ok((gossip, heard))
    }

    /// Publishes `data` to every peer on the topic. `NoPeers` (retryable) while no peer
    /// hears the topic.
    pub async fn publish(&self, data: Vec<u8>) -> Result<(), P2pError> {
        if data.len() > self.max_message_bytes {
            return Err(P2pError::TooLarge { size: data.len(), cap: self.max_message_bytes });
        }
        let (done, answer) = oneshot::channel();
        self.commands.send(Command::Publish(data, done)).await.map_err(|_| P2pError::Stopped)?;
        answer.await.map_err(|_| P2pError::Stopped)?
    }

    /// Dials the addresses of `found` (untrusted, e.g. read from a chain) that name a peer
    /// this node is not connected to and is not itself, at most [`MAX_DIALS_PER_ROUND`];
    /// how many it dialled. Junk is skipped with a debug log.
    pub async fn dial_found(&self, found: Vec<String>) -> Result<usize, P2pError> {
        let (done, answer) = oneshot::channel();
        self.commands.send(Command::Dial(found, done)).await.map_err(|_| P2pError::Stopped)?;
        answer.await.map_err(|_| P2pError::Stopped)
    }

    /// This node's peer id, which other nodes' addresses for it end with (`/p2p/<id>`).
    pub fn peer_id(&self) -> String {
        self.status.borrow().peer_id.clone()
    }

    /// The addresses this node listens on (known once the sockets are bound).
    pub fn listen_addrs(&self) -> Vec<String> {
        self.status.borrow().listening.clone()
    }

    /// How many peers currently hear the topic.
    pub fn topic_peers(&self) -> usize {
        self.status.borrow().topic_peers
    }

    /// Waits until the node listens somewhere; its addresses.
    pub async fn listening(&self) -> Vec<String> {
        let mut status = self.status.clone();
        match status.wait_for(|s| !s.listening.is_empty()).await {
            Ok(s) => s.listening.clone(),
            Err(_) => Vec::new(),
        }
    }

    /// Waits until at least `n` peers hear the topic.
    pub async fn wait_for_peers(&self, n: usize) {
        let mut status = self.status.clone();
        let _ = status.wait_for(|s| s.topic_peers >= n).await;
    }
}
