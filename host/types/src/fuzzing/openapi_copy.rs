//! What the node's and the aggregator's OpenAPI tests share: the router registers every
//! handler through `routes!` (so each is documented), and the committed copy of the
//! document is the one served.

use serde_json::Value;

/// How many handlers the router source registers, each through `routes!`; panics if it
/// adds any another way, which would serve a route the document does not list.
pub fn handlers_in_router(source: &str) -> usize {
    for undocumented in [".route(", ".route_service(", ".merge(", ".nest(", ".nest_service("] {
        assert!(!source.contains(undocumented), "the router uses {undocumented}: register handlers with routes!(...) so that they are documented");
    }
    source.split("routes!(").skip(1).map(|call| call.split(')').next().unwrap_or_default().split(',').filter(|h| !h.trim().is_empty()).count()).sum()
}

/// Asserts the file at `path` holds `served` (OpenAPI 3.1, every JSON answer but the
/// document itself a named schema), naming the first path or schema that differs; with
/// `WAVS_BLESS` set, rewrites the file instead. `bless` is the command that does it, for
/// the failure message.
pub fn check_copy(path: &str, served: &Value, bless: &str) {
    for (route, item) in served["paths"].as_object().into_iter().flatten() {
        for (method, op) in item.as_object().into_iter().flatten() {
            for (code, response) in op["responses"].as_object().into_iter().flatten() {
                let schema = &response["content"]["application/json"]["schema"];
                let named = schema.get("$ref").is_some() || schema["items"].get("$ref").is_some();
                let elsewhere = response.get("$ref").is_some() || schema.is_null() || route == "/openapi.json";
                assert!(named || elsewhere, "{method} {route} {code}: a JSON answer without a named schema: {schema}");
            }
        }
    }
    if std::env::var_os("WAVS_BLESS").is_some() {
        std::fs::write(path, serde_json::to_string_pretty(served).expect("JSON") + "\n").expect("the copy is writable");
        return;
    }
    let file = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{path}: {e}"));
    assert!(!file.contains("\"nullable\""), "OpenAPI 3.1 has no `nullable`: give the type as [\"T\", \"null\"]");
    let kept: Value = serde_json::from_str(&file).unwrap_or_else(|e| panic!("{path}: {e}"));
    assert!(served["openapi"].as_str().is_some_and(|v| v.starts_with("3.1.")), "{}", served["openapi"]);
    let stale = format!("{path} is stale: run {bless}");
    for (route, item) in served["paths"].as_object().into_iter().flatten() {
        assert_eq!(&kept["paths"][route], item, "{stale} (at {route})");
    }
    for (name, schema) in served["components"]["schemas"].as_object().into_iter().flatten() {
        assert_eq!(&kept["components"]["schemas"][name], schema, "{stale} (at schema {name})");
    }
    assert_eq!(&kept, served, "{stale}");
}
