//! No single aggregator: three nodes (threshold 2) aggregate themselves over p2p, with no
//! aggregator process. Node 1, first in line to submit for about a third of the
//! envelopes, is killed mid-burst: every result still lands, each exactly once on the
//! handler, because the next in line takes over after the fallback delay. An untrusted
//! peer that joins the gossip and publishes forged envelopes lands nothing.
//! `WAVS_P2P_TRIGGERS` sets the burst size (default 200).

use std::collections::BTreeMap;
use std::time::Duration;
use wavs_devnet::bursts::{fire_with_fault, lost_squares, size_from_env, uint};
use wavs_devnet::keys::dev_key;
use wavs_devnet::{Devnet, DevnetOptions, guest};
use wavs_p2p::{Gossip, GossipConfig};
use wavs_runtime::bindings::adapter_api::{BlockTag, ContractEventFilter, EventBody, EventFilter};
use wavs_types::aggregator_health::AggregatorHealth;
use wavs_types::{SignedSubmission, WireEnvelope};

/// `EnvelopeHandled` logs of the primary chain's handler, counted per event id.
async fn handled_per_event(devnet: &Devnet) -> BTreeMap<Vec<u8>, usize> {
    let chain = devnet.primary();
    let head = chain.deployer.head(BlockTag::Latest).await.unwrap().height;
    let filter = [EventFilter::ContractEvent(ContractEventFilter {
        contract: chain.deployment.handler.clone(),
        event: "EnvelopeHandled(bytes20,bytes)".into(),
    })];
    let mut counts = BTreeMap::new();
    for e in chain.deployer.events(&filter, 0, head).await.unwrap() {
        if let EventBody::Contract(log) = &e.body {
            *counts.entry(log.topics[1][..20].to_vec()).or_default() += 1;
        }
    }
    counts
}

/// An envelope for a made-up event id, signed over the chain's real digest by dev key 0
/// (the deployer, not an operator).
async fn forged(devnet: &Devnet, id: u8) -> SignedSubmission {
    let envelope = WireEnvelope { event_id: vec![id; 20], ordering: vec![0; 12], payload: uint(666) };
    devnet.primary().submission("square", envelope.clone(), &envelope, &dev_key(0)).await.unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn killing_a_submitting_node_mid_burst_loses_nothing_and_lands_nothing_twice_without_an_aggregator() {
    let total = size_from_env("WAVS_P2P_TRIGGERS", 200);
    let opts = DevnetOptions { p2p_fallback_delay_ms: Some(3000), ..DevnetOptions::default() };
    let mut devnet = Devnet::start(opts, &|s| eprintln!("[devnet] {s}")).await.expect("devnet starts");
    assert!(devnet.aggregator.is_none(), "no aggregator process runs");
    devnet.deploy_service(devnet.square_manifest("square"), &[("square", guest("components/square.wasm"))]).await.unwrap();

    // An untrusted peer joins the gossip and publishes forged envelopes, three times over
    // (as if three colluding outsiders signed): each node's intake refuses them.
    let config = GossipConfig { peers: devnet.gossip_addrs.clone(), ..GossipConfig::default() };
    let (intruder, _heard) = Gossip::start(config).await.expect("the intruder joins");
    tokio::time::timeout(Duration::from_secs(60), intruder.wait_for_peers(3)).await.expect("the intruder hears every node");
    for id in [0xf1, 0xf2, 0xf3] {
        let bytes = serde_json::to_vec(&forged(&devnet, id).await).unwrap();
        intruder.publish(bytes.clone()).await.expect("published");
        intruder.publish(bytes).await.expect("published again");
        intruder.publish(b"not an envelope".to_vec()).await.expect("junk published");
    }

    let fired = fire_with_fault(&mut devnet, total, |d| {
        d.stop_node(0);
        eprintln!("[fault] node 1 killed with SIGKILL mid-burst");
    })
    .await;
    let lost = lost_squares(&devnet, &fired, Duration::from_secs(180)).await;
    assert_eq!(lost, 0, "every result lands though a submitting node died");

    let handled = handled_per_event(&devnet).await;
    let twice: Vec<_> = handled.iter().filter(|(_, n)| **n > 1).collect();
    assert!(twice.is_empty(), "event ids handled more than once: {twice:?}");
    for (n, event_id) in &fired {
        assert_eq!(handled.get(&event_id[..20]).copied(), Some(1), "trigger {n} handled exactly once");
    }
    // Everything honest has landed, so the forgeries had every chance: none did.
    for id in [0xf1u8, 0xf2, 0xf3] {
        assert_eq!(devnet.handled_payload(&[id; 20]).await.unwrap(), None, "forged envelope {id:#x} landed");
    }
    assert_eq!(handled.len(), total, "the handler holds exactly the {total} results");
    // The survivors took turns: each was first in line for some envelopes and landed them
    // (node 1's share after its death too, as the next in line).
    let mut survivors_landed = 0;
    for (i, url) in devnet.embedded_aggregators.iter().enumerate().skip(1) {
        let health: AggregatorHealth = devnet.get_as(&format!("{url}/health")).await.unwrap().1;
        let c = &health.counters;
        eprintln!("[figures] node {}: landed {}, transactions {}, signatures refused {}", i + 1, c.landed, c.batches, c.rejected_signatures);
        assert!(c.landed > 0, "node {} submitted in its turn", i + 1);
        assert!(c.rejected_signatures >= 3, "node {} refused the forged envelopes", i + 1);
        survivors_landed += c.landed;
    }
    eprintln!("[figures] {total} triggers, node 1 killed at trigger {}: {survivors_landed} landed by nodes 2 and 3, the rest by node 1 before it died", total / 2);
}
