//! `GET /openapi.json`: the OpenAPI 3.1 document of the aggregator's API, what a node of
//! any implementation must speak to it.
//!
//! Each operation comes from its handler's `#[utoipa::path]`, registered with the router
//! in [`super::routes`], and each schema is derived from its `wavs_types` type; only the
//! texts are written here. `aggregator/openapi.json` is a copy for readers, kept equal by
//! `tests/openapi.rs` (`WAVS_BLESS=1` rewrites it).

use axum::http::header;
use axum::response::IntoResponse;
use serde_json::{Value, json};
use std::sync::LazyLock;

/// What the document says of the API as a whole.
const DESCRIPTION: &str = "The aggregator's HTTP API. Operators' nodes post signed envelopes for the targets \
(chain, service manager, handler) it serves; once the signatures of a target's operators meet the manager's \
threshold, it submits the envelopes in batches. Every refusal answers with an `ApiError` JSON body that says \
whether sending again may succeed. Reading is open; registering and removing targets, and adding chains, \
need `Authorization: Bearer <api-token>`.";

/// The document, built once.
static DOCUMENT: LazyLock<String> =
    LazyLock::new(|| serde_json::to_string_pretty(&document()).expect("the document is JSON") + "\n");

/// The whole document: the operations and schemas of the router's handlers.
pub fn document() -> Value {
    let (_, api) = super::routes().split_for_parts();
    let mut doc = serde_json::to_value(api).expect("the document is JSON");
    doc["info"] = json!({ "title": "WAVS aggregator API", "version": env!("CARGO_PKG_VERSION"), "description": DESCRIPTION });
    doc["servers"] = json!([{ "url": "http://127.0.0.1:8001" }]);
    doc["tags"] = json!([
        { "name": "envelopes", "description": "Signed envelopes from operators, and where each stands." },
        { "name": "targets", "description": "What the aggregator serves." },
        { "name": "chains", "description": "The chains it submits to." },
        { "name": "status", "description": "What the aggregator is doing." },
    ]);
    doc["components"]["securitySchemes"] = json!({ "bearerAuth": {
        "type": "http",
        "scheme": "bearer",
        "description": "The aggregator's `api-token` (config, or `WAVS_AGGREGATOR_API_TOKEN`); needed to register or remove targets and to add chains.",
    }});
    doc
}

/// This document.
#[utoipa::path(get, path = "/openapi.json", tag = "status", operation_id = "openapi",
    responses((status = 200, description = "The OpenAPI 3.1 document.", body = Object)))]
pub(super) async fn openapi() -> impl IntoResponse {
    ([(header::CONTENT_TYPE, "application/json")], DOCUMENT.as_str())
}
