//! The EVM adapter serving a BLS service on anvil, driven directly (no nodes): it deploys
//! the BLS manager and handler with the operators' keys and proofs of possession, names
//! operators by the manager's ids, and lands a batch signed by a quorum as one aggregate
//! signature per envelope; a batch whose envelopes have different signer sets is
//! `too-large`, one below the quorum `rejected`. Prints the gas of a BLS batch beside an
//! ECDSA batch of the same size. Needs `scripts/build-guests.sh` and anvil.

use wavs_devnet::chain::LocalChain;
use wavs_devnet::devnet::{ChainKind, load_adapters};
use wavs_devnet::keys::{dev_key, operator_chain_key};
use wavs_runtime::bindings::adapter_api::{OperatorSignature, Signature, SignedEnvelope};
use wavs_runtime::bindings::testing_api::{TestDeployment, TestOperator};
use wavs_runtime::bindings::wit_types::Envelope;
use wavs_runtime::{AdapterErrorKind, AdapterSigner, ChainAdapter, Limits, RuntimeError, Signer};
use wavs_types::Scheme;

const BATCH: u8 = 4;

struct Setup {
    _dir: tempfile::TempDir,
    _chain: LocalChain,
    adapter: ChainAdapter,
    operators: Vec<Signer>,
}

async fn setup() -> Setup {
    let dir = tempfile::tempdir().unwrap();
    let (registry, _) = load_adapters(dir.path(), &[ChainKind::Anvil]).await.expect("evm.wasm loads");
    let chain = LocalChain::start_anvil(dir.path()).await.expect("anvil starts");
    let adapter = ChainAdapter::from_spec(registry, "anvil", &chain.spec, AdapterSigner::Submitting(dev_key(0)), Limits::ADAPTER_DEFAULT);
    let operators = (0..3).map(|i| operator_chain_key(i, "evm", "31337")).collect();
    Setup { _dir: dir, _chain: chain, adapter, operators }
}

async fn deploy(s: &Setup, scheme: Scheme) -> TestDeployment {
    let operators: Vec<TestOperator> = s
        .operators
        .iter()
        .map(|o| TestOperator { public_key: o.public_key_for(scheme).unwrap(), proof: o.possession_proof(scheme).unwrap(), weight: 1 })
        .collect();
    s.adapter.deploy_service(scheme.into(), &operators, 2).await.expect("deploy-service")
}

/// Envelope `i` of batch `salt`.
fn envelope(salt: u8, i: u8) -> Envelope {
    let mut event_id = vec![salt; 20];
    event_id[19] = i;
    Envelope { event_id, ordering: vec![0; 12], payload: vec![i; 32] }
}

/// Envelope `i` of batch `salt` signed by the operators at `signers` for `handler`.
async fn signed(s: &Setup, scheme: Scheme, handler: &str, salt: u8, i: u8, signers: &[usize]) -> SignedEnvelope {
    let envelope = envelope(salt, i);
    let digest = s.adapter.envelope_digest(handler, &envelope).await.unwrap();
    let mut signatures = Vec::new();
    for &n in signers {
        let key = s.operators[n].public_key_for(scheme).unwrap();
        let operator = s.adapter.operator_id(scheme.into(), &key).await.unwrap();
        let bytes = s.operators[n].sign_for(scheme, &digest).unwrap();
        signatures.push(OperatorSignature { operator, signature: Signature { scheme: scheme.into(), public_key: key, bytes } });
    }
    SignedEnvelope { envelope, signatures }
}

async fn batch(s: &Setup, scheme: Scheme, handler: &str, salt: u8, signers: &[usize]) -> Vec<SignedEnvelope> {
    let mut out = Vec::new();
    for i in 0..BATCH {
        out.push(signed(s, scheme, handler, salt, i, signers).await);
    }
    out
}

fn kind_of(result: Result<impl std::fmt::Debug, RuntimeError>) -> (AdapterErrorKind, String) {
    match result {
        Err(RuntimeError::Adapter { kind, message }) => (kind, message),
        other => panic!("expected an adapter error, got {other:?}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bls_service_lands_quorum_batches_and_splits_or_refuses_the_rest() {
    let s = setup().await;
    let bls = deploy(&s, Scheme::Bn254Bls).await;
    let info = s.adapter.handler_info(&bls.handler).await.unwrap();
    assert_eq!((info.manager.as_str(), Scheme::from(info.scheme)), (bls.manager.as_str(), Scheme::Bn254Bls));

    // The manager's operators are the ids operator-id gives the keys.
    let set = s.adapter.operator_set(&bls.manager, None).await.unwrap();
    let mut ids = Vec::new();
    for o in &s.operators {
        ids.push(s.adapter.operator_id(Scheme::Bn254Bls.into(), &o.public_key_for(Scheme::Bn254Bls).unwrap()).await.unwrap());
    }
    assert_eq!(set.operators.iter().map(|o| o.id.clone()).collect::<Vec<_>>(), ids);
    assert_eq!(set.threshold, 2);

    // Operators 0 and 2 sign every envelope: one signer set, operator 1 a non-signer.
    let envelopes = batch(&s, Scheme::Bn254Bls, &bls.handler, 1, &[0, 2]).await;
    assert_eq!(s.adapter.verify(&s.adapter.envelope_digest(&bls.handler, &envelopes[0].envelope).await.unwrap(), &envelopes[0].signatures[0].signature).await.unwrap(), ids[0]);
    let bls_receipt = s.adapter.submit(&bls.handler, &envelopes).await.expect("a quorum batch lands");
    for e in &envelopes {
        assert_eq!(s.adapter.handled_payload(&bls.handler, &e.envelope.event_id).await.unwrap(), Some(e.envelope.payload.clone()));
    }

    // Different signer sets per envelope: the host must split the batch.
    let split = vec![signed(&s, Scheme::Bn254Bls, &bls.handler, 2, 0, &[0, 1]).await, signed(&s, Scheme::Bn254Bls, &bls.handler, 2, 1, &[1, 2]).await];
    let (kind, message) = kind_of(s.adapter.submit(&bls.handler, &split).await);
    assert_eq!(kind, AdapterErrorKind::TooLarge, "{message}");
    assert!(message.contains("one signer set"), "{message}");
    for one in split {
        s.adapter.submit(&bls.handler, &[one]).await.expect("each envelope lands alone");
    }

    // One signer: below the quorum whatever the split.
    let (kind, message) = kind_of(s.adapter.submit(&bls.handler, &batch(&s, Scheme::Bn254Bls, &bls.handler, 3, &[1]).await).await);
    assert_eq!(kind, AdapterErrorKind::Rejected, "{message}");
    assert!(message.contains("threshold 2"), "{message}");

    // Removing operator 1 (no proof needed) moves operator 2 into its index; the indices
    // are read afresh.
    let removed = TestOperator { public_key: s.operators[1].public_key_for(Scheme::Bn254Bls).unwrap(), proof: vec![], weight: 0 };
    s.adapter.set_operator(&bls.manager, &removed).await.expect("set-operator removes");
    let set = s.adapter.operator_set(&bls.manager, None).await.unwrap();
    assert_eq!(set.operators.iter().map(|o| o.id.clone()).collect::<Vec<_>>(), vec![ids[0].clone(), ids[2].clone()]);
    s.adapter.submit(&bls.handler, &batch(&s, Scheme::Bn254Bls, &bls.handler, 4, &[0, 2]).await).await.expect("lands after the reindex");
    let back = TestOperator { proof: s.operators[1].possession_proof(Scheme::Bn254Bls).unwrap(), weight: 1, ..removed };
    s.adapter.set_operator(&bls.manager, &back).await.expect("a key with its proof registers");
    assert_eq!(s.adapter.operator_set(&bls.manager, None).await.unwrap().operators.len(), 3);

    // The same batch on the ECDSA contracts, for the gas.
    let ecdsa = deploy(&s, Scheme::Secp256k1Ecdsa).await;
    let ecdsa_receipt = s.adapter.submit(&ecdsa.handler, &batch(&s, Scheme::Secp256k1Ecdsa, &ecdsa.handler, 1, &[0, 2]).await).await.unwrap();
    eprintln!(
        "gas for {BATCH} envelopes signed by 2 of 3: bn254-bls {}, secp256k1-ecdsa {}",
        bls_receipt.gas_used, ecdsa_receipt.gas_used
    );
}
