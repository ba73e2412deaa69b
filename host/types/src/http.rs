//! What the node's and the aggregator's HTTP APIs share: every refusal, including those
//! the framework makes before a handler runs (unknown path, wrong method, a path or body
//! that is not UTF-8), answers with an [`ApiError`] JSON body.

use crate::ApiError;
use axum::Json;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};

/// Rewrites a non-JSON error response into an [`ApiError`] body with the same status.
/// Use with `axum::middleware::map_response`.
pub async fn json_errors(response: Response) -> Response {
    let status = response.status();
    let is_json = response.headers().get(header::CONTENT_TYPE).is_some_and(|v| v.as_bytes().starts_with(b"application/json"));
    if !(status.is_client_error() || status.is_server_error()) || is_json {
        return response;
    }
    let text = axum::body::to_bytes(response.into_body(), 64 << 10).await.unwrap_or_default();
    let mut error = String::from_utf8_lossy(&text).trim().to_string();
    if error.is_empty() {
        error = status.canonical_reason().unwrap_or("refused").to_string();
    }
    (status, Json(ApiError { error, retryable: status.is_server_error() })).into_response()
}

/// The answer to a method an endpoint does not serve.
pub async fn method_not_allowed() -> Response {
    let body = ApiError { error: "method not allowed on this endpoint".into(), retryable: false };
    (StatusCode::METHOD_NOT_ALLOWED, Json(body)).into_response()
}
