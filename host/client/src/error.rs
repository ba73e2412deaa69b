//! What a call to a node or an aggregator can end in besides its answer: the server was
//! not reached, it refused (with its `ApiError`, which says whether to try again), or it
//! answered something that is not the type the call expects.

use reqwest::StatusCode;
use wavs_types::ApiError;

/// A failed call to a node's or an aggregator's API.
#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    /// No answer: the server is down, or the URL is wrong.
    #[error("cannot reach {base}: {source}")]
    Unreachable {
        /// The server's base URL.
        base: String,
        /// What the HTTP client said.
        source: reqwest::Error,
    },
    /// The server answered with an error status. A body that is not an `ApiError` is
    /// kept as its text in `error.error`.
    #[error("{base} answered {status}: {}", error.error)]
    Refused {
        /// The server's base URL.
        base: String,
        /// The HTTP status.
        status: StatusCode,
        /// What went wrong and whether sending again may succeed.
        error: ApiError,
    },
    /// The server answered 2xx with a body that is not what the call returns.
    #[error("unexpected answer to {what}: {source}")]
    Unexpected {
        /// The call, e.g. `GET /health`.
        what: String,
        /// Why the body did not fit.
        source: serde_json::Error,
    },
}

impl ClientError {
    /// Whether sending the same request again may succeed: the server was unreachable,
    /// or it said so.
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
