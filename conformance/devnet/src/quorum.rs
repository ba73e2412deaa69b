//! The quorum scenario every scheme's end-to-end test runs: three operators, threshold 2,
//! the `square` service; a result lands with all up and with one down, and with two down
//! nothing lands and the aggregator says the envelope waits at weight 1 of 2.

use crate::bursts::uint;
use crate::{Devnet, DevnetOptions, guest};
use std::time::{Duration, Instant};
use wavs_types::EnvelopeState;

/// A devnet started with `opts`, serving the `square` service.
pub async fn square_devnet(opts: DevnetOptions) -> Devnet {
    let devnet = Devnet::start(opts, &|s| eprintln!("[devnet] {s}")).await.expect("devnet starts");
    let manifest = devnet.square_manifest("square");
    devnet.deploy_service(manifest, &[("square", guest("components/square.wasm"))]).await.expect("square service deploys");
    devnet
}

/// Runs the scenario on a devnet of three operators with threshold 2 (panics on failure,
/// as the tests want).
pub async fn lands_with_quorum_and_not_without_it(devnet: &mut Devnet) {
    // All three operators up.
    let trigger = devnet.fire_trigger(&uint(7)).await.unwrap();
    let event_id = devnet.event_id("square", &trigger);
    let payload = devnet.wait_landed(&event_id, Duration::from_secs(60)).await.unwrap();
    assert_eq!(payload, uint(49), "the handler holds 7 squared");
    eprintln!("trigger -> result on chain: {} ms", trigger.at.elapsed().as_millis());

    // One node down: 2 of 3 still meet the threshold.
    devnet.stop_node(2);
    let trigger = devnet.fire_trigger(&uint(12)).await.unwrap();
    let event_id = devnet.event_id("square", &trigger);
    let payload = devnet.wait_landed(&event_id, Duration::from_secs(60)).await.unwrap();
    assert_eq!(payload, uint(144), "the result lands with one operator down");

    // Two nodes down: one signature, threshold 2 — nothing lands.
    devnet.stop_node(1);
    let trigger = devnet.fire_trigger(&uint(5)).await.unwrap();
    let event_id = devnet.event_id("square", &trigger);
    let started = Instant::now();
    let status = loop {
        if let Some(status) = devnet.aggregator_status(&event_id).await {
            break status;
        }
        assert!(started.elapsed() < Duration::from_secs(60), "the remaining operator never reached the aggregator");
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    // Give a wrong submission time to happen, then check the chain.
    tokio::time::sleep(Duration::from_secs(3)).await;
    assert_eq!(devnet.handled_payload(&event_id).await.unwrap(), None, "nothing lands below quorum");
    let status = devnet.aggregator_status(&event_id).await.unwrap_or(status);
    match status.state {
        EnvelopeState::Pending { signed_weight, threshold, .. } => assert_eq!((signed_weight, threshold), (1, 2)),
        other => panic!("expected a pending envelope below quorum, got {other:?}"),
    }
    assert!(status.detail.contains("insufficient quorum"), "aggregator says why: {}", status.detail);
}
