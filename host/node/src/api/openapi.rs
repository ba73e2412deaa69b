//! `GET /openapi.json`: the OpenAPI 3 document of this API, written by hand in
//! `host/node/openapi.json`. `tests/api_openapi.rs` checks that it names every route of
//! the router and nothing else.

use axum::http::header;
use axum::response::IntoResponse;

/// The document, as served.
pub const DOCUMENT: &str = include_str!("../../openapi.json");

pub(super) async fn openapi() -> impl IntoResponse {
    ([(header::CONTENT_TYPE, "application/json")], DOCUMENT)
}
