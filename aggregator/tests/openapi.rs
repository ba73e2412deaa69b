//! The aggregator's OpenAPI document: derived from the handlers the router registers
//! (each through `routes!`, so none is served undocumented), served at
//! `GET /openapi.json`, and copied to `aggregator/openapi.json`.

use serde_json::Value;
use wavs_aggregator::Aggregator;
use wavs_aggregator::config::AggregatorConfig;
use wavs_types::fuzzing::{check_copy, handlers_in_router};

const SUBMITTER_KEY: &str = "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80";

#[tokio::test]
async fn the_served_document_lists_every_route_and_each_is_served() {
    let dir = tempfile::tempdir().unwrap();
    let adapters = dir.path().join("adapters");
    std::fs::create_dir_all(&adapters).unwrap();
    let config = format!(
        "data-dir = {:?}\nadapters-dir = {adapters:?}\napi-addr = \"127.0.0.1:0\"\n[submitter]\nprivate-key = \"{SUBMITTER_KEY}\"\n",
        dir.path().join("data")
    );
    let handle = Aggregator::start(AggregatorConfig::parse(&config).unwrap()).await.unwrap();
    let base = format!("http://{}", handle.addr);
    let http = reqwest::Client::new();
    let doc: Value = http.get(format!("{base}/openapi.json")).send().await.unwrap().json().await.unwrap();
    assert_eq!(doc, wavs_aggregator::api::openapi::document());
    let mut operations = 0;
    for (path, item) in doc["paths"].as_object().unwrap() {
        for method in item.as_object().unwrap().keys() {
            operations += 1;
            let uri = format!("{base}{}", path.replace("{event_id}", &format!("0x{}", "00".repeat(20))));
            let method = reqwest::Method::from_bytes(method.to_uppercase().as_bytes()).unwrap();
            let answer = http.request(method.clone(), &uri).send().await.unwrap();
            let status = answer.status();
            let text = answer.text().await.unwrap();
            assert!(status != 405 && !text.contains("no such endpoint"), "{method} {uri}: {status} {text}");
        }
    }
    assert!(operations >= 8, "{doc}");
    assert_eq!(operations, handlers_in_router(include_str!("../src/api.rs")), "every handler the router registers is documented once");
}

/// `aggregator/openapi.json` is the document the aggregator serves, in OpenAPI 3.1.
/// `WAVS_BLESS=1` rewrites it.
#[test]
fn openapi_json_is_the_document_the_aggregator_serves() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/openapi.json");
    check_copy(path, &wavs_aggregator::api::openapi::document(), "WAVS_BLESS=1 cargo test -p wavs-aggregator --test openapi");
}
