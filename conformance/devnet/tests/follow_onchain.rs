//! Services defined on chain, end to end: the service owner publishes definitions on a
//! real local IPFS node and components on IPFS and a real local OCI registry, and sets
//! the manager's service URI on anvil; each of three operators only runs `wavs service add
//! --chain anvil --manager ADDR`. Then:
//! - v1 (square, from IPFS) runs on every node and its result lands;
//! - the owner points the URI at v2 (echo, from the OCI registry): every node moves to it
//!   by itself, and its result lands;
//! - the owner points the URI at v3, which would make operators sign for another manager:
//!   every node refuses it, says why, and keeps landing v2's results.
//!
//! Needs `cargo build --bins`, `scripts/build-guests.sh` and anvil; kubo and the registry
//! are built by `scripts/build-ipfs.sh` and `scripts/build-oci-registry.sh` (cached).

#[path = "../../../host/node/tests/sources/daemons.rs"]
mod daemons;

use serde_json::{Value, json};
use std::process::Command;
use std::time::{Duration, Instant};
use wavs_devnet::bursts::uint;
use wavs_devnet::{Devnet, DevnetOptions, guest, paths};
use wavs_types::followed::{FollowState, FollowedService};

const SERVICE: &str = "followed-square";

/// Publishes `definition` on IPFS; its `ipfs://` URI.
fn publish(ipfs: &daemons::Ipfs, dir: &std::path::Path, name: &str, definition: &Value) -> String {
    let file = dir.join(name);
    std::fs::write(&file, serde_json::to_vec_pretty(definition).unwrap()).unwrap();
    format!("ipfs://{}", ipfs.add(&file))
}

/// Waits until every node's `GET /followed` shows what `done` wants; returns the records.
async fn wait_all(devnet: &Devnet, what: &str, done: impl Fn(&FollowedService) -> bool) -> Vec<FollowedService> {
    let started = Instant::now();
    loop {
        let mut records = Vec::new();
        for node in &devnet.nodes {
            let list = devnet.client(&node.url).followed().await.unwrap_or_else(|e| panic!("GET {}/followed: {e}", node.url));
            assert_eq!(list.len(), 1, "one manager followed on {}: {list:?}", node.url);
            records.push(list.into_iter().next().unwrap());
        }
        if records.iter().all(&done) {
            return records;
        }
        assert!(started.elapsed() < Duration::from_secs(60), "not every node {what} within 60 s: {records:#?}");
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn operators_follow_the_service_its_manager_defines() {
    let work = tempfile::tempdir().unwrap();
    let ipfs = daemons::Ipfs::start(work.path());
    let registry = daemons::Registry::start();
    let sources = format!("[sources]\nipfs-gateway = \"{}\"\ninsecure-registries = [\"{}\"]", ipfs.gateway, registry.host);
    let opts = DevnetOptions { node_config: sources, ..DevnetOptions::default() };
    let devnet = Devnet::start(opts, &|s| eprintln!("[devnet] {s}")).await.expect("devnet starts");
    let chain = devnet.primary();
    let manager = chain.deployment.manager.clone();
    let digest = |file: &str| wavs_runtime::WasmEngine::digest(&std::fs::read(guest(file)).unwrap());

    // v1: square from IPFS.
    let mut v1 = devnet.square_manifest(SERVICE);
    v1["components"]["square"] = json!({ "digest": digest("components/square.wasm"), "source": format!("ipfs://{}", ipfs.add(&guest("components/square.wasm"))) });
    let v1_uri = publish(&ipfs, work.path(), "v1.json", &v1);
    chain.deployer.set_service_uri(&manager, &v1_uri).await.expect("the owner sets the service URI");

    // Each operator opts in by the manager's address only.
    for node in &devnet.nodes {
        let out = Command::new(paths::binary("wavs"))
            .args(["--json", "--node", &node.url, "service", "add", "--chain", &chain.name, "--manager", &manager])
            .output()
            .unwrap();
        let (stdout, stderr) = (String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
        assert!(out.status.success(), "wavs service add on {}\nstdout: {stdout}\nstderr: {stderr}", node.url);
        let followed: FollowedService = serde_json::from_str(&stdout).unwrap_or_else(|e| panic!("{e}: {stdout}"));
        assert_eq!((followed.service.as_str(), followed.uri.as_str(), followed.state), (SERVICE, v1_uri.as_str(), FollowState::Running));
    }
    let fired = devnet.fire_trigger(&uint(12)).await.unwrap();
    let landed = devnet.wait_landed(&devnet.event_id(SERVICE, &fired), Duration::from_secs(60)).await.unwrap();
    assert_eq!(landed, uint(144), "v1 (square) lands 12 squared");

    // v2: echo, pushed to the OCI registry; the owner moves the URI, the nodes follow.
    let echo_source = format!("oci://{}/wavs/echo:v2", registry.host);
    let out = Command::new(paths::binary("wavs")).arg("push").arg(guest("components/echo.wasm")).arg(&echo_source).arg("--insecure").output().unwrap();
    assert!(out.status.success(), "wavs push: {}", String::from_utf8_lossy(&out.stderr));
    let mut v2 = v1.clone();
    v2["components"] = json!({ "echo": { "digest": digest("components/echo.wasm"), "source": echo_source } });
    v2["workflows"]["main"]["component"] = json!("echo");
    let v2_uri = publish(&ipfs, work.path(), "v2.json", &v2);
    chain.deployer.set_service_uri(&manager, &v2_uri).await.expect("the owner moves the service URI");
    let moved = wait_all(&devnet, "moved to v2", |f| f.uri == v2_uri && f.state == FollowState::Running).await;
    assert!(moved.iter().all(|f| f.switches == 1), "{moved:#?}");
    let fired = devnet.fire_trigger(&uint(9)).await.unwrap();
    let landed = devnet.wait_landed(&devnet.event_id(SERVICE, &fired), Duration::from_secs(60)).await.unwrap();
    assert_ne!(landed, uint(81), "v2 is not square");
    assert!(landed.windows(32).any(|w| w == uint(9).as_slice()), "v2 (echo) lands the trigger's data, 9 unsquared: {}", hex::encode(&landed));

    // v3 would have the operators sign for another manager: refused, v2 keeps running.
    let mut v3 = v2.clone();
    v3["workflows"]["main"]["submit"]["aggregator"]["manager"] = json!("0x00000000000000000000000000000000000000b3");
    let v3_uri = publish(&ipfs, work.path(), "v3.json", &v3);
    chain.deployer.set_service_uri(&manager, &v3_uri).await.expect("the owner sets a bad definition");
    let refused = wait_all(&devnet, "refused v3", |f| f.state == FollowState::Refused).await;
    for f in &refused {
        assert_eq!((f.uri.as_str(), f.pending_uri.as_deref()), (v2_uri.as_str(), Some(v3_uri.as_str())), "{f:#?}");
        assert!(f.error.as_deref().unwrap_or_default().contains("may only submit for that manager"), "{f:#?}");
    }
    let fired = devnet.fire_trigger(&uint(5)).await.unwrap();
    let landed = devnet.wait_landed(&devnet.event_id(SERVICE, &fired), Duration::from_secs(60)).await.unwrap();
    assert!(landed != uint(25) && landed.windows(32).any(|w| w == uint(5).as_slice()), "v2 still lands: {}", hex::encode(&landed));
}
