//! End-to-end across a real wasmd and a real anvil: three operator node processes,
//! quorum 2 of 3, one aggregator, `cosmos.wasm` and `evm.wasm` loaded from the adapters
//! directory. Routes: Cosmos -> Cosmos, Cosmos -> EVM and EVM -> Cosmos, with one node
//! down. Needs scripts/build-wasmd.sh besides what e2e_evm needs; scripts/test.sh does it.

use std::time::Duration;
use wavs_devnet::{ChainKind, Devnet, DevnetOptions, guest};
use wavs_devnet::bursts::uint;

const ROUTES: [(&str, &str); 3] = [("wasmd", "wasmd"), ("wasmd", "anvil"), ("anvil", "wasmd")];

fn service_id(from: &str, to: &str) -> String {
    format!("square-{from}-to-{to}")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn results_cross_between_cosmos_and_evm_with_one_node_down() {
    let opts = DevnetOptions { chains: vec![ChainKind::Wasmd, ChainKind::Anvil], ..DevnetOptions::default() };
    let mut devnet = Devnet::start(opts, &|s| eprintln!("[devnet] {s}")).await.expect("devnet starts");
    for (from, to) in ROUTES {
        let manifest = devnet.square_manifest_between(&service_id(from, to), from, to).unwrap();
        devnet.deploy_service(manifest, &[("square", guest("components/square.wasm"))]).await.expect("service deploys");
    }

    // All three up: Cosmos -> Cosmos lands.
    let trigger = devnet.fire_trigger_on("wasmd", &uint(7)).await.unwrap();
    let event_id = devnet.event_id(&service_id("wasmd", "wasmd"), &trigger);
    let payload = devnet.wait_landed_on("wasmd", &event_id, Duration::from_secs(90)).await.unwrap();
    assert_eq!(payload, uint(49), "the CosmWasm handler holds 7 squared");
    eprintln!("wasmd -> wasmd: {} ms", trigger.at.elapsed().as_millis());

    // One node down: every route still meets 2 of 3.
    devnet.stop_node(2);
    let on_wasmd = devnet.fire_trigger_on("wasmd", &uint(12)).await.unwrap();
    let on_anvil = devnet.fire_trigger_on("anvil", &uint(5)).await.unwrap();
    for (from, to) in ROUTES {
        let (trigger, expected) = if from == "wasmd" { (&on_wasmd, uint(144)) } else { (&on_anvil, uint(25)) };
        let event_id = devnet.event_id(&service_id(from, to), trigger);
        let payload = devnet.wait_landed_on(to, &event_id, Duration::from_secs(90)).await.unwrap();
        assert_eq!(payload, expected, "{from} -> {to} with node 3 down");
        eprintln!("{from} -> {to} (one node down): {} ms", trigger.at.elapsed().as_millis());
        // Landed where it should and nowhere else.
        let other = if to == "wasmd" { "anvil" } else { "wasmd" };
        assert_eq!(devnet.handled_payload_on(other, &event_id).await.unwrap(), None, "{from} -> {to} also landed on {other}");
    }
}
