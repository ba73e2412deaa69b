//! `GET /openapi.json`: the OpenAPI 3.1 document of this API, `host/node/openapi.json`.
//!
//! Its paths and texts are kept in that file; the schemas of the wire types in
//! `wavs_types` (the `/health` answer, `ApiError`) are derived from those types with
//! utoipa ([`derived_schemas`]), so the document cannot drift from what the node sends:
//! `tests/ops_api.rs` fails while the file differs from [`regenerate`]'s output (and
//! rewrites it with `WAVS_BLESS=1`), and checks the paths against the router.

use axum::http::header;
use axum::response::IntoResponse;
use serde_json::Value;
use std::collections::BTreeMap;
use utoipa::ToSchema;
use utoipa::openapi::RefOr;
use utoipa::openapi::schema::Schema;
use wavs_types::ApiError;
use wavs_types::health::NodeHealth;

/// The document, as served.
pub const DOCUMENT: &str = include_str!("../../openapi.json");

/// Adds `T`'s schema and those it refers to.
fn add<T: ToSchema>(all: &mut Vec<(String, RefOr<Schema>)>) {
    all.push((T::name().into_owned(), T::schema()));
    T::schemas(all);
}

/// The schemas derived from the wire types, by name, as JSON.
pub fn derived_schemas() -> BTreeMap<String, Value> {
    let mut all = Vec::new();
    add::<NodeHealth>(&mut all);
    add::<ApiError>(&mut all);
    all.into_iter().map(|(name, schema)| (name, serde_json::to_value(schema).expect("a schema is JSON"))).collect()
}

/// `document` with every derived schema as the types say: what `openapi.json` must hold.
pub fn regenerate(document: &str) -> serde_json::Result<Value> {
    let mut doc: Value = serde_json::from_str(document)?;
    for (name, schema) in derived_schemas() {
        doc["components"]["schemas"][name] = schema;
    }
    Ok(doc)
}

pub(super) async fn openapi() -> impl IntoResponse {
    ([(header::CONTENT_TYPE, "application/json")], DOCUMENT)
}
