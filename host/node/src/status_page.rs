//! The status page: one self-contained HTML file (no external resources) that polls the
//! JSON API (`/health`, `/services`, `/adapters`, `/executions`) every two seconds and
//! shows chains, adapters, services and recent executions. Served at `GET /` and
//! `GET /status`; it only reads.

use axum::http::header;
use axum::response::IntoResponse;

/// The page, embedded in the binary.
pub const PAGE: &str = include_str!("status_page.html");

/// Inline script and style only; data from the node's own API; nothing else.
const CSP: &str = "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; \
                   connect-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/// `GET /` and `GET /status`.
pub async fn page() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/html; charset=utf-8"),
            (header::CACHE_CONTROL, "no-cache"),
            (header::CONTENT_SECURITY_POLICY, CSP),
            (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        ],
        PAGE,
    )
}
