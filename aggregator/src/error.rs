//! The aggregator's error type; each variant says whether retrying helps and maps to an
//! HTTP status with an [`ApiError`] body.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use thiserror::Error;
use wavs_types::ApiError;

/// What went wrong.
#[derive(Debug, Error)]
pub enum AggregatorError {
    /// The request is malformed; fix it.
    #[error("{0}")]
    Invalid(String),
    /// The signer is not an operator of the service; never counted.
    #[error("{0}")]
    Forbidden(String),
    /// Nothing is known under that name.
    #[error("{0}")]
    NotFound(String),
    /// A chain adapter or the chain failed (retryability as the runtime says).
    #[error(transparent)]
    Runtime(#[from] wavs_runtime::RuntimeError),
    /// Configuration is unusable.
    #[error("config: {0}")]
    Config(String),
    /// Local I/O failed.
    #[error("i/o: {0}")]
    Io(#[from] std::io::Error),
    /// The durable store (`<data-dir>/aggregator.redb`) failed, so nothing was
    /// acknowledged; sending again may pass once the disk accepts writes.
    #[error("store: {0}")]
    Store(String),
}

impl AggregatorError {
    /// Whether sending the same request again may succeed.
    pub fn is_retryable(&self) -> bool {
        match self {
            AggregatorError::Runtime(e) => e.is_retryable(),
            AggregatorError::Io(_) | AggregatorError::Store(_) => true,
            _ => false,
        }
    }
}

impl IntoResponse for AggregatorError {
    fn into_response(self) -> Response {
        let status = match &self {
            AggregatorError::Invalid(_) | AggregatorError::Config(_) => StatusCode::BAD_REQUEST,
            AggregatorError::Forbidden(_) => StatusCode::FORBIDDEN,
            AggregatorError::NotFound(_) => StatusCode::NOT_FOUND,
            e if e.is_retryable() => StatusCode::SERVICE_UNAVAILABLE,
            _ => StatusCode::BAD_REQUEST,
        };
        (status, Json(ApiError { error: self.to_string(), retryable: self.is_retryable() })).into_response()
    }
}

macro_rules! store_error {
    ($($t:ty),*) => {$(
        impl From<$t> for AggregatorError {
            fn from(e: $t) -> Self {
                AggregatorError::Store(format!(
                    "{e}; nothing was acknowledged: send again, and if this persists check the disk under data-dir"
                ))
            }
        }
    )*};
}
store_error!(redb::TransactionError, redb::TableError, redb::StorageError, redb::CommitError);

/// Result alias.
pub type Result<T, E = AggregatorError> = std::result::Result<T, E>;
