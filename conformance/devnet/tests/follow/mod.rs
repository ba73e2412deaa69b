//! The strangers' flow both following tests run, on one chain or across two: the service
//! owner publishes definitions on a real local IPFS node and components on IPFS and a real
//! local OCI registry, and sets the service URI on the destination chain's manager; each
//! of three operators, sharing nothing but the chains and the peer network (no aggregator
//! process: each node aggregates itself over p2p and they take turns to submit), only runs
//! `wavs service add --chain <destination> --manager ADDR` and registers the key its node
//! signs the service with (`wavs keys --service S --register`). Then:
//! - v1 (square, from IPFS) runs on every node and its result lands;
//! - the owner points the URI at v2 (echo, from the OCI registry): every node moves to it
//!   by itself, and its result lands (on one chain, also for a trigger fired right after
//!   the change, before any node switched);
//! - the owner points the URI at v3, which would make operators sign for another manager:
//!   every node refuses it, says why, and keeps landing v2's results.

use serde_json::json;
use std::time::Duration;
use wavs_devnet::bursts::uint;
use wavs_devnet::daemons::Registry;
use wavs_devnet::onchain::ServiceOwner;
use wavs_devnet::{ChainKind, Devnet, DevnetOptions, FiredTrigger, guest};
use wavs_types::followed::{FollowState, FollowedService};

const SERVICE: &str = "followed-square";

/// Where the trigger fires and the result lands, and how long a step may take there.
pub struct Route {
    pub chains: Vec<ChainKind>,
    pub from: &'static str,
    pub to: &'static str,
    /// Generous: a wasmd block takes about a second, a submission a few.
    pub patience: Duration,
}

pub async fn operators_follow_the_manager(route: Route) {
    let Route { chains, from, to, patience } = route;
    let work = tempfile::tempdir().unwrap();
    let owner = ServiceOwner::start(work.path());
    let registry = Registry::start();
    let node_config = owner.node_sources(&[&registry.host]);
    let opts = DevnetOptions { chains, node_config, p2p_fallback_delay_ms: Some(3000), per_service_keys: true, ..DevnetOptions::default() };
    let devnet = Devnet::start(opts, &|s| eprintln!("[devnet] {s}")).await.expect("devnet starts");
    assert!(devnet.aggregator.is_none(), "no aggregator process runs: the operators share only the chains and the peer network");
    let manager = devnet.chain(to).unwrap().deployment.manager.clone();
    let set_uri = |uri: String| set_uri(&devnet, to, uri);
    let lands = |value: u128| lands(&devnet, from, to, value, patience);

    // v1: square from IPFS.
    let square = owner.component_on_ipfs("components/square.wasm").unwrap();
    let v1 = devnet.shared_definition(SERVICE, &[from], to, "square", square).unwrap();
    let v1_uri = set_uri(owner.publish_definition("v1.json", &v1).unwrap()).await;

    // Each operator opts in by the manager's address only, then registers the key its
    // node signs this service with at the manager (from its own, funded account).
    for i in 0..devnet.nodes.len() {
        let followed = devnet.operator_follows(i, to, &manager).await.unwrap_or_else(|e| panic!("operator {i}: {e}"));
        assert_eq!((followed.service.as_str(), followed.uri.as_str(), followed.state), (SERVICE, v1_uri.as_str(), FollowState::Running));
        let registered = devnet.operator_registers(i, SERVICE, to, &manager).await.unwrap_or_else(|e| panic!("operator {i}: {e}"));
        assert!(registered.starts_with(&format!("registered {SERVICE}'s")), "{registered}");
    }
    assert_eq!(lands(12).await, uint(144), "v1 (square) lands 12 squared on {to}");

    // v2: echo, pushed to the OCI registry; the owner moves the URI, the nodes follow.
    let echo_source = format!("oci://{}/wavs/echo:v2", registry.host);
    let push = ["push".to_string(), guest("components/echo.wasm").display().to_string(), echo_source.clone(), "--insecure".into()];
    devnet.run_wavs(&push).await.expect("wavs push");
    let echo_bytes = std::fs::read(guest("components/echo.wasm")).unwrap();
    let echo = json!({ "digest": wavs_runtime::WasmEngine::digest(&echo_bytes), "source": echo_source });
    let v2 = devnet.shared_definition(SERVICE, &[from], to, "echo", echo).unwrap();
    let v2_uri = set_uri(owner.publish_definition("v2.json", &v2).unwrap()).await;
    if from == to {
        // Fired at once, in the block after the change, before any node has switched:
        // each node holds it until it has looked at the new URI, so all run v2 and agree.
        let landed = lands(7).await;
        assert!(is_echo(&landed, 7), "a trigger after the change runs v2 (echo) on every node: {}", hex::encode(&landed));
    }
    let moved = devnet
        .wait_followed(to, &manager, "moved to v2", patience, |f| f.uri == v2_uri && f.state == FollowState::Running)
        .await
        .unwrap();
    assert!(moved.iter().all(|f| f.switches == 1), "{moved:#?}");
    let landed = lands(9).await;
    assert!(is_echo(&landed, 9), "v2 (echo) lands the trigger's data, 9 unsquared: {}", hex::encode(&landed));

    // v3 would have the operators sign for another manager: refused, v2 keeps running.
    let mut v3 = v2.clone();
    v3["workflows"][format!("from-{from}")]["submit"]["aggregator"]["manager"] = json!("0x00000000000000000000000000000000000000b3");
    let v3_uri = set_uri(owner.publish_definition("v3.json", &v3).unwrap()).await;
    let refused: Vec<FollowedService> =
        devnet.wait_followed(to, &manager, "refused v3", patience, |f| f.state == FollowState::Refused).await.unwrap();
    for f in &refused {
        assert_eq!((f.uri.as_str(), f.pending_uri.as_deref()), (v2_uri.as_str(), Some(v3_uri.as_str())), "{f:#?}");
        assert!(f.error.as_deref().unwrap_or_default().contains("may only submit for that manager"), "{f:#?}");
    }
    let landed = lands(5).await;
    assert!(is_echo(&landed, 5), "v2 still lands: {}", hex::encode(&landed));
}

/// Whether `landed` is echo's result for `value`: the trigger's data, not its square.
fn is_echo(landed: &[u8], value: u128) -> bool {
    landed != uint(value * value).as_slice() && landed.windows(32).any(|w| w == uint(value).as_slice())
}

/// The owner sets `uri` as the service URI of `to`'s manager; returns it.
async fn set_uri(devnet: &Devnet, to: &str, uri: String) -> String {
    let chain = devnet.chain(to).unwrap();
    chain.deployer.set_service_uri(&chain.deployment.manager, &uri).await.expect("the owner sets the service URI");
    uri
}

/// Fires `value` on `from` and waits for the service's result on `to`.
async fn lands(devnet: &Devnet, from: &str, to: &str, value: u128, patience: Duration) -> Vec<u8> {
    let fired: FiredTrigger = devnet.fire_trigger_on(from, &uint(value)).await.unwrap();
    let event_id = devnet.event_id_in(SERVICE, &format!("from-{from}"), &fired);
    devnet.wait_landed_on(to, &event_id, patience).await.unwrap()
}
