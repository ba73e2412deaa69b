//! Fault test: the chain's RPC becomes unreachable for the node for 30 s in the middle
//! of a burst of triggers; after it returns, nothing is lost and nothing lands twice.
//! `WAVS_OUTAGE_SECS` sets the outage (default 30), `WAVS_FAULT_TRIGGERS` the burst (200).

use std::time::{Duration, Instant};
use wavs_devnet::bursts::{fire_with_fault, landed_at_aggregator, lost_squares, size_from_env};
use wavs_devnet::proxy::Proxy;
use wavs_devnet::{Devnet, DevnetOptions, guest};
use wavs_types::ChainState;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nothing_is_lost_when_the_chain_rpc_is_down_for_30_s_mid_burst() {
    let total = size_from_env("WAVS_FAULT_TRIGGERS", 200);
    let outage = Duration::from_secs(size_from_env("WAVS_OUTAGE_SECS", 30) as u64);
    let opts = DevnetOptions { operators: 1, threshold: 1, ..DevnetOptions::default() };
    let mut devnet = Devnet::start(opts, &|s| eprintln!("[devnet] {s}")).await.expect("devnet starts");
    // The node reaches anvil only through a proxy the test can switch off.
    let direct = devnet.chains[0].chain.spec.rpc_urls[0].clone();
    let proxy = Proxy::start(direct.trim_start_matches("http://").to_string()).await.unwrap();
    devnet.chains[0].chain.spec.rpc_urls = vec![proxy.url.clone()];
    let evm = [("evm.wasm", guest("adapters/evm.wasm"))];
    let (url, _) = devnet.replace_node(0, "outage", &evm, "").await.expect("node starts");
    devnet.chains[0].chain.spec.rpc_urls = vec![direct];
    devnet.deploy_service(devnet.square_manifest("square"), &[("square", guest("components/square.wasm"))]).await.unwrap();
    let chain = devnet.primary().name.clone();

    let started = Instant::now();
    let mut down_at = None;
    let fired = fire_with_fault(&mut devnet, total, |_| {
        proxy.set_down(true);
        down_at = Some(Instant::now());
        eprintln!("[fault] chain RPC unreachable for the node mid-burst");
    })
    .await;
    let down_at = down_at.expect("the outage started");
    let (_, during) = devnet.node_health(&url).await.unwrap();
    tokio::time::sleep(outage.saturating_sub(down_at.elapsed())).await;
    let (_, late) = devnet.node_health(&url).await.unwrap();
    assert!(late.chain_is(&chain, ChainState::Error), "the node reports the outage: {late:?}");
    proxy.set_down(false);
    eprintln!("[fault] chain RPC back after {:?}; node said {:?}", down_at.elapsed(), late.chains[&chain].error);
    let back_at = Instant::now();

    let lost = lost_squares(&devnet, &fired, Duration::from_secs(180)).await;
    let recovered_in = back_at.elapsed();
    let landed = landed_at_aggregator(&devnet, &fired).await;
    // The replacement node is the last one.
    let executed = devnet.recent_executions(devnet.nodes.len() - 1, "square", 1000).await.unwrap().len();
    eprintln!(
        "[figures] chain RPC down {:.0} s mid-burst: triggers sent {total}, results on chain {landed}, lost {lost}, \
         executions {executed}, all landed {:.1} s after the RPC returned; state during outage: {}; total {:.1} s",
        outage.as_secs_f64(),
        recovered_in.as_secs_f64(),
        // As JSON (quoted), as the figures have always shown it.
        serde_json::to_string(&during.chains.get(&chain).map(|c| c.state)).unwrap_or_default(),
        started.elapsed().as_secs_f64()
    );
    assert_eq!(lost, 0, "no result lost");
    assert_eq!(landed, total, "every result landed once");
    assert_eq!(executed, total, "one execution per trigger");
}
