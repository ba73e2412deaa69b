//! Components compile in the background against real `wavs node` processes: an upload
//! with `?wait=false` answers 202 at once and `GET /components/{digest}` follows it to
//! `ready` (with the compile time) or `failed` (with the reason, the broken file not
//! kept); `wavs service deploy` given two nodes uploads, follows and deploys on both.
//! Needs `target/guests/components/echo.wasm` (scripts/build-guests.sh).

use serde_json::{Value, json};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

mod common;
use common::{ENV, NodeProcess, OPERATOR_KEY, free_port};

const TOKEN: &str = "background-compile-test-token-81c3";

fn echo_path() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../target/guests/components/echo.wasm")
}

fn start(dir: &Path) -> NodeProcess {
    std::fs::create_dir_all(dir.join("adapters")).unwrap();
    let text = format!(
        "data-dir = \"data\"\nadapters-dir = \"adapters\"\napi-addr = \"127.0.0.1:{}\"\napi-token = \"{TOKEN}\"\n[operator]\nprivate-key = \"{OPERATOR_KEY}\"\n",
        free_port()
    );
    std::fs::write(dir.join("wavs.toml"), text).unwrap();
    NodeProcess::start(dir)
}

async fn call(node: &NodeProcess, method: &str, path: &str, body: Vec<u8>) -> (u16, Value) {
    let response = reqwest::Client::new()
        .request(method.parse().unwrap(), format!("{}{path}", node.url))
        .header("authorization", format!("Bearer {TOKEN}"))
        .header("content-type", "application/wasm")
        .body(body)
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

/// Polls the compile of `digest` until it is no longer `compiling`.
async fn settled(node: &NodeProcess, digest: &str) -> Value {
    let started = Instant::now();
    loop {
        let (status, body) = call(node, "GET", &format!("/components/{digest}"), vec![]).await;
        assert_eq!(status, 200, "{body}");
        if body["compile"]["state"] != "compiling" {
            return body["compile"].clone();
        }
        assert!(started.elapsed() < Duration::from_secs(60), "still compiling after 60 s: {body}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn uploads_compile_in_the_background_and_the_cli_deploys_on_two_nodes() {
    let dir = tempfile::tempdir().unwrap();
    let (a, b) = (start(&dir.path().join("a")), start(&dir.path().join("b")));
    let echo = std::fs::read(echo_path()).unwrap_or_else(|e| panic!("{}: {e}; run scripts/build-guests.sh", echo_path().display()));

    // Answered before the compile: 202 and where it is; then ready, with its time.
    let (status, body) = call(&a, "POST", "/components?wait=false", echo.clone()).await;
    assert_eq!(status, 202, "{body}");
    let digest = body["digest"].as_str().unwrap().to_string();
    assert!(["compiling", "ready"].contains(&body["compile"]["state"].as_str().unwrap_or_default()), "{body}");
    let ready = settled(&a, &digest).await;
    assert_eq!(ready["state"], "ready", "{ready}");
    assert!(ready["ms"].is_u64() && ready["bytes"] == echo.len(), "{ready}");

    // A broken file fails with its reason and is not kept; the node goes on serving.
    let broken = b"\0asm\x0d\0\x01\0 not a component".to_vec();
    let (status, body) = call(&a, "POST", "/components?wait=false", broken).await;
    assert_eq!(status, 202, "{body}");
    let failed = settled(&a, body["digest"].as_str().unwrap()).await;
    assert_eq!(failed["state"], "failed", "{failed}");
    assert!(failed["reason"].as_str().unwrap_or_default().contains("invalid component"), "{failed}");
    let (status, health) = call(&a, "GET", "/health", vec![]).await;
    assert_eq!((status, health["compiling"].as_array().map(Vec::len)), (200, Some(0)), "{health}");
    let (status, body) = call(&a, "GET", &format!("/components/{}", "ab".repeat(32)), vec![]).await;
    assert_eq!(status, 404, "{body}");
    assert!(body["error"].as_str().unwrap_or_default().contains("POST /components"), "{body}");

    // The CLI: both nodes at once, each followed to ready, then deployed.
    let manifest = dir.path().join("service.json");
    let service = json!({
        "id": "bg", "components": { "echo": { "digest": "" } },
        "workflows": { "main": { "trigger": "manual", "component": "echo", "submit": "none" } },
    });
    std::fs::write(&manifest, service.to_string()).unwrap();
    let mut cli = Command::new(env!("CARGO_BIN_EXE_wavs"));
    ENV.iter().for_each(|k| {
        cli.env_remove(k);
    });
    let echo_arg = format!("echo={}", echo_path().display());
    cli.args(["--node", &a.url, "--node", &b.url, "service", "deploy"]).arg(&manifest).args(["--component", &echo_arg]);
    let out = cli.env("WAVS_API_TOKEN", TOKEN).current_dir(dir.path()).output().unwrap();
    let (stdout, stderr) = (String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert!(out.status.success(), "stdout: {stdout}\nstderr: {stderr}");
    for node in [&a, &b] {
        assert!(stdout.contains(&format!("deployed bg on {}", node.url)), "{stdout}");
        let (_, services) = call(node, "GET", "/services", vec![]).await;
        assert_eq!(services[0]["components"]["echo"]["digest"], digest.as_str(), "{services}");
    }
}
