//! The bearer token that guards every endpoint that changes the node.
//!
//! With `api-token` set (config, or `WAVS_API_TOKEN`), every request but GET and HEAD must
//! carry `Authorization: Bearer <token>`; reads (health, metrics, status, executions) stay
//! open. Without it the API is open, as it is meant for loopback.

use crate::node::Node;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::Json;
use std::sync::Arc;
use wavs_types::ApiError;

/// Middleware: refuses a mutating request without the configured bearer token.
pub(super) async fn require_token(State(node): State<Arc<Node>>, request: Request, next: Next) -> Response {
    let Some(token) = node.config.api_token.as_deref() else { return next.run(request).await };
    if matches!(*request.method(), Method::GET | Method::HEAD) {
        return next.run(request).await;
    }
    match bearer(request.headers()) {
        Some(given) if same(given.as_bytes(), token.as_bytes()) => next.run(request).await,
        Some(_) => unauthorized(
            "the bearer token does not match this node's api-token: send `Authorization: Bearer <api-token>` with the token the node was started with",
        ),
        None => unauthorized(
            "this endpoint changes the node and needs its api-token: send `Authorization: Bearer <api-token>` (the `wavs` CLI sends WAVS_API_TOKEN)",
        ),
    }
}

/// The token of an `Authorization: Bearer <token>` header, if there is one.
fn bearer(headers: &HeaderMap) -> Option<&str> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?.trim();
    let (scheme, token) = value.split_once(' ')?;
    scheme.eq_ignore_ascii_case("bearer").then(|| token.trim())
}

/// Compares in time independent of where the first difference is.
fn same(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

fn unauthorized(error: &str) -> Response {
    let body = ApiError { error: error.into(), retryable: false };
    let mut response = (StatusCode::UNAUTHORIZED, Json(body)).into_response();
    response.headers_mut().insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_bearer_tokens() {
        let mut h = HeaderMap::new();
        assert_eq!(bearer(&h), None);
        h.insert(header::AUTHORIZATION, HeaderValue::from_static("Bearer abc"));
        assert_eq!(bearer(&h), Some("abc"));
        h.insert(header::AUTHORIZATION, HeaderValue::from_static("bearer  abc "));
        assert_eq!(bearer(&h), Some("abc"));
        h.insert(header::AUTHORIZATION, HeaderValue::from_static("Basic abc"));
        assert_eq!(bearer(&h), None);
        assert!(same(b"abc", b"abc"));
        assert!(!same(b"abc", b"abd"));
        assert!(!same(b"abc", b"abcd"));
    }
}
