//! Scale: N services on one node (a real `wavs` process, manual triggers, `echo`,
//! results kept on the node). Per size: the warm start (graceful stop, start again on
//! the same data dir, until `/health` answers with every service loaded), resident
//! memory after the start and after one task per service, memory per extra service,
//! trigger-to-result latency of manual tasks, and the start after a kill -9.
//!
//! Two variants: every service runs the same component (`shared`), or each service
//! has a component of its own (`distinct`: echo with a custom section naming the
//! service, so each is compiled, cached and loaded separately).

use crate::emit;
use crate::util::{self, NodeProc, ms, say, stats};
use serde_json::json;
use std::time::{Duration, Instant};
use wavs_devnet::process::free_port;

/// Whether services share one component or each has its own.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Variant {
    Shared,
    Distinct,
}

impl Variant {
    fn name(self) -> &'static str {
        match self {
            Variant::Shared => "shared",
            Variant::Distinct => "distinct",
        }
    }
}

/// Runs every size in every variant.
pub async fn run(sizes: &[usize], variants: &[Variant], latency_tasks: usize) -> Result<(), String> {
    for &variant in variants {
        // Resident memory after a task per service, by size, for the growth per service.
        let mut baseline: Option<(usize, u64, u64)> = None;
        for &n in sizes {
            say(&format!("scale: {n} services ({})", variant.name()));
            let m = measure(n, variant, latency_tasks).await?;
            let growth = |now: u64, base: u64, base_n: usize| {
                (n > base_n).then(|| util::r3((now as f64 - base as f64) / 1024.0 / (n - base_n) as f64))
            };
            let (per_service_start, per_service_tasks) = match baseline {
                Some((base_n, start, tasks)) => (growth(m.rss_start_kb, start, base_n), growth(m.rss_tasks_kb, tasks, base_n)),
                None => (None, None),
            };
            if baseline.is_none() {
                baseline = Some((n, m.rss_start_kb, m.rss_tasks_kb));
            }
            let lat = stats(&m.latency_ms);
            emit!("scale", {
                "variant": variant.name(),
                "services": n,
                "deploy_s": util::r3(m.deploy.as_secs_f64()),
                "stop_ms": util::r3(ms(m.stop)),
                "start_ms": util::r3(ms(m.start)),
                "node_opened_ms": m.logged_startup_ms,
                "start_after_kill9_ms": util::r3(ms(m.start_after_kill)),
                "rss_mb": util::r3(m.rss_start_kb as f64 / 1024.0),
                "rss_after_tasks_mb": util::r3(m.rss_tasks_kb as f64 / 1024.0),
                "rss_peak_mb": util::r3(m.hwm_kb as f64 / 1024.0),
                "rss_mb_per_extra_service": per_service_start,
                "rss_after_tasks_mb_per_extra_service": per_service_tasks,
                "first_task_per_service_s": util::r3(m.first_tasks.as_secs_f64()),
                "latency_tasks": lat.n,
                "latency_ms_mean": lat.mean,
                "latency_ms_p50": lat.p50,
                "latency_ms_p99": lat.p99,
                "latency_ms_max": lat.max,
            });
        }
    }
    Ok(())
}

struct Measured {
    deploy: Duration,
    stop: Duration,
    start: Duration,
    logged_startup_ms: Option<u64>,
    start_after_kill: Duration,
    rss_start_kb: u64,
    rss_tasks_kb: u64,
    hwm_kb: u64,
    first_tasks: Duration,
    latency_ms: Vec<f64>,
}

fn manifest(id: &str, digest: &str) -> serde_json::Value {
    json!({
        "id": id,
        "components": { "c": { "digest": digest } },
        "workflows": { "main": { "trigger": "manual", "component": "c", "submit": "none" } }
    })
}

async fn measure(n: usize, variant: Variant, latency_tasks: usize) -> Result<Measured, String> {
    let http = util::client();
    let dir = tempfile::Builder::new().prefix("wavs-bench-scale-").tempdir().map_err(|e| e.to_string())?;
    let port = free_port();
    let config = util::write_node_config(dir.path(), &dir.path().join("data"), &dir.path().join("adapters"), port, "")?;
    let mut node = NodeProc::spawn(dir.path(), &config, port, "node-deploy")?;
    node.wait_ready(&http, 0, Duration::from_secs(60)).await?;

    // Deploy (cold: each distinct component is compiled here).
    let echo = util::guest_bytes("components/echo.wasm")?;
    let ids: Vec<String> = (0..n).map(|i| format!("svc-{i:05}")).collect();
    let deploy_started = Instant::now();
    let mut shared_digest = None;
    for (i, id) in ids.iter().enumerate() {
        let digest = match (variant, &shared_digest) {
            (Variant::Shared, Some(d)) => String::clone(d),
            _ => {
                let bytes = match variant {
                    Variant::Shared => echo.clone(),
                    Variant::Distinct => util::with_custom_section(&echo, "wavs-bench", format!("service {i}").as_bytes()),
                };
                let uploaded = util::node_client(&http, &node.url).upload_component(bytes, true).await;
                let d = uploaded.map_err(|e| format!("POST {}/components: {e}", node.url))?;
                shared_digest = Some(d.clone());
                d
            }
        };
        let deployed = util::node_client(&http, &node.url).deploy(&manifest(id, &digest)).await;
        deployed.map_err(|e| format!("POST {}/services: {e}", node.url))?;
    }
    let deploy = deploy_started.elapsed();

    // Warm start: same data dir, every compiled component in the cache.
    let stop = node.stop_graceful();
    node.restart("node-warm")?;
    let start = node.wait_ready(&http, n, Duration::from_secs(300)).await?;
    let logged_startup_ms = node.logged_startup_ms();
    let rss_start_kb = util::rss_kb(node.pid()).unwrap_or(0);

    // One task per service, 8 at a time.
    let started = Instant::now();
    for chunk in ids.chunks(8) {
        let mut set = tokio::task::JoinSet::new();
        for id in chunk {
            let (http, url, id) = (http.clone(), node.url.clone(), id.clone());
            set.spawn(async move { util::task(&http, &url, &id, &format!("first-{id}"), b"hello").await });
        }
        while let Some(result) = set.join_next().await {
            result.map_err(|e| e.to_string())??;
        }
    }
    let first_tasks = started.elapsed();
    let rss_tasks_kb = util::rss_kb(node.pid()).unwrap_or(0);

    // Trigger-to-result latency, one task at a time, round robin over the services.
    let mut latency_ms = Vec::with_capacity(latency_tasks);
    for i in 0..latency_tasks {
        let id = &ids[i % n];
        let t = Instant::now();
        util::task(&http, &node.url, id, &format!("lat-{i}"), b"hello").await?;
        latency_ms.push(ms(t.elapsed()));
    }
    let hwm_kb = util::hwm_kb(node.pid()).unwrap_or(0);

    // Start after kill -9 (redb recovers the file).
    node.kill9();
    node.restart("node-after-kill")?;
    let start_after_kill = node.wait_ready(&http, n, Duration::from_secs(300)).await?;
    node.stop_graceful();
    Ok(Measured {
        deploy,
        stop,
        start,
        logged_startup_ms,
        start_after_kill,
        rss_start_kb,
        rss_tasks_kb,
        hwm_kb,
        first_tasks,
        latency_ms,
    })
}
