//! A real `wavs node` process whose data dir is a 16 MiB tmpfs: the disk fills up, writes
//! fail retryably and `/health` says why (503); space comes back and, without a restart,
//! the node is healthy again, runs and records a new task, and every execution it
//! acknowledged before and during the fault is still there.
//!
//! Needs root (mounting the tmpfs; CI runs as root) and `scripts/build-guests.sh` first.

use serde_json::{Value, json};
use std::io::{BufRead, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use wavs_types::health::{HealthStatus, NodeHealth};

const OPERATOR_KEY: &str = "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80";
const TOKEN: &str = "disk-full-test";

/// A tmpfs mounted for the test, unmounted when dropped.
struct Tmpfs(PathBuf);

impl Tmpfs {
    fn mount(dir: &Path, size: &str) -> Tmpfs {
        std::fs::create_dir_all(dir).unwrap();
        let out = Command::new("mount").args(["-t", "tmpfs", "-o", &format!("size={size}"), "tmpfs"]).arg(dir).output();
        let failed = match &out {
            Ok(out) if out.status.success() => None,
            Ok(out) => Some(String::from_utf8_lossy(&out.stderr).trim().to_string()),
            Err(e) => Some(e.to_string()),
        };
        if let Some(why) = failed {
            panic!(
                "cannot mount a {size} tmpfs at {} ({why}). This test gives the node a small disk it can fill, \
                 which needs root (or CAP_SYS_ADMIN): run it as root, as CI does",
                dir.display()
            );
        }
        Tmpfs(dir.to_path_buf())
    }
}

impl Drop for Tmpfs {
    fn drop(&mut self) {
        let done = Command::new("umount").arg(&self.0).status().is_ok_and(|s| s.success());
        if !done {
            let _ = Command::new("umount").arg("-l").arg(&self.0).status();
        }
    }
}

/// The node process, killed when dropped; its log lines as they come.
struct NodeProcess {
    child: Child,
    logs: Arc<Mutex<Vec<String>>>,
}

impl Drop for NodeProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl NodeProcess {
    fn logs_with(&self, text: &str) -> Vec<String> {
        self.logs.lock().unwrap().iter().filter(|l| l.contains(text)).cloned().collect()
    }
}

fn start_node(dir: &Path, data: &Path) -> (NodeProcess, String) {
    let config = dir.join("wavs.toml");
    let text = format!(
        "data-dir = {data:?}\nadapters-dir = {:?}\napi-addr = \"127.0.0.1:0\"\napi-token = \"{TOKEN}\"\n\
         [operator]\nprivate-key = \"{OPERATOR_KEY}\"\n",
        dir.join("adapters"),
    );
    std::fs::write(&config, text).unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_wavs"))
        .args(["node", "--log-format", "json", "--config"])
        .arg(&config)
        .env("RUST_LOG", "info")
        .env_remove("WAVS_API_TOKEN")
        .stderr(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    let stderr = child.stderr.take().unwrap();
    let logs = Arc::new(Mutex::new(Vec::new()));
    let (tx, rx) = std::sync::mpsc::channel();
    {
        let logs = logs.clone();
        std::thread::spawn(move || {
            for line in std::io::BufReader::new(stderr).lines().map_while(Result::ok) {
                logs.lock().unwrap().push(line.clone());
                let _ = tx.send(line);
            }
        });
    }
    let node = NodeProcess { child, logs };
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let line = rx.recv_timeout(deadline.saturating_duration_since(Instant::now())).expect("the node never said `node ready`");
        let Ok(v) = serde_json::from_str::<Value>(&line) else { continue };
        if v["fields"]["message"] == "node ready" {
            return (node, format!("http://{}", v["fields"]["api"].as_str().unwrap()));
        }
    }
}

/// Talks to the node's API with the token.
struct Api {
    http: reqwest::Client,
    url: String,
}

impl Api {
    async fn send(&self, method: reqwest::Method, path: &str, body: Option<(&str, Vec<u8>)>) -> (u16, Value) {
        let mut request = self.http.request(method, format!("{}{path}", self.url)).bearer_auth(TOKEN);
        if let Some((content_type, bytes)) = body {
            request = request.header("content-type", content_type).body(bytes);
        }
        let response = request.send().await.unwrap_or_else(|e| panic!("{path}: {e}"));
        let status = response.status().as_u16();
        let text = response.text().await.unwrap();
        (status, serde_json::from_str(&text).unwrap_or(Value::String(text)))
    }

    async fn get(&self, path: &str) -> (u16, Value) {
        self.send(reqwest::Method::GET, path, None).await
    }

    async fn health(&self) -> (u16, NodeHealth) {
        let (status, body) = self.get("/health").await;
        (status, serde_json::from_value(body.clone()).unwrap_or_else(|e| panic!("{e}: {body}")))
    }

    async fn post(&self, path: &str, body: Value) -> (u16, Value) {
        self.send(reqwest::Method::POST, path, Some(("application/json", body.to_string().into_bytes()))).await
    }

    async fn task(&self, id: &str, payload_bytes: usize) -> (u16, Value) {
        let payload = format!("0x{}", "ab".repeat(payload_bytes));
        self.post("/services/svc/workflows/main/tasks", json!({ "task-id": id, "payload": payload })).await
    }

    /// The task ids of the recorded executions.
    async fn recorded_tasks(&self) -> Vec<String> {
        let (status, records) = self.get("/executions?service=svc&limit=1000").await;
        assert_eq!(status, 200, "{records}");
        let records = records.as_array().unwrap_or_else(|| panic!("{records}"));
        records.iter().filter_map(|r| r["trigger"].as_str()?.strip_prefix("manual task ").map(String::from)).collect()
    }
}

/// Writes zeros to `path` until the disk refuses; the bytes written.
fn fill(path: &Path) -> u64 {
    let mut file = std::fs::File::create(path).unwrap();
    let chunk = vec![0u8; 64 * 1024];
    let mut written = 0u64;
    loop {
        match file.write(&chunk) {
            Ok(0) => panic!("the disk took nothing and reported no error"),
            Ok(n) => written += n as u64,
            Err(e) => {
                assert_eq!(e.raw_os_error(), Some(28), "the filler stops on ENOSPC, not on {e}");
                return written;
            }
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_full_disk_makes_the_node_unhealthy_and_it_recovers_without_a_restart() {
    let echo = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../target/guests/components/echo.wasm");
    let echo = std::fs::read(&echo).unwrap_or_else(|e| panic!("{}: {e}; run scripts/build-guests.sh first", echo.display()));
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let _disk = Tmpfs::mount(&data, "16m");
    let (mut node, url) = start_node(dir.path(), &data);
    let pid = node.child.id();
    let api = Api { http: reqwest::Client::new(), url };

    // A service with a manual workflow, and tasks that run and are recorded.
    let (status, body) = api.send(reqwest::Method::POST, "/components", Some(("application/wasm", echo))).await;
    assert_eq!(status, 201, "{body}");
    let digest = body["digest"].as_str().unwrap();
    let manifest = json!({
        "id": "svc",
        "components": { "echo": { "digest": digest } },
        "workflows": { "main": { "trigger": "manual", "component": "echo", "submit": "none" } }
    });
    let (status, body) = api.post("/services", manifest).await;
    assert_eq!(status, 201, "{body}");
    let mut acknowledged = Vec::new();
    for i in 0..20 {
        let id = format!("before-{i}");
        let (status, body) = api.task(&id, 64).await;
        assert_eq!((status, &body["outcome"]["status"]), (200, &json!("ok")), "{body}");
        acknowledged.push(id);
    }
    let (status, health) = api.health().await;
    assert_eq!((status, health.status, health.store.as_str()), (200, HealthStatus::Ok, "ok"), "{health:?}");

    // The disk fills up: tasks run until the store cannot record one.
    let filler = data.join("filler");
    let filled = fill(&filler);
    let started = Instant::now();
    let mut refused = None;
    for i in 0..2000 {
        let id = format!("filling-{i}");
        match api.task(&id, 4096).await {
            (200, _) => acknowledged.push(id),
            (status, body) => {
                refused = Some((id, status, body));
                break;
            }
        }
    }
    let (refused_id, status, body) = refused.expect("2000 tasks of 4 KiB fit on a full disk");
    assert_eq!((status, &body["retryable"]), (503, &json!(true)), "a task on a full disk fails retryably: {body}");
    assert!(body["error"].as_str().unwrap().contains("No space left on device"), "{body}");
    let time_to_fault = started.elapsed();
    let (status, health) = api.health().await;
    assert_eq!((status, health.status), (503, HealthStatus::Unhealthy), "{health:?}");
    let reason = &health.store;
    assert!(reason.starts_with("node.redb: I/O error (No space left on device") && reason.contains("writes fail until the disk accepts them"), "{reason}");
    // Still full: it stays unhealthy, and reopening does not spin.
    tokio::time::sleep(Duration::from_millis(2500)).await;
    let (status, health) = api.health().await;
    assert_eq!(status, 503, "unhealthy while the disk is full: {health:?}");
    let (status, body) = api.task("while-full", 64).await;
    assert_eq!((status, &body["retryable"]), (503, &json!(true)), "{body}");

    // Space comes back: healthy again without a restart.
    std::fs::remove_file(&filler).unwrap();
    let freed = Instant::now();
    loop {
        let (status, health) = api.health().await;
        if status == 200 {
            assert_eq!((health.status, health.store.as_str()), (HealthStatus::Ok, "ok"), "{health:?}");
            break;
        }
        assert!(freed.elapsed() < Duration::from_secs(15), "still unhealthy 15 s after space came back: {health:?}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let recovered_in = freed.elapsed();
    let (status, body) = api.task("after", 64).await;
    assert_eq!((status, &body["outcome"]["status"]), (200, &json!("ok")), "{body}");
    acknowledged.push("after".into());

    let recorded = api.recorded_tasks().await;
    let missing: Vec<&String> = acknowledged.iter().filter(|id| !recorded.contains(id)).collect();
    assert!(missing.is_empty(), "acknowledged executions lost: {missing:?}");
    assert!(!recorded.contains(&"while-full".to_string()), "a refused task was not recorded as run");
    assert!(node.child.try_wait().unwrap().is_none() && node.child.id() == pid, "the node never restarted");
    let failed_attempts_logged = node.logs_with("reopening the store failed").len();
    let reopened = node.logs_with("reopened after an I/O error");
    assert_eq!(reopened.len(), 1, "reopened once: {reopened:?}");
    let reopened: Value = serde_json::from_str(&reopened[0]).unwrap();
    println!(
        "disk-full figures: filler {} KiB; {} tasks acknowledged ({} while the disk filled); first refusal {:?} after \
         filling ({refused_id}); store down {} ms, {} reopen attempts ({failed_attempts_logged} failures logged); \
         healthy again {:?} after space came back",
        filled / 1024,
        acknowledged.len(),
        acknowledged.iter().filter(|id| id.starts_with("filling-")).count(),
        time_to_fault,
        reopened["fields"]["down_ms"],
        reopened["fields"]["attempts"],
        recovered_in,
    );
}
