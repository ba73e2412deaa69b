//! A chain added while everything runs reaches the submit side too, with no process
//! restarted: a devnet runs (three operator nodes, threshold 2, an aggregator), a second
//! and a third anvil start beside it, and each is added to the running nodes and
//! aggregator at runtime.
//!
//! - `anvilb`: `wavs chains add ... --aggregator URL` on every node gives it to the
//!   aggregator too (the first run adds it there, the others find it there), the target
//!   is registered with `POST /targets`, and a service whose trigger and submit are on
//!   the new chain lands its result on the new chain's handler.
//! - `anvilc`, the other order: the nodes have the chain and fire results for it before
//!   the aggregator has it. The aggregator refuses them as retryable, the nodes keep
//!   them; once the chain is added to the aggregator (`POST /chains`, with
//!   `accept-verified-targets`), those very results land.
//!
//! Needs `scripts/build-guests.sh`, `cargo build` and anvil.

use std::process::Command;
use std::time::{Duration, Instant};
use wavs_client::AggregatorClient;
use wavs_devnet::bursts::uint;
use wavs_devnet::paths::binary;
use wavs_devnet::{Devnet, DevnetOptions, guest};
use wavs_types::aggregator_chains::AggregatorChainRequest;
use wavs_types::aggregator_targets::TargetRequest;
use wavs_types::execution::Submission;
use wavs_types::health::ChainSource;
use wavs_types::node_api::OperatorIdentity;

/// The aggregator's API token (generated into its data dir).
fn token(devnet: &Devnet) -> String {
    std::fs::read_to_string(devnet.dir.path().join("aggregator/api-token")).expect("the aggregator's token file").trim().to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn chains_added_at_runtime_carry_results_to_their_handlers() {
    let opts = DevnetOptions { later_chains: vec!["anvilb".into(), "anvilc".into()], ..DevnetOptions::default() };
    let mut devnet = Devnet::start(opts, &|s| eprintln!("[devnet] {s}")).await.expect("devnet starts");
    let aggregator = AggregatorClient::new(&devnet.aggregator_url).with_token(Some(token(&devnet)));
    let square = guest("components/square.wasm");

    // anvilb: the CLI gives it to every node and, through --aggregator, to the aggregator.
    let anvilb = devnet.start_another_anvil(31338).await.expect("a second anvil starts");
    let rpc = anvilb.spec.rpc_urls[0].clone();
    for (i, node) in devnet.nodes.iter().enumerate() {
        let out = Command::new(binary("wavs"))
            .current_dir(devnet.dir.path())
            .args(["--json", "--node", &node.url, "chains", "add", "anvilb", "--family", "evm", "--chain-id", "31338", "--rpc-url", &rpc])
            .args(["--poll-interval-ms", "100", "--confirmations", "0", "--aggregator", &devnet.aggregator_url])
            .env("WAVS_AGGREGATOR_API_TOKEN", token(&devnet))
            .output()
            .unwrap();
        let (stdout, stderr) = (String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
        assert!(out.status.success(), "wavs chains add failed on node {i}\nstdout: {stdout}\nstderr: {stderr}");
        let answer: serde_json::Value = serde_json::from_str(&stdout).unwrap_or_else(|e| panic!("{e}: {stdout}"));
        assert_eq!(answer["added"], "anvilb", "{answer}");
        assert_eq!(answer["aggregator"]["added"], i == 0, "the first run adds it to the aggregator, the others find it there: {answer}");
    }
    // Without the token nothing is added, and the message says what to set.
    let out = Command::new(binary("wavs"))
        .current_dir(devnet.dir.path())
        .args(["--node", &devnet.nodes[0].url, "chains", "add", "anvilz", "--family", "evm", "--chain-id", "1", "--rpc-url", &rpc])
        .args(["--aggregator", &devnet.aggregator_url])
        .env_remove("WAVS_AGGREGATOR_API_TOKEN")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success() && stderr.contains("WAVS_AGGREGATOR_API_TOKEN") && stderr.contains("nothing was added"), "{stderr}");
    let out = Command::new(binary("wavs"))
        .current_dir(devnet.dir.path())
        .args(["--node", &devnet.nodes[0].url, "chains", "add", "anvilz", "--family", "evm", "--chain-id", "1", "--rpc-url", &rpc])
        .args(["--aggregator", &devnet.aggregator_url])
        .env("WAVS_AGGREGATOR_API_TOKEN", "not-the-token")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success() && stderr.contains("401") && stderr.contains("set WAVS_AGGREGATOR_API_TOKEN"), "{stderr}");
    let health = aggregator.health().await.unwrap();
    assert!(health.chains.get("anvilb").is_some_and(|c| c.source == ChainSource::Api) && !health.chains.contains_key("anvilz"), "{health:?}");

    let b = devnet.deploy_on_added_chain("anvilb", anvilb, 2).await.expect("contracts deploy on anvilb");
    let target = TargetRequest { chain: "anvilb".into(), manager: b.deployment.manager.clone(), handler: b.deployment.handler.clone() };
    aggregator.register_target(&target).await.expect("the target on anvilb is registered");
    let manifest = devnet.square_manifest_between("square-b", "anvilb", "anvilb").unwrap();
    devnet.deploy_service(manifest, &[("square", square.clone())]).await.expect("the service on anvilb deploys");
    let fired = devnet.fire_trigger_on("anvilb", &uint(11)).await.unwrap();
    let landed = devnet.wait_landed_on("anvilb", &devnet.event_id("square-b", &fired), Duration::from_secs(60)).await.unwrap();
    assert_eq!(landed, uint(121), "the new chain's handler holds 11 squared");

    // anvilc: the nodes have it, the aggregator does not yet.
    let anvilc = devnet.start_another_anvil(31339).await.expect("a third anvil starts");
    let request = Devnet::chain_request("anvilc", &anvilc);
    for node in &devnet.nodes {
        devnet.client(&node.url).add_chain(&request).await.unwrap_or_else(|e| panic!("POST {}/chains: {e}", node.url));
    }
    devnet.deploy_on_added_chain("anvilc", anvilc, 2).await.expect("contracts deploy on anvilc");
    let manifest = devnet.square_manifest_between("square-c", "anvilc", "anvilc").unwrap();
    devnet.deploy_service(manifest, &[("square", square)]).await.expect("the service on anvilc deploys");
    let fired = devnet.fire_trigger_on("anvilc", &uint(7)).await.unwrap();
    let event_id = devnet.event_id("square-c", &fired);

    // Every node signed the result and holds it: refused as retryable, sent again later.
    let started = Instant::now();
    for i in 0..devnet.nodes.len() {
        loop {
            let records = devnet.executions(i, "square-c").await.unwrap();
            let refused = records.iter().flat_map(|r| &r.results).find_map(|r| match &r.submission {
                Submission::Signed { attempts, last_error: Some(error) } if *attempts >= 1 => Some(error.clone()),
                _ => None,
            });
            if let Some(error) = refused {
                assert!(error.contains("503") && error.contains("\"anvilc\" is not configured here yet") && error.contains("POST /chains"), "{error}");
                break;
            }
            assert!(records.iter().flat_map(|r| &r.results).all(|r| !matches!(r.submission, Submission::Failed { .. })), "given up: {records:?}");
            assert!(started.elapsed() < Duration::from_secs(60), "node {i} did not sign and try the result: {records:?}");
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }
    assert!(devnet.aggregator_status(&event_id).await.is_none(), "the aggregator holds nothing for a chain it does not serve");
    assert_eq!(devnet.handled_payload_on("anvilc", &event_id).await.unwrap(), None);

    // Given the chain, the aggregator takes the very results the nodes kept.
    let spec = devnet.chain("anvilc").unwrap().chain.spec.clone();
    let added = aggregator
        .add_chain(&AggregatorChainRequest { name: "anvilc".into(), accept_verified_targets: true, spec })
        .await
        .expect("the aggregator takes anvilc");
    assert_eq!((added.chain_id.as_str(), added.accept_verified_targets), ("evm:31339", true), "{added:?}");
    assert!(matches!(&added.submitter, OperatorIdentity::Id(id) if id.starts_with("0x")), "names the paying account: {added:?}");
    assert!(added.key.contains("chains.anvilc"), "the key prepared for it: {added:?}");
    let landed = devnet.wait_landed_on("anvilc", &event_id, Duration::from_secs(90)).await.unwrap();
    assert_eq!(landed, uint(49), "the result fired before the aggregator had the chain lands");

    // No process was restarted.
    for node in &mut devnet.nodes {
        assert!(!node.process.has_exited(), "{} exited", node.process.name());
    }
    assert!(!devnet.aggregator.as_mut().expect("an aggregator runs").has_exited(), "the aggregator exited");
}
