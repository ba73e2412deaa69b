//! Components named by digest and fetched at deploy from a real local IPFS node (kubo)
//! and a real local OCI registry (go-containerregistry's), on a real node process: the
//! service runs; a second deploy fetches nothing; a source serving other bytes, an endless
//! body or nothing at all fails the deploy with the component, the source and the cause
//! named, keeps nothing, and an honest deploy still works afterwards.

#[path = "../common/mod.rs"]
mod common;
mod daemons;

use common::{NodeProcess, free_port, guest};
use serde_json::{Value, json};
use std::path::Path;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

const TOKEN: &str = "sources-test-token";
/// Small enough that the endless body is cut quickly; the test components fit easily.
const CAP: u64 = 1 << 20;

/// A node whose `[sources]` name the gateway and the insecure registry given.
fn start_node(dir: &Path, sources: &str) -> NodeProcess {
    std::fs::create_dir_all(dir.join("adapters")).unwrap();
    let text = format!(
        "data-dir = \"data\"\nadapters-dir = \"adapters\"\napi-addr = \"127.0.0.1:{}\"\napi-token = \"{TOKEN}\"\n\
         [operator]\nprivate-key = \"{}\"\n[storage]\nmax-component-bytes = {CAP}\n[sources]\n{sources}\n",
        free_port(),
        common::OPERATOR_KEY
    );
    std::fs::write(dir.join("wavs.toml"), text).unwrap();
    NodeProcess::start(dir)
}

/// A one-workflow manual service whose component is `digest`, fetched from `source`.
fn manifest(id: &str, digest: &str, source: &str) -> Vec<u8> {
    let service = json!({
        "id": id,
        "components": { "main": { "digest": digest, "source": source } },
        "workflows": { "main": { "trigger": "manual", "component": "main", "submit": "none" } },
    });
    service.to_string().into_bytes()
}

async fn deploy(node: &NodeProcess, id: &str, digest: &str, source: &str) -> (u16, Value) {
    node.send(TOKEN, "POST", "/services", "application/json", manifest(id, digest, source)).await
}

/// Runs a task on service `id`: the payload of its result.
async fn run(node: &NodeProcess, id: &str, payload: &str) -> Value {
    let task = json!({ "task-id": format!("{id}-{payload}"), "payload": payload }).to_string().into_bytes();
    let (status, record) = node.send(TOKEN, "POST", &format!("/services/{id}/workflows/main/tasks"), "application/json", task).await;
    assert_eq!((status, &record["outcome"]["status"]), (200, &json!("ok")), "{record}");
    record["results"][0]["payload"].clone()
}

async fn stored(node: &NodeProcess, digest: &str) -> bool {
    node.send(TOKEN, "GET", &format!("/components/{digest}"), "application/json", vec![]).await.0 == 200
}

fn error_of(body: &Value) -> String {
    body["error"].as_str().unwrap_or_default().to_string()
}

/// A loopback HTTP server that answers every request with an endless chunked body.
async fn endless_server() -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        while let Ok((mut conn, _)) = listener.accept().await {
            tokio::spawn(async move {
                let mut request = [0u8; 4096];
                let _ = conn.read(&mut request).await;
                let _ = conn.write_all(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n").await;
                let chunk = [b"10000\r\n".as_slice(), &[0u8; 0x10000], b"\r\n"].concat();
                while conn.write_all(&chunk).await.is_ok() {}
            });
        }
    });
    format!("http://{addr}")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn components_from_ipfs_run_and_lying_or_endless_or_dead_sources_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let ipfs = daemons::Ipfs::start(dir.path());
    let (echo, square) = (guest("components/echo.wasm"), guest("components/square.wasm"));
    let (echo_digest, square_digest) = (wavs_runtime::WasmEngine::digest(&echo), wavs_runtime::WasmEngine::digest(&square));
    let (echo_file, square_file) = (dir.path().join("echo.wasm"), dir.path().join("square.wasm"));
    std::fs::write(&echo_file, &echo).unwrap();
    std::fs::write(&square_file, &square).unwrap();
    let (echo_cid, square_cid) = (ipfs.add(&echo_file), ipfs.add(&square_file));
    let node = start_node(&dir.path().join("node"), &format!("ipfs-gateway = \"{}\"", ipfs.gateway));

    // Named by digest, fetched from IPFS at deploy, run.
    let (status, body) = deploy(&node, "from-ipfs", &echo_digest, &format!("ipfs://{echo_cid}")).await;
    assert_eq!(status, 201, "{body}");
    assert_eq!(run(&node, "from-ipfs", "0x2a").await, json!("0x2a"));

    // Stored: another service naming the same digest fetches nothing (its source is dead).
    let (status, body) = deploy(&node, "cached", &echo_digest, "http://127.0.0.1:1/echo.wasm").await;
    assert_eq!(status, 201, "{body}");

    // The gateway serves other bytes than the digest names: refused with both digests.
    let lie = format!("ipfs://{echo_cid}");
    let (status, body) = deploy(&node, "lied-to", &square_digest, &lie).await;
    let error = error_of(&body);
    assert_eq!(status, 400, "{body}");
    for part in ["components.main: cannot fetch", lie.as_str(), "digest mismatch", echo_digest.as_str(), square_digest.as_str()] {
        assert!(error.contains(part), "{part:?} not in {error:?}");
    }
    assert!(!stored(&node, &square_digest).await, "the wrong bytes were not kept under any digest");

    // An endless body: cut at the cap, refused, nothing kept.
    let endless = format!("{}/square.wasm", endless_server().await);
    let (status, body) = deploy(&node, "endless", &square_digest, &endless).await;
    let error = error_of(&body);
    assert_eq!(status, 413, "{body}");
    for part in [endless.as_str(), "more than 1.0 MiB", "max-component-bytes"] {
        assert!(error.contains(part), "{part:?} not in {error:?}");
    }

    // Nothing listens there: retryable, and says what it could not reach.
    let dead = "http://127.0.0.1:1/square.wasm";
    let (status, body) = deploy(&node, "dead", &square_digest, dead).await;
    assert_eq!((status, &body["retryable"]), (503, &json!(true)), "{body}");
    assert!(error_of(&body).contains(&format!("components.main: cannot fetch {dead}: cannot reach")), "{body}");

    // None of the refused services exists, and the honest one still deploys and runs.
    let (_, services) = node.send(TOKEN, "GET", "/services", "application/json", vec![]).await;
    let ids: Vec<&str> = services.as_array().unwrap().iter().filter_map(|s| s["id"].as_str()).collect();
    assert_eq!(ids, ["cached", "from-ipfs"], "{services}");
    assert!(!stored(&node, &square_digest).await);
    let (status, body) = deploy(&node, "square", &square_digest, &format!("ipfs://{square_cid}")).await;
    assert_eq!(status, 201, "{body}");
    assert!(stored(&node, &square_digest).await);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_component_pushed_to_an_oci_registry_is_fetched_by_digest_and_runs() {
    let dir = tempfile::tempdir().unwrap();
    let registry = daemons::Registry::start();
    let echo = guest("components/echo.wasm");
    let digest = wavs_runtime::WasmEngine::digest(&echo);
    let file = dir.path().join("echo.wasm");
    std::fs::write(&file, &echo).unwrap();

    // `wavs push` publishes it and prints the manifest lines that name it.
    let source = format!("oci://{}/components/echo:v1", registry.host);
    let out = common::cli().arg("push").arg(&file).arg(&source).arg("--insecure").output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{stdout}{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(stdout.trim(), format!("\"digest\": \"{digest}\", \"source\": \"{source}\""));

    let node = start_node(&dir.path().join("node"), &format!("insecure-registries = [\"{}\"]", registry.host));
    let (status, body) = deploy(&node, "from-oci", &digest, &source).await;
    assert_eq!(status, 201, "{body}");
    assert_eq!(run(&node, "from-oci", "0x0102").await, json!("0x0102"));

    // A tag that names no artifact: refused, naming it; nothing deployed.
    let missing = format!("oci://{}/components/echo:nope", registry.host);
    let (status, body) = deploy(&node, "missing", &"ab".repeat(32), &missing).await;
    assert_eq!(status, 400, "{body}");
    assert!(error_of(&body).contains(&format!("components.main: cannot fetch {missing}")), "{body}");
}
