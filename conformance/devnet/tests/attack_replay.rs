//! Attack: a landed envelope and its operator signatures, replayed by an unrelated
//! account (a) to a second handler on the same manager, (b) to a handler on another
//! manager with the same operators, (c) to the same contracts on a second anvil with
//! another chain id. Each replay is refused on chain and stores nothing; the same
//! envelope signed for that destination lands there; and the service's next honest
//! result still lands. (The Cosmos replay (a) is in `cosmos_adapter.rs`.)

use std::time::Duration;
use wavs_devnet::bursts::uint;
use wavs_devnet::chain::LocalChain;
use wavs_devnet::devnet::{DevChain, load_adapters};
use wavs_devnet::{ChainKind, Devnet, DevnetOptions, dev_key, guest};
use wavs_runtime::bindings::adapter_api::{OperatorSignature, Signature, SignedEnvelope};
use wavs_runtime::bindings::testing_api::TestOperator;
use wavs_runtime::{AdapterErrorKind, AdapterSigner, ChainAdapter, Limits, RuntimeError, Signer};
use wavs_types::{WireEnvelope, ordering_bytes};

/// `envelope` signed for `handler` by `keys`, named as `conn`'s chain names operators.
async fn signed_for(conn: &ChainAdapter, handler: &str, envelope: &WireEnvelope, keys: &[Signer]) -> SignedEnvelope {
    let digest = conn.envelope_digest(handler, &envelope.into()).await.unwrap();
    let mut signatures = Vec::new();
    for key in keys {
        let operator = conn.operator_id(wavs_runtime::bindings::curves_api::Scheme::Secp256k1Ecdsa, &key.public_key()).await.unwrap();
        signatures.push(OperatorSignature { operator, signature: Signature::ecdsa(key.public_key(), key.sign_digest(&digest).unwrap()) });
    }
    SignedEnvelope { envelope: envelope.into(), signatures }
}

/// Submits `replay` to `handler` and expects the chain to refuse it for good, storing nothing.
async fn refused(conn: &ChainAdapter, handler: &str, replay: &SignedEnvelope, what: &str) -> String {
    let err = conn.submit(handler, std::slice::from_ref(replay)).await.expect_err(what);
    let RuntimeError::Adapter { kind: AdapterErrorKind::Rejected, message } = &err else {
        panic!("{what}: expected a refusal on chain, got {err}");
    };
    assert_eq!(conn.handled_payload(handler, &replay.envelope.event_id).await.unwrap(), None, "{what}: nothing stored");
    eprintln!("{what}: refused: {message}");
    message.clone()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn replayed_signatures_are_refused_at_every_other_destination() {
    let devnet = Devnet::start(DevnetOptions::default(), &|s| eprintln!("[devnet] {s}")).await.expect("devnet starts");
    devnet.deploy_service(devnet.square_manifest("square"), &[("square", guest("components/square.wasm"))]).await.unwrap();
    let fired = devnet.fire_trigger(&uint(7)).await.unwrap();
    let event_id = devnet.event_id("square", &fired);
    assert_eq!(devnet.wait_landed(&event_id, Duration::from_secs(60)).await.unwrap(), uint(49));

    // What the landed transaction carried: the envelope and two operators' signatures over
    // its digest for the devnet's handler (ECDSA here is deterministic: the same bytes).
    let chain: &DevChain = devnet.primary();
    let envelope = WireEnvelope { event_id: event_id.clone(), ordering: ordering_bytes(None), payload: uint(49) };
    let operators = [chain.operator_key(0), chain.operator_key(1)];
    let replay = signed_for(&chain.deployer, &chain.deployment.handler, &envelope, &operators).await;

    // An unrelated, funded account sends the replays.
    let (registry, _) = load_adapters(&devnet.dir.path().join("attacker"), &[ChainKind::Anvil]).await.unwrap();
    let attacker = ChainAdapter::from_spec(registry.clone(), "anvil", &chain.chain.spec, AdapterSigner::Submitting(dev_key(6)), Limits::ADAPTER_DEFAULT);

    // (a) A second handler bound to the same manager.
    let second = chain.deployer.deploy_handler(&chain.deployment.manager).await.unwrap();
    let a = refused(&attacker, &second, &replay, "(a) replay to a second handler on the same manager").await;
    let honest = signed_for(&attacker, &second, &envelope, &operators).await;
    attacker.submit(&second, &[honest]).await.expect("signed for the second handler, it lands there");
    assert_eq!(attacker.handled_payload(&second, &event_id).await.unwrap(), Some(uint(49)));

    // (b) A handler on another manager that lists the same operators.
    let registered: Vec<TestOperator> =
        (0..3).map(|i| TestOperator { public_key: chain.operator_key(i).public_key(), proof: vec![], weight: 1 }).collect();
    let other = chain.deployer.deploy_service(wavs_runtime::bindings::curves_api::Scheme::Secp256k1Ecdsa, &registered, 2).await.unwrap();
    let b = refused(&attacker, &other.handler, &replay, "(b) replay to a handler on another manager, same operators").await;
    let honest = signed_for(&attacker, &other.handler, &envelope, &operators).await;
    attacker.submit(&other.handler, &[honest]).await.expect("signed for that handler, it lands there");

    // (c) The same contracts on a second anvil with another chain id, deployed the same
    // way (so at the same addresses) and even listing the same operator keys.
    let anvil2 = LocalChain::start_anvil_with_id(devnet.dir.path(), 31338).await.unwrap();
    let deployer2 = ChainAdapter::from_spec(registry.clone(), "anvil2", &anvil2.spec, AdapterSigner::Submitting(dev_key(0)), Limits::ADAPTER_DEFAULT);
    let twin = deployer2.deploy_service(wavs_runtime::bindings::curves_api::Scheme::Secp256k1Ecdsa, &registered, 2).await.unwrap();
    assert_eq!(twin.handler, chain.deployment.handler, "the second chain holds the handler at the same address");
    let attacker2 = ChainAdapter::from_spec(registry, "anvil2", &anvil2.spec, AdapterSigner::Submitting(dev_key(6)), Limits::ADAPTER_DEFAULT);
    let c = refused(&attacker2, &twin.handler, &replay, "(c) replay to the same contracts on chain id 31338").await;
    let honest = signed_for(&attacker2, &twin.handler, &envelope, &operators).await;
    attacker2.submit(&twin.handler, &[honest]).await.expect("signed for chain 31338, it lands there");
    for message in [&a, &b, &c] {
        assert!(message.contains("InvalidSignature"), "the manager names why: {message}");
    }

    // The service carries on: the next honest result lands on the real handler.
    let fired = devnet.fire_trigger(&uint(8)).await.unwrap();
    let event_id = devnet.event_id("square", &fired);
    assert_eq!(devnet.wait_landed(&event_id, Duration::from_secs(60)).await.unwrap(), uint(64));
    eprintln!("[figures] replay (a) same manager: refused; (b) other manager, same operators: refused; (c) chain id 31338, same addresses: refused; honest results landed at each destination");
}
