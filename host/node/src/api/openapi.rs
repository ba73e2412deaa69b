//! `GET /openapi.json`: the OpenAPI 3.1 document of this API.
//!
//! Nothing in it is written by hand but the texts: each operation comes from its
//! handler's `#[utoipa::path]`, registered with the router in [`super::routes`] (so the
//! router serves exactly what is documented), and each schema is derived from the wire
//! type in `wavs_types`. What the guards in front of every handler answer (401, 403,
//! 415, 421) is added here, once, as the guards apply it ([`guarded`]).
//! `host/node/openapi.json` is a copy for readers, kept equal by `tests/ops_api.rs`
//! (`WAVS_BLESS=1` rewrites it).

use axum::http::header;
use axum::response::IntoResponse;
use serde_json::{Value, json};
use std::sync::LazyLock;

/// What the document says of the API as a whole.
const DESCRIPTION: &str = "The operator node's HTTP API. Every refusal answers with an `ApiError` JSON body. \
Closed by default: every request but GET/HEAD must carry `Authorization: Bearer <token>`, where the token is the \
node's `api-token` (config, or `WAVS_API_TOKEN`) or, when none is configured, the one the node generated at its \
first start in `<data-dir>/api-token` (mode 0600; `wavs --config <node.toml>` reads it). Only `api-token = \"none\"` \
opens the API (logged as a warning at every start). Every request but GET/HEAD must also declare `Content-Type: \
application/json` (`application/wasm` for `POST /components`), else 415. A request whose `Host` is not one of the \
node's addresses (its api-addr, `localhost`, `127.0.0.1` or `[::1]` on its port, or a name in `api-allowed-hosts`) \
is refused with 421; one whose `Origin` is present and not one of those is refused with 403. `GET /services` shows \
component `config` values only with the token.";

/// The document, built once.
static DOCUMENT: LazyLock<String> =
    LazyLock::new(|| serde_json::to_string_pretty(&document()).expect("the document is JSON") + "\n");

/// The whole document: the operations and schemas of the router's handlers, with what
/// the guards answer.
pub fn document() -> Value {
    let (_, api) = super::routes().split_for_parts();
    let mut doc = serde_json::to_value(api).expect("the document is JSON");
    doc["info"] = json!({ "title": "WAVS node API", "version": env!("CARGO_PKG_VERSION"), "description": DESCRIPTION });
    doc["servers"] = json!([{ "url": "http://127.0.0.1:8000" }]);
    doc["tags"] = json!([
        { "name": "status", "description": "What the node is doing." },
        { "name": "services", "description": "Components and the services that run them." },
        { "name": "tasks", "description": "Manual tasks." },
        { "name": "chains", "description": "Chains served by the node." },
        { "name": "p2p", "description": "Gossip with other operators' nodes (`[p2p]`)." },
    ]);
    guarded(&mut doc);
    doc
}

/// The refusals of the guards in front of every handler, referenced from each operation
/// they apply to: every request may meet the `Host` (421) and `Origin` (403) checks; a
/// mutation (not GET) also needs the token (401) and a declared `Content-Type` (415).
fn guarded(doc: &mut Value) {
    let refusal = |description: &str| json!({ "description": description, "content": { "application/json": { "schema": { "$ref": "#/components/schemas/ApiError" } } } });
    let mut unauthorized = refusal("The request did not carry the node's API token (or carried another).");
    unauthorized["headers"] = json!({ "WWW-Authenticate": { "schema": { "type": "string", "example": "Bearer" } } });
    doc["components"]["responses"] = json!({
        "Unauthorized": unauthorized,
        "ForbiddenOrigin": refusal("The request's `Origin` is not one of the node's own (a page of another site): refused."),
        "MisdirectedHost": refusal("The request's `Host` is not one of the node's addresses (DNS rebinding): refused. \
            Operators behind a proxy or DNS name add it to `api-allowed-hosts`."),
        "UnsupportedMediaType": refusal("`Content-Type` is not `application/json` (`application/wasm` for `POST \
            /components`); the message names the expected type."),
    });
    doc["components"]["securitySchemes"] = json!({ "bearerAuth": {
        "type": "http",
        "scheme": "bearer",
        "description": "The node's `api-token` (config, or `WAVS_API_TOKEN`), else the token it generated in \
            `<data-dir>/api-token`. Required on every request but GET/HEAD unless the node sets `api-token = \"none\"`. \
            On `GET /services` it is optional and shows component config values.",
    }});
    let reference = |name: &str| json!({ "$ref": format!("#/components/responses/{name}") });
    for item in doc["paths"].as_object_mut().into_iter().flat_map(|paths| paths.values_mut()) {
        for (method, op) in item.as_object_mut().into_iter().flatten() {
            let Some(responses) = op.get_mut("responses").and_then(Value::as_object_mut) else { continue };
            responses.insert("403".into(), reference("ForbiddenOrigin"));
            responses.insert("421".into(), reference("MisdirectedHost"));
            if method != "get" {
                responses.insert("401".into(), reference("Unauthorized"));
                responses.insert("415".into(), reference("UnsupportedMediaType"));
                op["security"] = json!([{ "bearerAuth": [] }]);
            }
        }
    }
}

/// This document.
#[utoipa::path(get, path = "/openapi.json", tag = "status", operation_id = "openapi",
    responses((status = 200, description = "The OpenAPI 3.1 document.", body = Object)))]
pub(super) async fn openapi() -> impl IntoResponse {
    ([(header::CONTENT_TYPE, "application/json")], DOCUMENT.as_str())
}
