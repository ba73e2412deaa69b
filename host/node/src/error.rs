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
    /// Over one of the operator's storage caps (HTTP 413); the message names the cap, the
    /// size that went over it and what to do.
    #[error("{0}")]
    TooLarge(String),
    /// WASM runtime or adapter failure (retryability as the runtime classifies it).
    #[error(transparent)]
    Runtime(#[from] wavs_runtime::RuntimeError),
    /// Not possible right now; the same request may pass later.
    #[error("{0}")]
    Unavailable(String),
    /// The node is doing as much of this as it allows at once (HTTP 429); the same
    /// request passes once some finishes. The message says how many run.
    #[error("{0}")]
    Busy(String),
    /// The on-disk store failed; `source` is redb's error when it came from redb.
    #[error("store: {message}")]
    Store {
        message: String,
        #[source]
        source: Option<Box<redb::Error>>,
    },
    /// The store's disk failed (an I/O error, e.g. no space left). redb refuses every
    /// later transaction of a database that saw one, so the store reopens it; the same
    /// write may pass once the disk accepts writes again.
    #[error("store: {0}")]
    StoreIo(String),
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
            NodeError::TooLarge(_) => "too-large",
            NodeError::Unavailable(_) => "unavailable",
            NodeError::Busy(_) => "busy",
            NodeError::Runtime(e) => e.kind(),
            NodeError::Store { .. } | NodeError::StoreIo(_) | NodeError::Io(_) => "node",
            NodeError::Aggregator { .. } => "aggregator",
        }
    }

    /// Whether the same request may succeed later.
    pub fn is_retryable(&self) -> bool {
        match self {
            NodeError::Invalid(_) | NodeError::NotFound(_) | NodeError::Conflict(_) | NodeError::TooLarge(_) => false,
            NodeError::Runtime(e) => e.is_retryable(),
            NodeError::Store { .. } | NodeError::StoreIo(_) | NodeError::Io(_) | NodeError::Unavailable(_) | NodeError::Busy(_) => true,
            NodeError::Aggregator { retryable, .. } => *retryable,
        }
    }
}

/// redb errors become store errors; those that carry an I/O failure (directly, or as a
/// storage error inside a table, transaction, commit or open error) become
/// [`NodeError::StoreIo`], told apart by variant: the message text is redb's to change.
macro_rules! store_error {
    ($($t:ty => $storage:expr),* $(,)?) => {$(
        impl From<$t> for NodeError {
            fn from(e: $t) -> Self {
                let storage: fn(&$t) -> Option<&redb::StorageError> = $storage;
                match storage(&e).and_then(io_failure) {
                    Some(message) => NodeError::StoreIo(message),
                    None => NodeError::Store { message: e.to_string(), source: Some(Box::new(e.into())) },
                }
            }
        }
    )*};
}
store_error!(
    redb::StorageError => |e| Some(e),
    redb::DatabaseError => |e| match e { redb::DatabaseError::Storage(s) => Some(s), _ => None },
    redb::TransactionError => |e| match e { redb::TransactionError::Storage(s) => Some(s), _ => None },
    redb::TableError => |e| match e { redb::TableError::Storage(s) => Some(s), _ => None },
    redb::CommitError => |e| match e { redb::CommitError::Storage(s) => Some(s), _ => None },
);

/// What went wrong, if redb failed on I/O: now (`Io`), or earlier on the same database
/// (`PreviousIo`, its answer to everything after one).
fn io_failure(e: &redb::StorageError) -> Option<String> {
    match e {
        redb::StorageError::Io(io) => Some(format!("I/O error ({io})")),
        redb::StorageError::PreviousIo => Some("an earlier I/O error; redb refuses the database until it is reopened".into()),
        _ => None,
    }
}

impl NodeError {
    /// A store failure described in words (no underlying error to keep).
    pub fn store(message: impl Into<String>) -> NodeError {
        NodeError::Store { message: message.into(), source: None }
    }
}

/// Result alias for the node.
pub type Result<T, E = NodeError> = std::result::Result<T, E>;

#[cfg(test)]
mod tests {
    use super::*;
    use redb::{CommitError, DatabaseError, StorageError, TableError, TransactionError};

    fn enospc() -> StorageError {
        StorageError::Io(std::io::Error::from_raw_os_error(28))
    }

    #[test]
    fn io_failures_are_told_apart_from_other_store_errors_by_variant() {
        let io: Vec<NodeError> = vec![
            enospc().into(),
            StorageError::PreviousIo.into(),
            DatabaseError::Storage(enospc()).into(),
            TransactionError::Storage(StorageError::PreviousIo).into(),
            TableError::Storage(enospc()).into(),
            CommitError::Storage(enospc()).into(),
        ];
        for e in &io {
            assert!(matches!(e, NodeError::StoreIo(_)), "{e:?}");
            assert!(e.is_retryable(), "{e} may pass once the disk accepts writes");
            assert!(e.to_string().starts_with("store: "), "{e}");
        }
        assert_eq!(io[0].to_string(), "store: I/O error (No space left on device (os error 28))");
        let other: Vec<NodeError> = vec![
            StorageError::Corrupted("bad page".into()).into(),
            StorageError::DatabaseClosed.into(),
            DatabaseError::DatabaseAlreadyOpen.into(),
            DatabaseError::UpgradeRequired(1).into(),
            TableError::TableDoesNotExist("t".into()).into(),
            CommitError::Storage(StorageError::ValueTooLarge(1)).into(),
        ];
        for e in &other {
            assert!(matches!(e, NodeError::Store { source: Some(_), .. }), "{e:?}");
            assert!(std::error::Error::source(e).is_some(), "redb's error is kept as the source: {e}");
        }
    }
}
