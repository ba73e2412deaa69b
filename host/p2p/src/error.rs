//! The crate's one error type.

/// Why gossip could not start or a message could not go out.
#[derive(Debug, thiserror::Error)]
pub enum P2pError {
    /// The configuration is wrong (a listen address or peer that is not a multiaddr, a cap
    /// of zero); fix it, retrying will not help.
    #[error("invalid p2p configuration: {0}")]
    InvalidConfig(String),
    /// The message is over the size cap; it will never go out.
    #[error("message of {size} bytes is over the gossip cap of {cap} bytes")]
    TooLarge { size: usize, cap: usize },
    /// No peer hears the topic yet, or their queues are full; retry later.
    #[error("no peer took the message yet: {0}")]
    NoPeers(String),
    /// The gossip task has stopped (the node is shutting down).
    #[error("gossip has stopped")]
    Stopped,
}

impl P2pError {
    /// Whether trying the same thing again later may succeed.
    pub fn is_retryable(&self) -> bool {
        matches!(self, P2pError::NoPeers(_))
    }
}
