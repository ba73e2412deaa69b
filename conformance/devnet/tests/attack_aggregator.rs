//! Attacks on the aggregator by whoever can reach it, against real nodes, a real
//! aggregator and anvil: a poster's own manager and handler are refused and cost no
//! transaction; the honest envelope pre-posted naming a foreign manager cannot stop the
//! honest result; an operator removed from the set after its signature was counted does
//! not stop the result landing. After each attack an honest result lands.

use serde_json::Value;
use std::time::Duration;
use wavs_devnet::bursts::uint;
use wavs_types::aggregator_health::AggregatorCounters;
use wavs_devnet::devnet::load_adapters;
use wavs_devnet::{ChainKind, Devnet, DevnetOptions, dev_key, guest};
use wavs_runtime::bindings::testing_api::TestOperator;
use wavs_runtime::{AdapterSigner, ChainAdapter, Limits, Signer};
use wavs_types::{EnvelopeState, SignedSubmission, WireEnvelope, ordering_bytes};

async fn post(devnet: &Devnet, submission: &SignedSubmission) -> (u16, Value) {
    let url = format!("{}/envelopes", devnet.aggregator_url);
    let response = reqwest::Client::new().post(url).json(submission).send().await.unwrap();
    (response.status().as_u16(), response.json().await.unwrap_or(Value::Null))
}

async fn counters(devnet: &Devnet) -> AggregatorCounters {
    devnet.aggregator_health().await.unwrap().1.counters
}

/// `envelope` for (`handler`, `manager`) on the primary chain, signed by `key` over the
/// digest for `handler`.
async fn submission(devnet: &Devnet, handler: &str, manager: &str, envelope: &WireEnvelope, key: &Signer) -> SignedSubmission {
    let chain = devnet.primary();
    let digest = chain.deployer.envelope_digest(handler, &envelope.into()).await.unwrap();
    SignedSubmission {
        service_id: "square".into(),
        workflow_id: "main".into(),
        chain: chain.name.clone(),
        handler: handler.to_string(),
        manager: manager.to_string(),
        envelope: envelope.clone(),
        signature: key.sign_digest(&digest).unwrap(),
        scheme: Default::default(),
        public_key: vec![],
    }
}

/// Fires `n` and waits for `n * n` on the handler: the honest path still works.
async fn honest_result_lands(devnet: &Devnet, n: u128) {
    let fired = devnet.fire_trigger(&uint(n)).await.unwrap();
    let event_id = devnet.event_id("square", &fired);
    assert_eq!(devnet.wait_landed(&event_id, Duration::from_secs(60)).await.unwrap(), uint(n * n), "the honest result for {n} lands");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn posters_decide_nothing_and_honest_results_still_land() {
    let mut devnet = Devnet::start(DevnetOptions::default(), &|s| eprintln!("[devnet] {s}")).await.expect("devnet starts");
    devnet.deploy_service(devnet.square_manifest("square"), &[("square", guest("components/square.wasm"))]).await.unwrap();
    honest_result_lands(&devnet, 3).await;
    let chain = devnet.primary();
    let (handler, manager) = (chain.deployment.handler.clone(), chain.deployment.manager.clone());

    // 1. A non-operator deploys its own manager (itself the only operator, threshold 1)
    //    and handler, and posts envelopes for them: refused, and nothing is submitted.
    let attacker_key = dev_key(7);
    let (registry, _) = load_adapters(&devnet.dir.path().join("attacker"), &[ChainKind::Anvil]).await.unwrap();
    let attacker = ChainAdapter::from_spec(registry, "anvil", &chain.chain.spec, AdapterSigner::Submitting(attacker_key.clone()), Limits::ADAPTER_DEFAULT);
    let own = attacker.deploy_service(wavs_runtime::bindings::curves_api::Scheme::Secp256k1Ecdsa, &[TestOperator { public_key: attacker_key.public_key(), proof: vec![], weight: 1 }], 1).await.unwrap();
    let before = counters(&devnet).await;
    for i in 0..20u8 {
        let envelope = WireEnvelope { event_id: vec![0xa0 ^ i; 20], ordering: ordering_bytes(None), payload: vec![i; 64] };
        let bogus = submission(&devnet, &own.handler, &own.manager, &envelope, &attacker_key).await;
        let (status, body) = post(&devnet, &bogus).await;
        assert_eq!(status, 403, "the poster's own target is refused: {body}");
        assert_eq!(body["retryable"], false, "{body}");
        if i == 0 {
            eprintln!("own manager and handler: {status} {}", body["error"]);
            assert!(body["error"].as_str().unwrap_or_default().contains(&own.handler), "the error names the target: {body}");
        }
        assert_eq!(attacker.handled_payload(&own.handler, &envelope.event_id).await.unwrap(), None);
    }
    tokio::time::sleep(Duration::from_secs(1)).await; // several batch intervals
    let after = counters(&devnet).await;
    assert_eq!(after.batches, before.batches, "no transaction was sent for the poster: {after:?}");
    honest_result_lands(&devnet, 4).await;

    // 2. The honest envelope, pre-posted before the operators sign it, naming the real
    //    handler but the attacker's manager: refused, and the honest result still lands.
    devnet.stop_node(1);
    devnet.stop_node(2);
    let fired = devnet.fire_trigger(&uint(5)).await.unwrap();
    let event_id = devnet.event_id("square", &fired);
    let honest_envelope = WireEnvelope { event_id: event_id.clone(), ordering: ordering_bytes(None), payload: uint(25) };
    let foreign = submission(&devnet, &handler, &own.manager, &honest_envelope, &attacker_key).await;
    let (status, body) = post(&devnet, &foreign).await;
    assert_eq!(status, 403, "a foreign manager for a known handler is refused: {body}");
    eprintln!("pre-posted with a foreign manager: {status} {}", body["error"]);
    // Node 1 alone signs: pending, 1 of 2.
    let pending = devnet
        .wait_for(&format!("{}/envelopes/0x{}", devnet.aggregator_url, hex::encode(&event_id)), "node 1's signature is counted", |s| {
            s["state"] == "pending"
        })
        .await
        .unwrap();
    assert_eq!(pending["signed-weight"], 1, "{pending}");

    // 3. Node 1 leaves the operator set after its signature was counted. Node 2 signs:
    //    the signers meet the quorum only with node 1's stale signature, so the
    //    aggregator drops it before submitting and waits; node 3 signs, and it lands.
    let node1 = TestOperator { public_key: devnet.primary().operator_key(0).public_key(), proof: vec![], weight: 0 };
    devnet.primary().deployer.set_operator(&manager, &node1).await.expect("the owner removes operator 1");
    devnet.restart_node(1).await.unwrap();
    tokio::time::sleep(Duration::from_secs(3)).await;
    assert_eq!(devnet.handled_payload(&event_id).await.unwrap(), None, "one valid signature of two needed: nothing lands yet");
    let status = devnet.aggregator_status(&event_id).await.expect("the aggregator still holds it");
    assert!(!status.state.is_final(), "not failed for good while it can still land: {status:?}");
    eprintln!("after node 2 signed, with node 1 removed: {}", status.detail);
    devnet.restart_node(2).await.unwrap();
    assert_eq!(devnet.wait_landed(&event_id, Duration::from_secs(60)).await.unwrap(), uint(25), "nodes 2 and 3 meet the quorum");

    // Node 2's record shows where it landed: the node asked until the state was final.
    let record = devnet
        .wait_for(&format!("{}/executions?service=square", devnet.nodes[1].url), "node 2 records the landing", |list| {
            list.as_array().into_iter().flatten().any(|x| {
                x["results"][0]["submission"]["aggregator"]["state"] == "landed"
                    && x["results"][0]["event-id"] == format!("0x{}", hex::encode(&event_id))
            })
        })
        .await
        .unwrap();
    let landed = record
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["results"][0]["event-id"] == format!("0x{}", hex::encode(&event_id)))
        .unwrap()["results"][0]["submission"]["aggregator"]
        .clone();
    assert!(landed["tx-hash"].as_str().is_some_and(|h| h.len() == 66) && landed["height"].as_u64().is_some(), "{landed}");
    let final_state = devnet.aggregator_status(&event_id).await.unwrap();
    assert!(matches!(final_state.state, EnvelopeState::Landed { .. }), "{final_state:?}");
    honest_result_lands(&devnet, 6).await;
    eprintln!("[figures] aggregator attacks: 20 envelopes for the poster's own target refused, 0 transactions; foreign manager refused; operator removed after signing: landed once the remaining operators signed ({landed})");
}
