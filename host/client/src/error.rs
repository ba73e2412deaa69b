//! What a call to a node can end in besides its answer: the node was not reached, it
//! refused (with its `ApiError`, which says whether to try again), or it answered
//! something that is not the type the call expects.

use reqwest::StatusCode;
use wavs_types::ApiError;

/// A failed call to a node's API.
#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    /// No answer: the node is down, or the URL is wrong.
    #[error("cannot reach the node at {base}: {source}")]
    Unreachable {
        /// The node's base URL.
        base: String,
        /// What the HTTP client said.
        source: reqwest::Error,
    },
    /// The node answered with an error status. A body that is not an `ApiError` is
    /// kept as its text in `error.error`.
    #[error("node answered {status}: {}", error.error)]
    Refused {
        /// The HTTP status.
        status: StatusCode,
        /// What went wrong and whether sending again may succeed.
        error: ApiError,
    },
    /// The node answered 2xx with a body that is not what the call returns.
    #[error("unexpected answer to {what}: {source}")]
    Unexpected {
        /// The call, e.g. `GET /health`.
        what: String,
        /// Why the body did not fit.
        source: serde_json::Error,
    },
}

impl ClientError {
    /// Whether sending the same request again may succeed: the node was unreachable, or
    /// it said so.
    pub fn retryable(&self) -> bool {
        match self {
            ClientError::Unreachable { .. } => true,
            ClientError::Refused { error, .. } => error.retryable,
            ClientError::Unexpected { .. } => false,
        }
    }

    /// The HTTP status of a refusal.
    pub fn status(&self) -> Option<StatusCode> {
        match self {
            ClientError::Refused { status, .. } => Some(*status),
            _ => None,
        }
    }
}
