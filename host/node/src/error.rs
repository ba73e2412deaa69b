//! The node's error type. Variants say whether trying again can help, and map to HTTP.

use thiserror::Error;

/// What went wrong in the node.
#[derive(Debug, Error)]
pub enum NodeError {
    /// The request or configuration is wrong; fix it and send again.
    #[error("{0}")]
    Invalid(String),
    /// A referenced thing does not exist.
    #[error("{0}")]
    NotFound(String),
    /// The request clashes with the node's state (a name taken, a service paused);
    /// change the state or the request first.
    #[error("{0}")]
    Conflict(String),
    /// WASM runtime or adapter failure (retryability as the runtime classifies it).
    #[error(transparent)]
    Runtime(#[from] wavs_runtime::RuntimeError),
    /// Not possible right now; the same request may pass later.
    #[error("{0}")]
    Unavailable(String),
    /// The on-disk store failed.
    #[error("store: {0}")]
    Store(String),
    /// The aggregator could not be reached or refused temporarily.
    #[error("aggregator: {message}")]
    Aggregator { message: String, retryable: bool },
    /// Local I/O failed.
    #[error("i/o: {0}")]
    Io(#[from] std::io::Error),
}

impl NodeError {
    /// A short name for the cause, as executions are counted by it.
    pub fn kind(&self) -> &'static str {
        match self {
            NodeError::Invalid(_) => "invalid",
            NodeError::NotFound(_) => "not-found",
            NodeError::Conflict(_) => "conflict",
            NodeError::Unavailable(_) => "unavailable",
            NodeError::Runtime(e) => e.kind(),
            NodeError::Store(_) | NodeError::Io(_) => "node",
            NodeError::Aggregator { .. } => "aggregator",
        }
    }

    /// Whether the same request may succeed later.
    pub fn is_retryable(&self) -> bool {
        match self {
            NodeError::Invalid(_) | NodeError::NotFound(_) | NodeError::Conflict(_) => false,
            NodeError::Runtime(e) => e.is_retryable(),
            NodeError::Store(_) | NodeError::Io(_) | NodeError::Unavailable(_) => true,
            NodeError::Aggregator { retryable, .. } => *retryable,
        }
    }
}

macro_rules! store_error {
    ($($t:ty),*) => {$(
        impl From<$t> for NodeError {
            fn from(e: $t) -> Self {
                NodeError::Store(e.to_string())
            }
        }
    )*};
}
store_error!(
    redb::DatabaseError,
    redb::TransactionError,
    redb::TableError,
    redb::StorageError,
    redb::CommitError
);

/// Result alias for the node.
pub type Result<T, E = NodeError> = std::result::Result<T, E>;
