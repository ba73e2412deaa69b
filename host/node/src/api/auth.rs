//! The bearer token that guards every endpoint that changes the node.
//!
//! Every request but GET and HEAD must carry `Authorization: Bearer <token>`; reads
//! (health, metrics, status, executions) stay open, though `GET /services` shows
//! component config values only with the token ([`super::redact`]). The token is the
//! configured `api-token` (or `WAVS_API_TOKEN`), else the one the node generated in its
//! data dir at its first start ([`super::token`]). Only `api-token = "none"` opens the
//! API. A node opened in process without a resolved token refuses every change.

use super::token::ApiToken;
use super::ApiState;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::Json;
use std::sync::Arc;
use wavs_types::ApiError;

/// Whether `headers` carry what `token` asks for: anything when the API is open, the
/// secret when there is one, and nothing is enough when no token was resolved.
pub fn authorized(token: Option<&ApiToken>, headers: &HeaderMap) -> bool {
    match token {
        Some(ApiToken::Open) => true,
        Some(secret) => secret.check(headers).is_ok(),
        None => false,
    }
}

/// Middleware: refuses a mutating request without the node's bearer token.
pub(super) async fn require_token(State(api): State<Arc<ApiState>>, request: Request, next: Next) -> Response {
    if matches!(*request.method(), Method::GET | Method::HEAD) {
        return next.run(request).await;
    }
    let token = api.token.as_ref();
    if authorized(token, request.headers()) {
        return next.run(request).await;
    }
    match (token, wavs_types::api_token::bearer(request.headers())) {
        (None, _) => unauthorized(
            "this node has no API token (it was opened without `wavs node`, which generates one): set api-token in its \
             configuration, or api-token = \"none\" to open it",
        ),
        (_, Some(_)) => unauthorized(
            "the bearer token does not match this node's API token: send `Authorization: Bearer <token>` with the token \
             of the node you are talking to (`wavs --config <node.toml>` reads it, or WAVS_API_TOKEN)",
        ),
        (_, None) => unauthorized(
            "this endpoint changes the node and needs its API token: send `Authorization: Bearer <token>`. The token is \
             the node's api-token setting, or the file `api-token` the node generated in its data dir; \
             `wavs --config <node.toml>` finds and sends it (or set WAVS_API_TOKEN)",
        ),
    }
}

/// A 401 saying `error`, with `WWW-Authenticate: Bearer`.
pub(super) fn unauthorized(error: &str) -> Response {
    let body = ApiError { error: error.into(), retryable: false };
    let mut response = (StatusCode::UNAUTHORIZED, Json(body)).into_response();
    response.headers_mut().insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn open_secret_and_unresolved_tokens() {
        let mut h = HeaderMap::new();
        assert!(authorized(Some(&ApiToken::Open), &h));
        assert!(!authorized(None, &h), "no resolved token: closed");
        let secret = ApiToken::secret_of("abc");
        assert!(!authorized(Some(&secret), &h));
        h.insert(header::AUTHORIZATION, HeaderValue::from_static("Bearer abc"));
        assert!(authorized(Some(&secret), &h));
        assert!(!authorized(None, &h));
    }
}
