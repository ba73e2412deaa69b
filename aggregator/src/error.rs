//! The aggregator's error type; each variant says whether retrying helps and maps to an
//! HTTP status with an [`ApiError`] body.

use axum::Json;
use axum::http::{HeaderValue, StatusCode, header};
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
    /// The target (chain, manager, handler) is not served here, or the chain says the
    /// handler does not validate with the named manager. Refused before any chain work.
    #[error("{0}")]
    UnknownTarget(String),
    /// An endpoint that changes the aggregator was called without its API token.
    #[error("{0}")]
    Unauthorized(String),
    /// Nothing is known under that name.
    #[error("{0}")]
    NotFound(String),
    /// Something of that name exists already.
    #[error("{0}")]
    Conflict(String),
    /// A submission names a chain not served here yet: its sender keeps it and sends it
    /// again, so it lands once the chain is added.
    #[error("{0}")]
    ChainNotConfigured(String),
    /// The target is at its caps; sending again later may pass.
    #[error("{0}")]
    Busy(String),
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
    /// The store had an I/O error (a full disk, say) and is closed until it accepts
    /// writes again; nothing is acknowledged meanwhile.
    #[error("store unavailable: {0}; nothing was acknowledged: send again later")]
    StoreUnavailable(String),
    /// The store cannot be used again without losing what was acknowledged: the
    /// aggregator stops.
    #[error("store lost: {0}")]
    StoreFatal(String),
}

impl AggregatorError {
    /// Whether sending the same request again may succeed.
    pub fn is_retryable(&self) -> bool {
        match self {
            AggregatorError::Runtime(e) => e.is_retryable(),
            AggregatorError::Io(_)
            | AggregatorError::Store(_)
            | AggregatorError::StoreUnavailable(_)
            | AggregatorError::StoreFatal(_)
            | AggregatorError::ChainNotConfigured(_)
            | AggregatorError::Busy(_) => true,
            _ => false,
        }
    }
}

impl AggregatorError {
    /// The HTTP status it is answered with.
    pub fn status_code(&self) -> StatusCode {
        match self {
            AggregatorError::Invalid(_) | AggregatorError::Config(_) => StatusCode::BAD_REQUEST,
            AggregatorError::Forbidden(_) | AggregatorError::UnknownTarget(_) => StatusCode::FORBIDDEN,
            AggregatorError::Unauthorized(_) => StatusCode::UNAUTHORIZED,
            AggregatorError::NotFound(_) => StatusCode::NOT_FOUND,
            AggregatorError::Conflict(_) => StatusCode::CONFLICT,
            AggregatorError::Busy(_) => StatusCode::TOO_MANY_REQUESTS,
            e if e.is_retryable() => StatusCode::SERVICE_UNAVAILABLE,
            _ => StatusCode::BAD_REQUEST,
        }
    }

    /// The same failure again, for each of several callers it reached (one commit's).
    pub fn duplicate(&self) -> AggregatorError {
        match self {
            AggregatorError::StoreFatal(why) => AggregatorError::StoreFatal(why.clone()),
            AggregatorError::StoreUnavailable(why) => AggregatorError::StoreUnavailable(why.clone()),
            other => AggregatorError::Store(other.to_string()),
        }
    }
}

impl IntoResponse for AggregatorError {
    fn into_response(self) -> Response {
        let status = self.status_code();
        let body = ApiError { error: self.to_string(), retryable: self.is_retryable() };
        let mut response = (status, Json(body)).into_response();
        if status == StatusCode::UNAUTHORIZED {
            response.headers_mut().insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        if matches!(status, StatusCode::TOO_MANY_REQUESTS | StatusCode::SERVICE_UNAVAILABLE) {
            response.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from_static("5"));
        }
        response
    }
}

/// Result alias.
pub type Result<T, E = AggregatorError> = std::result::Result<T, E>;
