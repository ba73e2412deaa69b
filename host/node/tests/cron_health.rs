//! Cron workflows as `GET /health` and `wavs health` show them, against a real `wavs
//! node`: a deployed `*/1 * * * *` workflow is listed with its next tick (a whole minute,
//! ahead), a deploy that changes its schedule is followed, and a removed service leaves
//! the list: the node's cron loop rereads the services whenever they change. Needs
//! `target/guests/components/echo.wasm` (scripts/build-guests.sh).

use serde_json::json;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};
use wavs_types::health::{CronHealth, NodeHealth};

mod common;
use common::{NodeProcess, guest};

const TOKEN: &str = "cron-health-test-token-4b7e";

fn now_s() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_secs()
}

async fn deploy(node: &NodeProcess, digest: &str, schedule: &str) {
    let service = json!({
        "id": "ticker", "components": { "echo": { "digest": digest } },
        "workflows": { "main": { "trigger": { "cron": { "schedule": schedule } }, "component": "echo", "submit": "none" } },
    });
    let (status, body) = node.send(TOKEN, "POST", "/services", "application/json", service.to_string().into_bytes()).await;
    assert_eq!(status, 201, "{body}");
}

/// Polls `/health` until its `cron` list satisfies `accept` (the loop looks once a second);
/// returns that list and the time it was answered.
async fn cron_until(node: &NodeProcess, what: &str, accept: impl Fn(&[CronHealth], u64) -> bool) -> Vec<CronHealth> {
    let started = Instant::now();
    loop {
        let (status, health) = node.send(TOKEN, "GET", "/health", "application/json", vec![]).await;
        assert_eq!(status, 200, "{health}");
        let cron = serde_json::from_value::<NodeHealth>(health).unwrap().cron;
        if accept(&cron, now_s()) {
            return cron;
        }
        assert!(started.elapsed() < Duration::from_secs(30), "{what}: /health still shows {cron:?}");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn health_lists_each_cron_workflow_with_its_next_tick() {
    let dir = tempfile::tempdir().unwrap();
    let node = NodeProcess::start_with_token(dir.path(), TOKEN);
    let (status, body) = node.send(TOKEN, "POST", "/components", "application/wasm", guest("components/echo.wasm")).await;
    assert_eq!(status, 201, "{body}");
    let digest = body["digest"].as_str().unwrap().to_string();

    // Listed with a next tick in the future: the next whole minute.
    deploy(&node, &digest, "*/1 * * * *").await;
    let cron = cron_until(&node, "a future next tick", |c, now| c.len() == 1 && c[0].next_tick.is_some_and(|t| t > now)).await;
    let (entry, next) = (&cron[0], cron[0].next_tick.unwrap());
    assert_eq!((entry.service.as_str(), entry.workflow.as_str(), entry.schedule.as_str()), ("ticker", "main", "*/1 * * * *"));
    assert_eq!(next % 60, 0, "{entry:?}");
    assert!(next <= now_s() + 60, "within the minute: {entry:?}");
    assert!(entry.last_queued_tick.is_none_or(|t| t % 60 == 0 && t < next), "{entry:?}");

    // The CLI prints it.
    let out = common::cli().args(["--node", &node.url, "health"]).output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{stdout}{}", String::from_utf8_lossy(&out.stderr));
    assert!(stdout.contains("cron        1") && stdout.contains("ticker/main  */1 * * * *  next "), "{stdout}");

    // Deployed again with another schedule: followed (03:00 UTC daily).
    deploy(&node, &digest, "0 3 * * *").await;
    let daily = |c: &[CronHealth], now| c.len() == 1 && c[0].schedule == "0 3 * * *" && c[0].next_tick.is_some_and(|t| t > now);
    let cron = cron_until(&node, "the new schedule", daily).await;
    let next = cron[0].next_tick.unwrap();
    assert!(next % 86_400 == 3 * 3600 && next <= now_s() + 86_400, "{cron:?}");

    // Removed: gone from the list.
    let (status, body) = node.send(TOKEN, "DELETE", "/services/ticker", "application/json", vec![]).await;
    assert_eq!(status, 204, "{body}");
    cron_until(&node, "no cron workflow", |c, _| c.is_empty()).await;
}
