//! The operator side of the node's API, in process: the bearer token on mutating
//! endpoints, `/health` per chain, `/metrics`, the OpenAPI document against the router,
//! and JSON logs carrying the trigger's span. `api_guard.rs` attacks real node processes.
//!
//! Uses `target/guests/components/echo.wasm` (scripts/build-guests.sh) to run tasks.

use wavs_types::fuzzing::{check_copy, handlers_in_router, prometheus_samples};
use axum::Router;
use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use serde_json::{Value, json};
use std::collections::BTreeSet;
use std::io::BufRead;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tower::ServiceExt;
use wavs_node::{Node, NodeConfig};
use wavs_types::ChainState;
use wavs_types::health::NodeHealth;

mod common;

const OPERATOR_KEY: &str = "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80";
const ECHO: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../target/guests/components/echo.wasm");

fn echo() -> Vec<u8> {
    std::fs::read(ECHO).unwrap_or_else(|e| panic!("{ECHO}: {e}; run scripts/build-guests.sh first"))
}

/// A config: temp dirs, port 0, one `evm` chain with no adapter loaded, and `extra` lines.
fn config_text(dir: &tempfile::TempDir, extra: &str) -> String {
    let (data, adapters) = (dir.path().join("data"), dir.path().join("adapters"));
    std::fs::create_dir_all(&adapters).unwrap();
    format!(
        "data-dir = {data:?}\nadapters-dir = {adapters:?}\napi-addr = \"127.0.0.1:0\"\n{extra}\n\
         [operator]\nprivate-key = \"{OPERATOR_KEY}\"\n\
         [chains.anvil]\nfamily = \"evm\"\nchain-id = \"31337\"\nrpc-urls = [\"http://127.0.0.1:1\"]\nconfirmations = 2\n"
    )
}

async fn node(dir: &tempfile::TempDir, extra: &str) -> Arc<Node> {
    let config = NodeConfig::parse(&config_text(dir, extra)).unwrap();
    config.validate().unwrap();
    Node::open(config).await.unwrap()
}

/// Status, headers and body of one request through the router; a mutating request
/// declares the content type its path takes, as the CLI does.
async fn call(router: &Router, method: Method, uri: &str, token: Option<&str>, body: Vec<u8>) -> (StatusCode, axum::http::HeaderMap, Vec<u8>) {
    let mut request = Request::builder().method(method.clone()).uri(uri);
    if let Some(token) = token {
        request = request.header(header::AUTHORIZATION, format!("Bearer {token}"));
    }
    if method != Method::GET && method != Method::HEAD {
        let path = uri.split('?').next().unwrap_or_default();
        request = request.header(header::CONTENT_TYPE, wavs_node::api::content_type::expected(path));
    }
    let response = router.clone().oneshot(request.body(Body::from(body)).unwrap()).await.unwrap();
    let (parts, body) = response.into_parts();
    (parts.status, parts.headers, axum::body::to_bytes(body, usize::MAX).await.unwrap().to_vec())
}

fn json_of(body: &[u8]) -> Value {
    serde_json::from_slice(body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(body)))
}

fn manifest(digest: &str) -> String {
    json!({
        "id": "svc",
        "components": { "echo": { "digest": digest } },
        "workflows": { "main": { "trigger": "manual", "component": "echo", "submit": "none" } }
    })
    .to_string()
}

/// Uploads echo, deploys `svc` and runs `tasks` manual tasks on it.
async fn run_tasks(router: &Router, token: Option<&str>, tasks: usize) {
    let (status, _, body) = call(router, Method::POST, "/components", token, echo()).await;
    assert_eq!(status, StatusCode::CREATED, "{}", String::from_utf8_lossy(&body));
    let digest = json_of(&body)["digest"].as_str().unwrap().to_string();
    let (status, _, body) = call(router, Method::POST, "/services", token, manifest(&digest).into_bytes()).await;
    assert_eq!(status, StatusCode::CREATED, "{}", String::from_utf8_lossy(&body));
    for i in 0..tasks {
        let task = json!({ "task-id": format!("t{i}"), "payload": "0x0102" }).to_string();
        let (status, _, body) = call(router, Method::POST, "/services/svc/workflows/main/tasks", token, task.into_bytes()).await;
        assert_eq!(status, StatusCode::OK, "{}", String::from_utf8_lossy(&body));
        assert_eq!(json_of(&body)["outcome"]["status"], "ok");
    }
}

#[tokio::test]
async fn a_node_with_a_token_refuses_mutations_without_it() {
    let dir = tempfile::tempdir().unwrap();
    let router = wavs_node::api::router(node(&dir, "api-token = \"s3cret\"").await);
    let manifest = manifest(&"00".repeat(32)).into_bytes();

    for token in [None, Some("wrong")] {
        let (status, headers, body) = call(&router, Method::POST, "/services", token, manifest.clone()).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "token {token:?}");
        assert_eq!(headers[header::WWW_AUTHENTICATE], "Bearer");
        let error = json_of(&body);
        assert_eq!(error["retryable"], false, "{error}");
        assert!(error["error"].as_str().unwrap().contains("Authorization: Bearer"), "{error}");
    }
    // Every method but GET/HEAD, on known and unknown paths alike.
    for (method, path) in [(Method::DELETE, "/services/svc"), (Method::PUT, "/nowhere"), (Method::POST, "/components")] {
        assert_eq!(call(&router, method.clone(), path, None, vec![]).await.0, StatusCode::UNAUTHORIZED, "{method} {path}");
    }
    // Reads stay open.
    for path in ["/health", "/metrics", "/openapi.json", "/services", "/executions"] {
        assert_eq!(call(&router, Method::GET, path, None, vec![]).await.0, StatusCode::OK, "GET {path}");
    }
    // With the token the request reaches the handler: here, the component is not uploaded.
    let (status, _, body) = call(&router, Method::POST, "/services", Some("s3cret"), manifest).await;
    assert!(status == StatusCode::NOT_FOUND || status == StatusCode::BAD_REQUEST, "{status}: {}", String::from_utf8_lossy(&body));
    run_tasks(&router, Some("s3cret"), 1).await;
}

#[tokio::test]
async fn the_cli_client_sends_the_token() {
    let dir = tempfile::tempdir().unwrap();
    let router = wavs_node::api::router(node(&dir, "api-token = \"s3cret\"").await);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
    let wasm = dir.path().join("echo.wasm");
    std::fs::write(&wasm, echo()).unwrap();

    let refused = wavs_node::cli::Client::with_token(&url, None).upload_component(&wasm).await.unwrap_err();
    assert!(refused.to_string().contains("401"), "{refused}");
    let client = wavs_node::cli::Client::with_token(&url, Some("s3cret".into()));
    assert_eq!(client.upload_component(&wasm).await.unwrap().len(), 64);
    client.get("/health").await.unwrap();
}

#[tokio::test]
async fn only_api_token_none_opens_the_api() {
    // Opened in process with no token resolved (what `wavs node` does at start): closed.
    let dir = tempfile::tempdir().unwrap();
    let router = wavs_node::api::router(node(&dir, "").await);
    let (status, _, body) = call(&router, Method::POST, "/services", None, b"{}".to_vec()).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{}", String::from_utf8_lossy(&body));
    assert!(json_of(&body)["error"].as_str().unwrap().contains("api-token = \"none\""), "says how to open it");

    let dir = tempfile::tempdir().unwrap();
    let router = wavs_node::api::router(node(&dir, "api-token = \"none\"").await);
    let (status, _, body) = call(&router, Method::POST, "/services", None, b"{}".to_vec()).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "open: the request reaches the handler: {}", String::from_utf8_lossy(&body));
    run_tasks(&router, None, 1).await;
}

#[tokio::test]
async fn health_shows_each_chain() {
    let dir = tempfile::tempdir().unwrap();
    let router = wavs_node::api::router(node(&dir, "").await);
    let (status, _, body) = call(&router, Method::GET, "/health", None, vec![]).await;
    assert_eq!(status, StatusCode::OK);
    // Every field is there (`null` while unknown): the type has no optional keys.
    let health: NodeHealth = serde_json::from_slice(&body).unwrap();
    let anvil = &health.chains["anvil"];
    assert_eq!(anvil.state, ChainState::WaitingForAdapter, "{health:?}");
    assert_eq!(anvil.family, "evm");
    assert!(!anvil.adapter_loaded);
    assert_eq!(anvil.adapter_restarts, 0);
    assert_eq!(anvil.confirmations, 2);
    assert_eq!((anvil.head, anvil.cursor, anvil.lag, &anvil.error), (None, None, None, &None), "{anvil:?}");
    assert!(health.executions.is_empty(), "{health:?}");
}


#[tokio::test]
async fn metrics_count_the_work_done() {
    let dir = tempfile::tempdir().unwrap();
    let router = wavs_node::api::router(node(&dir, "api-token = \"t\"").await);
    run_tasks(&router, Some("t"), 3).await;
    let (status, headers, body) = call(&router, Method::GET, "/metrics", None, vec![]).await;
    assert_eq!(status, StatusCode::OK);
    assert!(headers[header::CONTENT_TYPE].to_str().unwrap().starts_with("text/plain; version=0.0.4"));
    let text = String::from_utf8(body).unwrap();
    let s = prometheus_samples(&text);
    assert_eq!(s["wavs_executions_total{outcome=\"ok\"}"], 3.0, "{text}");
    assert_eq!(s["wavs_execution_fuel_count"], 3.0, "{text}");
    assert!(s["wavs_execution_fuel_sum"] > 0.0, "{text}");
    assert_eq!(s["wavs_execution_duration_seconds_bucket{le=\"+Inf\"}"], 3.0, "{text}");
    assert_eq!(s["wavs_jobs_pending"], 0.0);
    assert_eq!(s["wavs_outbox_unsent"], 0.0);
    assert_eq!(s["wavs_services"], 1.0);
    assert_eq!(s["wavs_adapter_restarts_total{chain=\"anvil\"}"], 0.0);
    assert_eq!(s["wavs_adapter_loaded{chain=\"anvil\"}"], 0.0);
    assert!(text.contains("# TYPE wavs_execution_fuel histogram"), "{text}");
}

#[tokio::test]
async fn the_openapi_document_covers_every_route() {
    let dir = tempfile::tempdir().unwrap();
    let router = wavs_node::api::router(node(&dir, "").await);
    let (status, _, body) = call(&router, Method::GET, "/openapi.json", None, vec![]).await;
    assert_eq!(status, StatusCode::OK);
    let doc = json_of(&body);
    assert!(doc["openapi"].as_str().unwrap().starts_with("3."));
    assert_eq!(doc["components"]["securitySchemes"]["bearerAuth"]["scheme"], "bearer");
    let mut documented = BTreeSet::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            documented.insert((path.clone(), method.clone()));
            // Required on every mutating operation and on the one read that names secrets;
            // optional (`{}` listed) on every other read.
            let security = op.get("security").and_then(Value::as_array);
            let required = security.is_some_and(|s| !s.is_empty() && !s.contains(&json!({})));
            let secret_read = method == "get" && path == "/services/{id}/secrets";
            assert_eq!(required, method != "get" || secret_read, "{method} {path}: security must be required exactly on mutating operations and secret names");
            if secret_read {
                assert!(op["responses"].get("401").is_some(), "{method} {path}: response 401 is not documented");
            }
            assert!(op["responses"].is_object(), "{method} {path}");
            // What the guards answer is documented where they answer it.
            let mut refusals = vec!["403", "421"];
            if method != "get" {
                refusals.extend(["401", "415"]);
            }
            for code in refusals {
                assert!(op["responses"].get(code).is_some(), "{method} {path}: response {code} is not documented");
            }
        }
    }
    assert!(documented.len() >= 10, "{documented:?}");
    assert_eq!(documented.len(), handlers_in_router(include_str!("../src/api.rs")), "every handler the router registers is documented once: {documented:?}");
    // The router serves each documented operation (not the fallback, not 405).
    for (path, method) in &documented {
        let uri = path.replace("{id}", "nope").replace("{workflow}", "main");
        let method = Method::from_bytes(method.to_uppercase().as_bytes()).unwrap();
        let (status, _, body) = call(&router, method.clone(), &uri, None, vec![]).await;
        let text = String::from_utf8_lossy(&body);
        assert!(status != StatusCode::METHOD_NOT_ALLOWED && !text.contains("no such endpoint"), "{method} {uri}: {status} {text}");
    }
}

/// `host/node/openapi.json` is the document the node serves, in OpenAPI 3.1 (no 3.0
/// `nullable`), with a named schema for every JSON answer. `WAVS_BLESS=1` rewrites it.
#[test]
fn openapi_json_is_the_document_the_node_serves() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/openapi.json");
    check_copy(path, &wavs_node::api::openapi::document(), "WAVS_BLESS=1 cargo test -p wavs-node --test ops_api");
}

/// Kills the child node when the test ends, however it ends.
struct Child(std::process::Child);

impl Drop for Child {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// The next JSON log line for which `pick` is true, within `timeout`.
fn next_line(lines: &std::sync::mpsc::Receiver<String>, timeout: Duration, pick: impl Fn(&Value) -> bool) -> Value {
    let deadline = Instant::now() + timeout;
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        let line = lines.recv_timeout(left).expect("no matching log line in time");
        let value: Value = serde_json::from_str(&line).unwrap_or_else(|e| panic!("log line is not JSON ({e}): {line}"));
        if pick(&value) {
            return value;
        }
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn json_logs_carry_the_trigger_span() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("wavs.toml");
    std::fs::write(&config, config_text(&dir, "")).unwrap();
    let mut child = std::process::Command::new(common::wavs_bin())
        .args(["node", "--log-format", "json", "--config"])
        .arg(&config)
        .env("RUST_LOG", "info")
        .env_remove("WAVS_API_TOKEN")
        .stderr(std::process::Stdio::piped())
        .stdout(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let stderr = child.stderr.take().unwrap();
    let _child = Child(child);
    let (tx, lines) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in std::io::BufReader::new(stderr).lines().map_while(Result::ok) {
            let _ = tx.send(line);
        }
    });
    let ready = next_line(&lines, Duration::from_secs(60), |v| v["fields"]["message"] == "node ready");
    let url = format!("http://{}", ready["fields"]["api"].as_str().unwrap());
    let generated = next_line(&lines, Duration::from_secs(5), |v| v["fields"]["message"].as_str().is_some_and(|m| m.starts_with("API token")));
    assert!(generated["fields"]["message"].as_str().unwrap().contains("generated"), "{generated}");
    let token = std::fs::read_to_string(dir.path().join("data/api-token")).unwrap().trim().to_string();

    let client = wavs_node::cli::Client::with_token(&url, Some(token));
    let wasm = dir.path().join("echo.wasm");
    std::fs::write(&wasm, echo()).unwrap();
    let digest = client.upload_component(&wasm).await.unwrap();
    let manifest: serde_json::Value = serde_json::from_str(&manifest(&digest)).unwrap();
    client.deploy_manifest(&manifest).await.unwrap();
    let record = client.add_task("svc", "main", "t1", "0x0102").await.unwrap();
    let event_id = wavs_types::hex_bytes::encode(&record.results[0].event_id);

    let line = next_line(&lines, Duration::from_secs(30), |v| v["fields"]["message"] == "execution recorded");
    let trigger = line["spans"].as_array().unwrap().iter().find(|s| s["name"] == "trigger").unwrap_or_else(|| panic!("{line}"));
    assert_eq!(trigger["service"], "svc", "{line}");
    assert_eq!(trigger["workflow"], "main", "{line}");
    assert_eq!(trigger["event_id"], event_id.as_str(), "{line}");
    assert_eq!(line["span"]["name"], "trigger", "{line}");
    assert_eq!(line["fields"]["outcome"], "ok", "{line}");
}
