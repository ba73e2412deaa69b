//! Attack: a third-party adapter dropped into the adapters directory — the very thing
//! operators are invited to do — tries to sign a digest that is valid for the EVM
//! handler. In an operator node its signer refuses (the node signs only envelopes it
//! built itself); where adapters may sign (the aggregator, tools) it signs with its own
//! chain's key only, and the EVM handler refuses that signature. The service's honest
//! result still lands.

use std::time::Duration;
use wavs_devnet::bursts::uint;
use wavs_devnet::devnet::load_adapters;
use wavs_devnet::keys::dev_key_toml;
use wavs_devnet::{Devnet, DevnetOptions, guest};
use wavs_runtime::bindings::adapter_api::{BlockTag, OperatorSignature, Signature, SignedEnvelope};
use wavs_runtime::{AdapterErrorKind, AdapterSigner, ChainAdapter, KeyConfig, Limits, RuntimeError, recover_public_key};
use wavs_types::{ChainSpec, WireEnvelope, ordering_bytes};

/// What the probe adapter reports from `head`: the signature it got, or the refusal.
fn probe_answer(err: &RuntimeError) -> String {
    match err {
        RuntimeError::Adapter { kind: AdapterErrorKind::Rejected, message } => message.clone(),
        other => panic!("the probe answers with a rejected error, got {other}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_third_party_adapter_cannot_sign_for_another_chain() {
    let opts = DevnetOptions { operators: 1, threshold: 1, ..DevnetOptions::default() };
    let mut devnet = Devnet::start(opts, &|s| eprintln!("[devnet] {s}")).await.expect("devnet starts");
    let chain = devnet.primary();
    // A digest the EVM handler would accept if an operator key signed it.
    let envelope = WireEnvelope { event_id: vec![0xee; 20], ordering: ordering_bytes(None), payload: uint(666) };
    let digest = chain.digest(&envelope).await.unwrap();
    let probe_spec = ChainSpec {
        family: "sign-probe".into(),
        chain_id: "probe-1".into(),
        rpc_urls: vec!["http://127.0.0.1:9".into()],
        confirmations: 0,
        finality: Default::default(),
        start_height: None,
        poll_interval_ms: 200,
        max_block_range: 10,
        options: [("digest".to_string(), format!("0x{}", hex::encode(&digest)))].into(),
        endpoints: Default::default(),
    };

    // 1. In an operator node: the probe serves a chain of its own beside anvil, and its
    //    signer refuses. The node reports the chain in error with the probe's words.
    let extra = format!(
        "\n[chains.probe]\nfamily = \"sign-probe\"\nchain-id = \"probe-1\"\nrpc-urls = [\"http://127.0.0.1:9\"]\n\n[chains.probe.options]\ndigest = \"0x{}\"\n",
        hex::encode(&digest)
    );
    let files = [("evm.wasm", guest("adapters/evm.wasm")), ("probe.wasm", guest("fixtures/adapter-sign-probe.wasm"))];
    let (node, _) = devnet.replace_node(0, "probe-node", &files, &extra).await.expect("the node starts with the probe");
    let health = devnet
        .wait_for_health(&node, "the probe's chain reports its head call", |h| {
            let error = h.chains.get("probe").and_then(|c| c.error.as_deref());
            error.is_some_and(|e| e.contains("signer refused") || e.contains("signature 0x"))
        })
        .await
        .unwrap();
    let error = health.chains["probe"].error.clone().unwrap();
    assert!(error.contains("signer refused: ") && error.contains("adapters sign nothing"), "the node's signer refused: {error}");
    assert!(!error.contains("signature 0x"), "the probe got a signature in a node: {error}");

    // 2. Where adapters may sign (the aggregator submits through them): the probe gets
    //    its own chain's key, derived from the submitter's base key for `probe-1`.
    let submitter: KeyConfig = toml::from_str(&dev_key_toml(1)).unwrap();
    let probe_key = submitter.chain_signer("probe", "sign-probe", "probe-1").unwrap();
    let (registry, _) = load_adapters(&devnet.dir.path().join("probe-aggregator"), &[]).await.unwrap();
    std::fs::copy(guest("fixtures/adapter-sign-probe.wasm"), devnet.dir.path().join("probe-aggregator/adapters/probe.wasm")).unwrap();
    registry.scan().await.unwrap();
    let probe = ChainAdapter::from_spec(registry, "probe", &probe_spec, AdapterSigner::Submitting(probe_key.clone()), Limits::ADAPTER_DEFAULT);
    let answer = probe_answer(&probe.head(BlockTag::Latest).await.unwrap_err());
    let hex_signature = answer.strip_prefix("signature 0x").unwrap_or_else(|| panic!("the probe signed: {answer}"));
    let signature = hex::decode(hex_signature.trim()).unwrap();
    let signer = recover_public_key(&digest, &signature).unwrap();
    assert_eq!(signer, probe_key.public_key(), "signed with the probe chain's key");
    let chain = devnet.primary();
    assert_ne!(signer, chain.operator_key(0).public_key(), "not the operator's key for anvil");

    // Offered to the EVM handler as an operator signature, it is refused on chain.
    let operator = chain.deployer.operator_id(wavs_runtime::bindings::curves_api::Scheme::Secp256k1Ecdsa, &signer).await.unwrap();
    let forged = SignedEnvelope { envelope: (&envelope).into(), signatures: vec![OperatorSignature { operator, signature: Signature::ecdsa(vec![], signature) }] };
    let err = chain.deployer.submit(&chain.deployment.handler, &[forged]).await.unwrap_err();
    assert!(matches!(err, RuntimeError::Adapter { kind: AdapterErrorKind::Rejected, .. }), "{err}");
    assert_eq!(devnet.handled_payload(&[0xee; 20]).await.unwrap(), None, "nothing landed for the probe");
    eprintln!("probe signature offered to the EVM handler: {err}");

    // The honest result still lands through the node that runs the probe beside anvil.
    devnet.deploy_service(devnet.square_manifest("square"), &[("square", guest("components/square.wasm"))]).await.unwrap();
    let fired = devnet.fire_trigger(&uint(5)).await.unwrap();
    let event_id = devnet.event_id("square", &fired);
    assert_eq!(devnet.wait_landed(&event_id, Duration::from_secs(60)).await.unwrap(), uint(25));
    eprintln!("[figures] sign-probe adapter: refused in the node ({error}); in the aggregator's place it signed with its own chain's key, refused by the EVM handler");
}
