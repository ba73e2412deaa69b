//! A builder's own contracts in one command: `wavs chains deploy-contracts anvil` deploys
//! a manager, handler and trigger through the EVM adapter, registering the three running
//! operators' keys (read from their nodes) with threshold 2, and registers the target with
//! the aggregator. A service deployed with the printed manifest fragment lands its result
//! on the new handler; the devnet's own `square` service, on the devnet's contracts, does
//! not answer the builder's trigger. Run for an ECDSA manager (the default) and for a BLS
//! one (`--scheme bn254-bls`: the nodes' BLS keys and proofs of possession are read from
//! them, and the result lands as one aggregate signature).
//! Needs `scripts/build-guests.sh`, `cargo build --workspace` and anvil.

use serde_json::Value;
use std::process::Command;
use std::time::{Duration, Instant};
use wavs_devnet::bursts::uint;
use wavs_devnet::paths::binary;
use wavs_devnet::{Devnet, DevnetOptions, guest};
use wavs_runtime::bindings::adapter_api::{BlockTag, ContractEventFilter, EventFilter};
use wavs_types::{Scheme, TriggerIdentity, derive_event_id};

/// Anvil's dev account 5 (funded on every local chain, used by nothing else here).
const DEPLOYER_KEY: &str = "0x8b3a350cf5c34c9194ca85829a2df0ec3153be0318b5e2d3348e872092edffba";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn deploy_contracts_gives_a_builder_contracts_of_their_own() {
    builder_contracts_land_results(None).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn deploy_contracts_with_a_bls_manager_lands_results() {
    builder_contracts_land_results(Some("bn254-bls")).await;
}

/// Deploys the builder's contracts (with `--scheme` when given), a service on them, and
/// checks its result lands there and nowhere else.
async fn builder_contracts_land_results(scheme: Option<&str>) {
    let devnet = Devnet::start(DevnetOptions::default(), &|s| eprintln!("[devnet] {s}")).await.expect("devnet starts");
    devnet
        .deploy_service(devnet.square_manifest("square"), &[("square", guest("components/square.wasm"))])
        .await
        .expect("the devnet's own service deploys");
    let token = std::fs::read_to_string(devnet.dir.path().join("aggregator/api-token")).expect("the aggregator's token file");
    let config = devnet.dir.path().join("node1.toml");
    let mut cmd = Command::new(binary("wavs"));
    cmd.args(["--json", "--config"]).arg(&config).args(["chains", "deploy-contracts", "anvil", "--threshold", "2"]);
    for node in &devnet.nodes {
        cmd.args(["--operator-node", &node.url]);
    }
    cmd.args(["--register-with", &devnet.aggregator_url]);
    if let Some(scheme) = scheme {
        cmd.args(["--scheme", scheme]);
    }
    cmd.env("WAVS_DEPLOYER_KEY", DEPLOYER_KEY).env("WAVS_AGGREGATOR_API_TOKEN", token.trim());
    let out = cmd.output().unwrap();
    let (stdout, stderr) = (String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert!(out.status.success(), "deploy-contracts failed\nstdout: {stdout}\nstderr: {stderr}");
    assert!(stderr.contains("registered with the aggregator"), "{stderr}");
    let deployed: Value = serde_json::from_str(&stdout).unwrap();
    let handler = deployed["handler"].as_str().unwrap().to_string();
    let trigger = deployed["trigger"].as_str().unwrap().to_string();
    assert_ne!(handler, devnet.primary().deployment.handler, "a handler of the builder's own");
    assert_eq!(deployed["manifest"]["submit"]["aggregator"]["chain"], "evm:31337", "{deployed}");
    let info = devnet.primary().deployer.handler_info(&handler).await.expect("the new handler answers handler-info");
    let scheme: Scheme = scheme.unwrap_or("secp256k1-ecdsa").parse().unwrap();
    assert_eq!(Scheme::from(info.scheme), scheme, "the new manager verifies the scheme asked for");

    // The builder's service: the manifest fragment as printed.
    let mut manifest = devnet.square_manifest("mine");
    manifest["workflows"]["main"]["trigger"] = deployed["manifest"]["trigger"].clone();
    manifest["workflows"]["main"]["submit"] = deployed["manifest"]["submit"].clone();
    devnet.deploy_service(manifest, &[("square", guest("components/square.wasm"))]).await.expect("the builder's service deploys");

    // Fire the builder's trigger contract and find the event every operator derives.
    let chain = devnet.primary();
    let before = chain.deployer.head(BlockTag::Latest).await.unwrap().height;
    let tx_hash = chain.deployer.fire_trigger(&trigger, &uint(12)).await.expect("the new trigger fires");
    let after = chain.deployer.head(BlockTag::Latest).await.unwrap().height;
    let filter = deployed["manifest"]["trigger"]["chain-event"].clone();
    let filter = EventFilter::ContractEvent(ContractEventFilter {
        contract: filter["contract"].as_str().unwrap().to_string(),
        event: filter["event"].as_str().unwrap().to_string(),
    });
    let events = chain.deployer.events(&[filter], before + 1, after).await.unwrap();
    let event = events.iter().find(|e| e.position.tx_hash == tx_hash).expect("the trigger's event");
    let identity = TriggerIdentity::ChainEvent {
        chain: "evm:31337",
        height: event.position.height,
        tx_hash: &tx_hash,
        index: event.position.index,
    };
    let mine = derive_event_id("mine", "main", &identity, 0);
    let started = Instant::now();
    let landed = loop {
        if let Some(payload) = chain.deployer.handled_payload(&handler, &mine).await.unwrap() {
            break payload;
        }
        assert!(started.elapsed() < Duration::from_secs(60), "no result on the builder's handler after 60 s");
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    assert_eq!(landed, uint(144), "the builder's handler holds 12 squared");

    // The devnet's square service listens to the devnet's trigger contract only.
    let square = derive_event_id("square", "main", &identity, 0);
    assert_eq!(devnet.handled_payload(&square).await.unwrap(), None, "the demo's service did not answer the builder's trigger");
    let records = devnet.executions(0, "square").await.unwrap();
    assert!(records.is_empty(), "square never ran: {records:?}");
}
