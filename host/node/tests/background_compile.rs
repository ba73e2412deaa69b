//! Components compile in the background against real `wavs node` processes: an upload
//! with `?wait=false` answers 202 at once and `GET /components/{digest}` follows it to
//! `ready` (with the compile time) or `failed` (with the reason, the broken file not
//! kept); `wavs service deploy` given two nodes uploads, follows and deploys on both.
//! Past `max-concurrent-compiles` a new component is refused with 429 while one already
//! compiling or compiled is not, and the refused one passes once the others finish.
//! Needs `target/guests/components/echo.wasm` and `adapters/cosmos.wasm`
//! (scripts/build-guests.sh).

use serde_json::{Value, json};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};
use wavs_types::health::NodeHealth;

mod common;
use common::{NodeProcess, guest, leb128};

const TOKEN: &str = "background-compile-test-token-81c3";

fn echo_path() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../target/guests/components/echo.wasm")
}

fn start(dir: &Path) -> NodeProcess {
    NodeProcess::start_with_token(dir, TOKEN)
}

async fn call(node: &NodeProcess, method: &str, path: &str, body: Vec<u8>) -> (u16, Value) {
    node.send(TOKEN, method, path, "application/wasm", body).await
}

/// The section payloads of a WASM binary, with their ids, in order.
fn sections(wasm: &[u8]) -> Vec<(u8, &[u8])> {
    let (mut at, mut out) = (8, Vec::new());
    while at < wasm.len() {
        let id = wasm[at];
        let (mut size, mut shift) = (0usize, 0);
        at += 1;
        loop {
            size |= usize::from(wasm[at] & 0x7f) << shift;
            shift += 7;
            at += 1;
            if wasm[at - 1] & 0x80 == 0 {
                break;
            }
        }
        out.push((id, &wasm[at..at + size]));
        at += size;
    }
    out
}

/// echo.wasm with `copies` more copies of the cosmos adapter's main core module (1.2 MB)
/// appended as core module sections, and `tag` in a custom section: still a valid service
/// component (the extra modules are never instantiated), of a digest of its own, that
/// takes seconds to compile rather than milliseconds, since every module is compiled.
fn slow_component(copies: usize, tag: &str) -> Vec<u8> {
    let adapter = guest("adapters/cosmos.wasm");
    let core = sections(&adapter).into_iter().filter(|(id, _)| *id == 1).map(|(_, m)| m).max_by_key(|m| m.len()).unwrap();
    let mut out = guest("components/echo.wasm");
    for _ in 0..copies {
        out.push(1);
        out.extend(leb128(core.len()));
        out.extend_from_slice(core);
    }
    let custom = [&leb128(4)[..], &b"test"[..], tag.as_bytes()].concat();
    out.push(0);
    out.extend(leb128(custom.len()));
    out.extend(custom);
    out
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
    let echo = guest("components/echo.wasm");

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
    assert_eq!((status, serde_json::from_value::<NodeHealth>(health.clone()).map(|h| h.compiling.len()).ok()), (200, Some(0)), "{health}");
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
    let mut cli = common::cli();
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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn past_the_compile_cap_a_new_upload_is_refused_until_one_finishes() {
    let dir = tempfile::tempdir().unwrap();
    let node = start(dir.path());
    let echo = guest("components/echo.wasm");
    let (status, body) = call(&node, "POST", "/components?wait=false", echo.clone()).await;
    assert_eq!(status, 202, "{body}");
    assert_eq!(settled(&node, body["digest"].as_str().unwrap()).await["state"], "ready");

    // Two distinct slow components fill the default cap of 2.
    let slow: Vec<Vec<u8>> = (0..3).map(|i| slow_component(4, &format!("cap-{i}"))).collect();
    let mut compiling = Vec::new();
    for bytes in &slow[..2] {
        let (status, body) = call(&node, "POST", "/components?wait=false", bytes.clone()).await;
        assert_eq!((status, &body["compile"]["state"]), (202, &json!("compiling")), "{body}");
        compiling.push(body["digest"].as_str().unwrap().to_string());
    }

    // A third distinct one is refused, saying why, how many run and that later will do.
    let (status, body) = call(&node, "POST", "/components?wait=false", slow[2].clone()).await;
    assert_eq!(status, 429, "{body}");
    assert_eq!(body["retryable"], true, "{body}");
    let error = body["error"].as_str().unwrap_or_default();
    for part in ["compiling 2 component(s)", "max-concurrent-compiles = 2", "again once one finishes", "retrying later will pass"] {
        assert!(error.contains(part), "{part:?} not in {error:?}");
    }
    let refused = wavs_runtime::WasmEngine::digest(&slow[2]);
    assert_eq!(call(&node, "GET", &format!("/components/{refused}"), vec![]).await.0, 404, "nothing kept");

    // Not refused: a digest already compiling (it joins) and a compiled one.
    let (status, body) = call(&node, "POST", "/components?wait=false", slow[0].clone()).await;
    assert_eq!((status, body["digest"].as_str()), (202, Some(compiling[0].as_str())), "{body}");
    let (status, body) = call(&node, "POST", "/components?wait=false", echo).await;
    assert_eq!(status, 202, "{body}");

    // The node still answers meanwhile, listing what compiles.
    let (status, health) = call(&node, "GET", "/health", vec![]).await;
    assert_eq!(status, 200, "{health}");
    let listed = serde_json::from_value::<NodeHealth>(health.clone()).unwrap().compiling;
    assert!(compiling.iter().all(|d| listed.iter().any(|c| &c.digest == d)), "{health}");

    // Once they are compiled the refused upload passes, compiles and deploys.
    for digest in &compiling {
        assert_eq!(settled(&node, digest).await["state"], "ready");
    }
    let (status, body) = call(&node, "POST", "/components?wait=false", slow[2].clone()).await;
    assert_eq!((status, body["digest"].as_str()), (202, Some(refused.as_str())), "{body}");
    assert_eq!(settled(&node, &refused).await["state"], "ready");
    let service = json!({
        "id": "capped", "components": { "slow": { "digest": refused } },
        "workflows": { "main": { "trigger": "manual", "component": "slow", "submit": "none" } },
    });
    let (status, body) = node.send(TOKEN, "POST", "/services", "application/json", service.to_string().into_bytes()).await;
    assert_eq!(status, 201, "{body}");
    let (_, services) = call(&node, "GET", "/services", vec![]).await;
    assert_eq!(services[0]["components"]["slow"]["digest"], refused.as_str(), "{services}");
}
