//! End-to-end with components nobody uploads: three operator nodes on a real anvil each
//! fetch the `square` component by its digest, from a real local IPFS node (kubo) in one
//! test and from a real local OCI registry in the other, and the squared value lands on
//! the handler contract. Needs `cargo build --bins`, `scripts/build-guests.sh`, anvil;
//! the tests build kubo and the registry through `scripts/build-ipfs.sh` and
//! `scripts/build-oci-registry.sh` (cached after the first build).

use std::time::Duration;
use wavs_devnet::bursts::uint;
use wavs_devnet::{Devnet, DevnetOptions, daemons, guest, paths};

/// Starts a devnet whose nodes read `sources` as their `[sources]` section, deploys the
/// square service on every node naming its component only by digest and `source`, fires
/// a trigger and returns what lands on the handler.
async fn square_lands_from(source: &str, sources: &str) -> Vec<u8> {
    let opts = DevnetOptions { node_config: format!("[sources]\n{sources}"), ..DevnetOptions::default() };
    let devnet = Devnet::start(opts, &|s| eprintln!("[devnet] {s}")).await.expect("devnet starts");
    let digest = wavs_runtime::WasmEngine::digest(&std::fs::read(guest("components/square.wasm")).unwrap());
    let mut manifest = devnet.square_manifest("square");
    manifest["components"]["square"] = serde_json::json!({ "digest": digest, "source": source });
    devnet.deploy_service(manifest, &[]).await.expect("every node fetches the component and deploys");
    let trigger = devnet.fire_trigger(&uint(13)).await.unwrap();
    devnet.wait_landed(&devnet.event_id("square", &trigger), Duration::from_secs(60)).await.unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn square_fetched_from_ipfs_lands_on_anvil() {
    let dir = tempfile::tempdir().unwrap();
    let ipfs = daemons::Ipfs::start(dir.path());
    let cid = ipfs.add(&guest("components/square.wasm"));
    let payload = square_lands_from(&format!("ipfs://{cid}"), &format!("ipfs-gateway = \"{}\"", ipfs.gateway)).await;
    assert_eq!(payload, uint(169), "the handler holds 13 squared");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn square_fetched_from_an_oci_registry_lands_on_anvil() {
    let registry = daemons::Registry::start();
    let source = format!("oci://{}/wavs/square:v1", registry.host);
    let out = std::process::Command::new(paths::binary("wavs"))
        .arg("push")
        .arg(guest("components/square.wasm"))
        .arg(&source)
        .arg("--insecure")
        .output()
        .unwrap();
    assert!(out.status.success(), "wavs push: {}", String::from_utf8_lossy(&out.stderr));
    let payload = square_lands_from(&source, &format!("insecure-registries = [\"{}\"]", registry.host)).await;
    assert_eq!(payload, uint(169), "the handler holds 13 squared");
}
