//! An operator runs a node on a devnet with the `wavs` CLI alone: reads its keys, chains,
//! adapters and health; adds a chain (no restart), deploys a service on it that is still
//! served after a restart; pauses the service, whose trigger waits while paused and
//! lands once resumed; runs a manual task on its manual workflow (its chain-triggered
//! one refuses manual tasks, naming its trigger); reads executions and removes the service.
//! Needs `scripts/build-guests.sh`, `cargo build --workspace` and anvil.

use serde_json::Value;
use std::process::Command;
use std::time::Duration;
use wavs_devnet::bursts::uint;
use wavs_devnet::paths::binary;
use wavs_devnet::{Devnet, DevnetOptions, guest};
use wavs_types::ChainState;
use wavs_types::health::{ChainSource, HealthStatus};

/// Runs `wavs --node URL ARGS`; returns (success, stdout, stderr).
fn wavs(url: &str, args: &[&str]) -> (bool, String, String) {
    let out = Command::new(binary("wavs")).arg("--node").arg(url).args(args).env_remove("WAVS_API_TOKEN").output().unwrap();
    (out.status.success(), String::from_utf8_lossy(&out.stdout).into_owned(), String::from_utf8_lossy(&out.stderr).into_owned())
}

fn ok(url: &str, args: &[&str]) -> String {
    let (success, stdout, stderr) = wavs(url, args);
    assert!(success, "wavs {args:?} failed\nstdout: {stdout}\nstderr: {stderr}");
    stdout
}

fn executions(devnet: &Devnet, url: &str, service: &str) -> impl std::future::Future<Output = usize> {
    let url = format!("{url}/executions?service={service}");
    async move { devnet.get(&url).await.unwrap().1.as_array().map(Vec::len).unwrap_or(0) }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_operator_adds_a_chain_and_pauses_a_service_on_a_running_node() {
    let opts = DevnetOptions { operators: 1, threshold: 1, ..DevnetOptions::default() };
    let mut devnet = Devnet::start(opts, &|s| eprintln!("[devnet] {s}")).await.expect("devnet starts");
    let url = devnet.nodes[0].url.clone();
    let primary = devnet.primary().name.clone();
    let spec = devnet.primary().chain.spec.clone();

    // What the node is: its operator id on the chain (as the local config computes it
    // too), the adapter serving it, its health.
    let keys = ok(&url, &["--json", "keys"]);
    let keys: Value = serde_json::from_str(&keys).unwrap();
    let id = keys["chains"][&primary]["id"].as_str().unwrap_or_default().to_string();
    assert!(id.starts_with("0x") && id.len() == 42, "an EVM operator address on {primary}: {keys}");
    let config = devnet.dir.path().join("node1.toml");
    let local: Value = serde_json::from_str(&ok(&url, &["--json", "keys", "--config", config.to_str().unwrap()])).unwrap();
    assert_eq!(local["chains"][&primary], keys["chains"][&primary], "the node and its config agree");
    // The key the chain's manager registered is the one the devnet derives for operator 0.
    let registered = format!("0x{}", hex::encode(devnet.primary().operator_key(0).public_key()));
    assert_eq!(keys["chains"][&primary]["public-key"], registered.as_str(), "{keys}");
    assert!(keys["chains"][&primary]["key"].as_str().unwrap_or_default().starts_with("derived at m/44'/60'/0'/0/2/"), "{keys}");
    assert!(ok(&url, &["keys"]).contains(&id));
    let adapters = ok(&url, &["adapters", "list"]);
    assert!(adapters.contains("evm"), "{adapters}");
    let shown = ok(&url, &["health"]);
    assert!(shown.contains(&primary) && shown.contains("active"), "{shown}");

    // Add a second name for the same anvil, as an operator would add a new chain.
    let mut args: Vec<String> = ["chains", "add", "second", "--family", &spec.family, "--chain-id", &spec.chain_id, "--poll-interval-ms", "200"]
        .map(String::from)
        .to_vec();
    for rpc in &spec.rpc_urls {
        args.extend(["--rpc-url".into(), rpc.clone()]);
    }
    for (k, v) in &spec.options {
        args.extend(["--option".into(), format!("{k}={v}")]);
    }
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    assert!(ok(&url, &args).contains("added chain second"));
    let (success, _, stderr) = wavs(&url, &args);
    assert!(!success && stderr.contains("409") && stderr.contains("already served"), "{stderr}");
    let (success, _, stderr) = wavs(&url, &["chains", "add", "bad name", "--family", "evm", "--chain-id", "1", "--rpc-url", "http://x"]);
    assert!(!success && stderr.contains("letters, digits"), "{stderr}");
    devnet.wait_for_health(&url, "the added chain reads blocks", |h| h.chain_is("second", ChainState::Active)).await.unwrap();
    let list = ok(&url, &["chains", "list"]);
    assert!(list.contains("second") && list.contains(&primary), "{list}");
    assert_eq!(devnet.node_health(&url).await.unwrap().1.chains["second"].source, ChainSource::Api);

    // A service triggered on the added chain lands on the configured one; a second
    // workflow takes manual tasks, kept on the node.
    let mut manifest = devnet.square_manifest("via-second");
    manifest["workflows"]["main"]["trigger"]["chain-event"]["chain"] = Value::from("second");
    manifest["workflows"]["by-hand"] = serde_json::json!({ "trigger": "manual", "component": "square", "submit": "none" });
    let file = devnet.dir.path().join("via-second.json");
    std::fs::write(&file, manifest.to_string()).unwrap();
    let component = format!("square={}", guest("components/square.wasm").display());
    let out = ok(&url, &["service", "validate", file.to_str().unwrap(), "--component", &component]);
    assert!(out.contains("valid"), "{out}");
    let out = ok(&url, &["service", "deploy", file.to_str().unwrap(), "--component", &component]);
    assert!(out.contains("deployed via-second"), "{out}");
    // Read through "second", named by the chain's shared id: the same event id as
    // through the devnet's own name for it.
    let trigger = devnet.fire_trigger(&uint(5)).await.unwrap();
    let landed = devnet.wait_landed(&devnet.event_id("via-second", &trigger), Duration::from_secs(60)).await.unwrap();
    assert_eq!(landed, uint(25), "a trigger read through the added chain lands");

    // The added chain survives a restart.
    devnet.stop_node(0);
    devnet.restart_node(0).await.expect("node restarts");
    devnet.wait_for_health(&url, "the added chain is served again", |h| h.chain_is("second", ChainState::Active)).await.unwrap();
    let trigger = devnet.fire_trigger(&uint(6)).await.unwrap();
    let landed = devnet.wait_landed(&devnet.event_id("via-second", &trigger), Duration::from_secs(60)).await.unwrap();
    assert_eq!(landed, uint(36), "and after a restart");

    // Paused: the trigger is read and kept, nothing runs, manual tasks are refused.
    let before = executions(&devnet, &url, "via-second").await;
    assert!(ok(&url, &["service", "pause", "via-second"]).contains("paused via-second"));
    assert!(ok(&url, &["service", "list"]).contains("paused"));
    let paused = devnet.fire_trigger(&uint(7)).await.unwrap();
    let height = paused.height;
    devnet
        .wait_for_health(&url, "the chain reads past the trigger", |h| h.chains.get("second").and_then(|c| c.cursor).is_some_and(|c| c > height))
        .await
        .unwrap();
    assert_eq!(executions(&devnet, &url, "via-second").await, before, "nothing ran while paused");
    let event_id = devnet.event_id("via-second", &paused);
    assert_eq!(devnet.handled_payload(&event_id).await.unwrap(), None, "nothing landed while paused");
    let (success, _, stderr) = wavs(&url, &["add-task", "--service", "via-second", "--workflow", "by-hand", "--payload", "0x01"]);
    assert!(!success && stderr.contains("is paused"), "{stderr}");
    // A pause survives a restart too.
    devnet.stop_node(0);
    devnet.restart_node(0).await.expect("node restarts");
    devnet.wait_for_health(&url, "the node is back", |h| h.status == HealthStatus::Ok).await.unwrap();
    assert_eq!(devnet.node_health(&url).await.unwrap().1.paused_services, ["via-second"]);

    // Resumed: the kept trigger runs and lands.
    let out = ok(&url, &["service", "resume", "via-second"]);
    assert!(out.contains("resumed via-second: 1 waiting job(s) released"), "{out}");
    let landed = devnet.wait_landed(&event_id, Duration::from_secs(60)).await.unwrap();
    assert_eq!(landed, uint(49), "the trigger kept while paused lands after resume");
    let (success, _, stderr) = wavs(&url, &["service", "pause", "nope"]);
    assert!(!success && stderr.contains("no service \"nope\""), "{stderr}");

    // The chain-triggered workflow takes no manual task: only a trigger on chain runs it.
    let three = format!("0x{}", hex::encode(uint(3)));
    let (success, _, stderr) = wavs(&url, &["add-task", "--service", "via-second", "--payload", &three, "--task-id", "t3"]);
    assert!(!success && stderr.contains("409") && stderr.contains("is triggered by chain-event on second"), "{stderr}");
    // The manual workflow runs one once resumed.
    let nine = format!("payload 0x{}", hex::encode(uint(9)));
    let out = ok(&url, &["add-task", "--service", "via-second", "--workflow", "by-hand", "--payload", &three, "--task-id", "t3"]);
    assert!(out.contains("task t3 on via-second/by-hand: ok") && out.contains(&nine), "{out}");

    // What ran, then the service goes.
    let out = ok(&url, &["executions", "--service", "via-second"]);
    assert_eq!(out.lines().filter(|l| l.starts_with("via-second/main") && l.contains(": ok")).count(), 3, "{out}");
    assert_eq!(out.lines().filter(|l| l.starts_with("via-second/by-hand") && l.contains(": ok")).count(), 1, "{out}");
    // Each result shows where it stands; the node asks the aggregator until it is final.
    let started = std::time::Instant::now();
    let out = loop {
        let out = ok(&url, &["executions", "--service", "via-second"]);
        if out.contains("landed at height") || started.elapsed() > Duration::from_secs(20) {
            break out;
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    };
    assert!(out.lines().any(|l| l.contains("  result 0x") && l.contains("landed at height") && l.contains("in tx 0x")), "{out}");
    assert!(out.contains("kept on the node"), "the manual workflow submits nowhere: {out}");
    assert!(ok(&url, &["service", "remove", "via-second"]).contains("removed via-second"));
    assert!(!ok(&url, &["service", "list"]).contains("via-second"));
}
