//! Fault test: kill -9 the only operator node in the middle of a burst of triggers,
//! restart it on the same data dir, and every result lands exactly once.
//! `WAVS_FAULT_TRIGGERS` sets the burst size (default 1,000).

use std::collections::BTreeMap;
use std::time::{Duration, Instant};
use wavs_devnet::bursts::{fire_with_fault, landed_at_aggregator, lost_squares, size_from_env};
use wavs_devnet::{Devnet, DevnetOptions, guest};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_node_killed_mid_burst_lands_every_result_exactly_once_after_restart() {
    let total = size_from_env("WAVS_FAULT_TRIGGERS", 1000);
    let opts = DevnetOptions { operators: 1, threshold: 1, ..DevnetOptions::default() };
    let mut devnet = Devnet::start(opts, &|s| eprintln!("[devnet] {s}")).await.expect("devnet starts");
    devnet.deploy_service(devnet.square_manifest("square"), &[("square", guest("components/square.wasm"))]).await.unwrap();

    let started = Instant::now();
    // Mid-burst, with triggers read but not all signed or sent: no chance to flush.
    let fired = fire_with_fault(&mut devnet, total, |d| {
        d.stop_node(0);
        eprintln!("[fault] node killed with SIGKILL mid-burst");
    })
    .await;
    devnet.restart_node(0).await.expect("node restarts on the same data dir with no manual step");
    eprintln!("[fault] node restarted; {total} triggers fired in {:?}", started.elapsed());

    let lost = lost_squares(&devnet, &fired, Duration::from_secs(120)).await;
    let landed_in = started.elapsed();
    let landed = landed_at_aggregator(&devnet, &fired).await;

    // Exactly once: one execution per trigger on the node.
    let records = devnet.recent_executions(0, "square", 1000).await.unwrap();
    let mut executions: BTreeMap<Vec<u8>, usize> = BTreeMap::new();
    for result in records.iter().flat_map(|r| &r.results) {
        *executions.entry(result.event_id.clone()).or_default() += 1;
    }
    let duplicated = executions.values().filter(|&&c| c > 1).count();
    let health = devnet.node_health(&devnet.nodes[0].url).await.unwrap().1;
    eprintln!(
        "[figures] node kill -9 mid-burst: triggers sent {total}, results on chain {landed}, lost {lost}, \
         duplicated {duplicated}, all landed {:.1} s after the first trigger; executions after the restart {}",
        landed_in.as_secs_f64(),
        serde_json::to_string(&health.executions).unwrap_or_default()
    );
    assert_eq!(lost, 0, "no result lost");
    assert_eq!(duplicated, 0, "no event id executed to a signed result twice");
    assert_eq!(landed, total, "every result landed once");
    assert_eq!(executions.len(), total, "one execution per trigger is recorded");
}
