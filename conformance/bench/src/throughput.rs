//! Throughput: manual tasks on a trivial component (`echo`, results kept on the node)
//! fired at one `wavs` process by C concurrent clients for a fixed time. Reports
//! tasks/s, per core, the CPU the node and the load generator used, and latency.
//!
//! The same run with the node's data dir on disk and on tmpfs (where fsync costs
//! nothing) shows what the store's durable commits cost; `fsync` measures a redb commit
//! with and without durability, and a bare `fdatasync`, on both; `http-ceiling` fires
//! `GET /health` the same way, the most an HTTP request per task allows.

use crate::emit;
use crate::util::{self, NodeProc, ms, say, stats};
use serde_json::json;
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};
use wavs_devnet::process::free_port;

/// Where a node's data dir can live: `disk` (the temp dir) and `tmpfs` (`/dev/shm`).
pub fn storages() -> Vec<(&'static str, std::path::PathBuf)> {
    let mut out = vec![("disk", std::env::temp_dir())];
    let shm = Path::new("/dev/shm");
    if shm.is_dir() && tempfile::tempdir_in(shm).is_ok() {
        out.push(("tmpfs", shm.to_path_buf()));
    }
    out
}

/// Runs the throughput measurement for every storage and concurrency.
pub async fn run(seconds: f64, concurrencies: &[usize]) -> Result<(), String> {
    for (storage, base) in storages() {
        let http = util::client();
        let dir = tempfile::Builder::new().prefix("wavs-bench-tput-").tempdir_in(&base).map_err(|e| e.to_string())?;
        let port = free_port();
        let config = util::write_node_config(dir.path(), &dir.path().join("data"), &dir.path().join("adapters"), port, "")?;
        let mut node = NodeProc::spawn(dir.path(), &config, port, "node")?;
        node.wait_ready(&http, 0, Duration::from_secs(60)).await?;
        let echo = util::guest_bytes("components/echo.wasm")?;
        let client = util::node_client(&http, &node.url);
        let digest = client.upload_component(echo, true).await.map_err(|e| format!("POST {}/components: {e}", node.url))?;
        let manifest = json!({
            "id": "echo",
            "components": { "c": { "digest": digest } },
            "workflows": { "main": { "trigger": "manual", "component": "c", "submit": "none" } }
        });
        client.deploy(&manifest).await.map_err(|e| format!("POST {}/services: {e}", node.url))?;
        // Warm up: connections, the instance pool, the store's file.
        fire(&http, &node, "warm", 8, Duration::from_millis(500), Target::Task).await?;

        for &c in concurrencies {
            say(&format!("throughput: {storage}, {c} in flight, {seconds} s"));
            let window = Duration::from_secs_f64(seconds);
            let r = fire(&http, &node, &format!("{storage}-{c}"), c, window, Target::Task).await?;
            let lat = stats(&r.latency_ms);
            let per_s = r.ok as f64 / r.elapsed.as_secs_f64();
            emit!("throughput", {
                "storage": storage,
                "concurrency": c,
                "seconds": util::r3(r.elapsed.as_secs_f64()),
                "tasks": r.ok,
                "errors": r.errors,
                "tasks_per_s": util::r3(per_s),
                "tasks_per_s_per_core": util::r3(per_s / util::cores() as f64),
                "node_cpu_cores_used": util::r3(r.node_cpu / r.elapsed.as_secs_f64()),
                "bench_cpu_cores_used": util::r3(r.bench_cpu / r.elapsed.as_secs_f64()),
                "node_cpu_us_per_task": (r.ok > 0).then(|| util::r3(r.node_cpu * 1e6 / r.ok as f64)),
                "tasks_per_node_cpu_s": (r.node_cpu > 0.0).then(|| util::r3(r.ok as f64 / r.node_cpu)),
                "latency_ms_p50": lat.p50,
                "latency_ms_p99": lat.p99,
            });
        }
        if storage == "disk" {
            let c = *concurrencies.iter().max().unwrap_or(&16);
            say(&format!("http-ceiling: GET /health, {c} in flight"));
            let r = fire(&http, &node, "health", c, Duration::from_secs_f64(seconds), Target::Health).await?;
            let lat = stats(&r.latency_ms);
            emit!("http-ceiling", {
                "concurrency": c,
                "requests": r.ok,
                "requests_per_s": util::r3(r.ok as f64 / r.elapsed.as_secs_f64()),
                "node_cpu_cores_used": util::r3(r.node_cpu / r.elapsed.as_secs_f64()),
                "bench_cpu_cores_used": util::r3(r.bench_cpu / r.elapsed.as_secs_f64()),
                "node_cpu_us_per_request": (r.ok > 0).then(|| util::r3(r.node_cpu * 1e6 / r.ok as f64)),
                "latency_ms_p50": lat.p50,
                "latency_ms_p99": lat.p99,
            });
        }
        node.stop_graceful();
    }
    Ok(())
}

#[derive(Clone, Copy)]
enum Target {
    Task,
    Health,
}

struct Fired {
    ok: u64,
    errors: u64,
    elapsed: Duration,
    latency_ms: Vec<f64>,
    node_cpu: f64,
    bench_cpu: f64,
}

/// `concurrency` clients, each sending its next request as soon as the last is
/// answered, until `window` has passed.
async fn fire(http: &reqwest::Client, node: &NodeProc, tag: &str, concurrency: usize, window: Duration, target: Target) -> Result<Fired, String> {
    let ok = Arc::new(AtomicU64::new(0));
    let errors = Arc::new(AtomicU64::new(0));
    let node_cpu0 = util::cpu_seconds(node.pid()).unwrap_or(0.0);
    let bench_cpu0 = util::cpu_seconds(std::process::id()).unwrap_or(0.0);
    let started = Instant::now();
    let deadline = started + window;
    let mut set = tokio::task::JoinSet::new();
    for worker in 0..concurrency {
        let (http, url, tag) = (http.clone(), node.url.clone(), tag.to_string());
        let (ok, errors) = (ok.clone(), errors.clone());
        set.spawn(async move {
            let mut latency = Vec::new();
            let mut i = 0u64;
            let mut last_error = None;
            while Instant::now() < deadline {
                let t = Instant::now();
                let result = match target {
                    Target::Task => util::task(&http, &url, "echo", &format!("{tag}-{worker}-{i}"), b"\x01").await.map(|_| ()),
                    Target::Health => match http.get(format!("{url}/health")).send().await {
                        Ok(r) if r.status().is_success() => r.bytes().await.map(|_| ()).map_err(|e| e.to_string()),
                        Ok(r) => Err(format!("GET /health: {}", r.status())),
                        Err(e) => Err(e.to_string()),
                    },
                };
                match result {
                    Ok(()) => {
                        latency.push(ms(t.elapsed()));
                        ok.fetch_add(1, Ordering::Relaxed);
                    }
                    Err(e) => {
                        errors.fetch_add(1, Ordering::Relaxed);
                        last_error = Some(e);
                    }
                }
                i += 1;
            }
            (latency, last_error)
        });
    }
    let mut latency_ms = Vec::new();
    while let Some(joined) = set.join_next().await {
        let (latency, last_error) = joined.map_err(|e| e.to_string())?;
        if let Some(e) = last_error {
            say(&format!("a request failed: {e}"));
        }
        latency_ms.extend(latency);
    }
    let elapsed = started.elapsed();
    Ok(Fired {
        ok: ok.load(Ordering::Relaxed),
        errors: errors.load(Ordering::Relaxed),
        elapsed,
        latency_ms,
        node_cpu: util::cpu_seconds(node.pid()).unwrap_or(0.0) - node_cpu0,
        bench_cpu: util::cpu_seconds(std::process::id()).unwrap_or(0.0) - bench_cpu0,
    })
}

const PROBE: redb::TableDefinition<u64, &[u8]> = redb::TableDefinition::new("probe");

/// What one redb commit costs with the default durability (`Immediate`: one
/// `fdatasync` per commit) and without (`None`), and one bare `fdatasync`, on each storage.
pub fn fsync_probe(commits: usize) -> Result<(), String> {
    for (storage, base) in storages() {
        say(&format!("fsync: {storage}"));
        let dir = tempfile::Builder::new().prefix("wavs-bench-fsync-").tempdir_in(&base).map_err(|e| e.to_string())?;
        let db = redb::Database::create(dir.path().join("probe.redb")).map_err(|e| e.to_string())?;
        let value = vec![7u8; 512];
        for (name, durability) in [("immediate", redb::Durability::Immediate), ("none", redb::Durability::None)] {
            let started = Instant::now();
            for i in 0..commits as u64 {
                let mut txn = db.begin_write().map_err(|e| e.to_string())?;
                txn.set_durability(durability).map_err(|e| e.to_string())?;
                txn.open_table(PROBE).map_err(|e| e.to_string())?.insert(i, value.as_slice()).map_err(|e| e.to_string())?;
                txn.commit().map_err(|e| e.to_string())?;
            }
            let per = started.elapsed().as_secs_f64() / commits as f64;
            emit!("fsync", {
                "storage": storage,
                "what": format!("redb-commit-durability-{name}"),
                "count": commits,
                "us_each": util::r3(per * 1e6),
                "per_s": util::r3(1.0 / per),
            });
        }
        let file = std::fs::File::create(dir.path().join("raw")).map_err(|e| e.to_string())?;
        let started = Instant::now();
        for _ in 0..commits {
            use std::os::unix::fs::FileExt;
            file.write_all_at(&value, 0).map_err(|e| e.to_string())?;
            file.sync_data().map_err(|e| e.to_string())?;
        }
        let per = started.elapsed().as_secs_f64() / commits as f64;
        emit!("fsync", {
            "storage": storage,
            "what": "write-512b-fdatasync",
            "count": commits,
            "us_each": util::r3(per * 1e6),
            "per_s": util::r3(1.0 / per),
        });
    }
    Ok(())
}
