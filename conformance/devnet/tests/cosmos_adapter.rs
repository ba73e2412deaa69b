//! The Cosmos adapter against a real wasmd, through the host runtime as a node uses it:
//! the operator set read back, signed envelopes landing once, and bad input (a dead RPC, malformed RPC answers, an
//! address with no contract) surfacing as classified errors, never as a trap.

use std::sync::Arc;
use wavs_devnet::chain::LocalChain;
use wavs_devnet::devnet::load_adapters;
use wavs_devnet::stub_http::serve;
use wavs_devnet::{ChainKind, dev_key, wasmd};
use wavs_runtime::bindings::adapter_api::{BlockTag, OperatorSignature, Signature, SignedEnvelope};
use wavs_runtime::bindings::wit_types::Envelope;
use wavs_runtime::bindings::testing_api::TestOperator;
use wavs_runtime::{AdapterErrorKind, AdapterRegistry, AdapterSigner, ChainAdapter, Limits, RuntimeError};
use wavs_types::ChainSpec;

fn adapter(registry: &Arc<AdapterRegistry>, spec: &ChainSpec) -> ChainAdapter {
    ChainAdapter::from_spec(registry.clone(), "wasmd", spec, AdapterSigner::Submitting(dev_key(0)), Limits::ADAPTER_DEFAULT)
}

fn kind(error: &RuntimeError) -> Option<AdapterErrorKind> {
    match error {
        RuntimeError::Adapter { kind, .. } => Some(*kind),
        _ => None,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn operator_set_reads_back_and_bad_input_is_classified() {
    let dir = tempfile::Builder::new().prefix("wavs-cosmos-adapter-").tempdir().unwrap();
    let chain = LocalChain::start_wasmd(dir.path()).await.expect("wasmd starts");
    let (registry, _) = load_adapters(dir.path(), &[ChainKind::Wasmd]).await.expect("cosmos.wasm loads");
    let conn = adapter(&registry, &chain.spec);

    // Deploy with three operators of different weights; read the set back.
    let operators: Vec<TestOperator> =
        (0..3).map(|i| TestOperator { public_key: dev_key(2 + i).public_key(), proof: vec![], weight: u64::from(i) + 1 }).collect();
    let deployment = conn.deploy_service(wavs_runtime::bindings::curves_api::Scheme::Secp256k1Ecdsa, &operators, 4).await.expect("contracts deploy on wasmd");
    let set = conn.operator_set(&deployment.manager, None).await.unwrap();
    assert_eq!(set.threshold, 4);
    let mut expected = Vec::new();
    for op in &operators {
        expected.push((conn.operator_id(wavs_runtime::bindings::curves_api::Scheme::Secp256k1Ecdsa, &op.public_key).await.unwrap(), op.weight));
    }
    expected.sort();
    let mut got: Vec<(String, u64)> = set.operators.iter().map(|o| (o.id.clone(), o.weight)).collect();
    got.sort();
    assert_eq!(got, expected, "the manager holds exactly the deployed operators");
    assert!(!conn.is_handled(&deployment.handler, &[7; 20]).await.unwrap());

    // Signed envelopes land once; a resubmission is skipped, not an error; below
    // quorum the handler refuses the batch by name.
    let envelope = Envelope { event_id: vec![3; 20], ordering: vec![0; 12], payload: vec![42] };
    let digest = conn.envelope_digest(&deployment.handler, &envelope).await.unwrap();
    let mut signatures = Vec::new();
    for (i, op) in operators.iter().enumerate().skip(1) {
        let signature = Signature::ecdsa(vec![], dev_key(2 + i as u32).sign_digest(&digest).unwrap());
        signatures.push(OperatorSignature { operator: conn.operator_id(wavs_runtime::bindings::curves_api::Scheme::Secp256k1Ecdsa, &op.public_key).await.unwrap(), signature });
    }
    let signed = SignedEnvelope { envelope: envelope.clone(), signatures };
    let receipt = conn.submit(&deployment.handler, std::slice::from_ref(&signed)).await.expect("weights 2 + 3 meet 4");
    assert!(receipt.height > 0 && receipt.gas_used > 0);
    assert!(conn.is_handled(&deployment.handler, &envelope.event_id).await.unwrap());
    assert_eq!(conn.handled_payload(&deployment.handler, &envelope.event_id).await.unwrap(), Some(vec![42]));
    conn.submit(&deployment.handler, std::slice::from_ref(&signed)).await.expect("a resubmission is skipped");
    let mut weak = signed.clone();
    weak.envelope.event_id = vec![4; 20];
    let weak_digest = conn.envelope_digest(&deployment.handler, &weak.envelope).await.unwrap();
    weak.signatures.truncate(1);
    weak.signatures[0].signature = Signature::ecdsa(vec![], dev_key(3).sign_digest(&weak_digest).unwrap());
    let err = conn.submit(&deployment.handler, &[weak]).await.unwrap_err();
    assert_eq!(kind(&err), Some(AdapterErrorKind::Rejected), "{err}");
    assert!(err.to_string().contains("InsufficientQuorum"), "{err}");

    // The landed envelope and its signatures, replayed to a second handler on the same
    // manager by the same (unrelated) submitter: refused, as the digest named the first
    // handler. The same envelope signed for the second handler lands there.
    let second = conn.deploy_handler(&deployment.manager).await.expect("a second handler deploys");
    assert_ne!(second, deployment.handler);
    assert_eq!(conn.handler_info(&second).await.unwrap().manager, deployment.manager, "the chain names the handler's manager");
    let err = conn.submit(&second, std::slice::from_ref(&signed)).await.unwrap_err();
    assert_eq!(kind(&err), Some(AdapterErrorKind::Rejected), "{err}");
    assert_eq!(conn.handled_payload(&second, &envelope.event_id).await.unwrap(), None, "the replay stored nothing");
    let digest_second = conn.envelope_digest(&second, &envelope).await.unwrap();
    assert_ne!(digest_second, digest, "the digest names the handler");
    let mut honest = signed.clone();
    for (sig, i) in honest.signatures.iter_mut().zip(1u32..) {
        sig.signature = Signature::ecdsa(vec![], dev_key(2 + i).sign_digest(&digest_second).unwrap());
    }
    conn.submit(&second, &[honest]).await.expect("signed for the second handler, it lands there");
    assert_eq!(conn.handled_payload(&second, &envelope.event_id).await.unwrap(), Some(vec![42]));
    eprintln!("[figures] wasmd replay to a second handler on the same manager: refused ({err})");

    // An address with no contract behind it: refused for good, not retried forever.
    let accounts = wasmd::accounts(&wasmd::home(dir.path())).unwrap();
    let not_a_contract = &accounts[5].1;
    let err = conn.is_handled(not_a_contract, &[7; 20]).await.unwrap_err();
    assert_eq!(kind(&err), Some(AdapterErrorKind::Rejected), "{err}");
    // An address of another chain's format: a configuration error.
    let err = conn.is_handled("0x5FbDB2315678afecb367f032d93F642f64180aa3", &[7; 20]).await.unwrap_err();
    assert_eq!(kind(&err), Some(AdapterErrorKind::InvalidConfig), "{err}");

    // Malformed RPC answers: an error that says so, and the adapter does not trap.
    for body in ["{not json", r#"{"jsonrpc":"2.0","id":1,"result":{"node_info":{}}}"#, "[]"] {
        let mut spec = chain.spec.clone();
        spec.rpc_urls = vec![format!("http://127.0.0.1:{}", serve(body).await)];
        let broken = adapter(&registry, &spec);
        let err = broken.head(BlockTag::Latest).await.unwrap_err();
        assert_eq!(kind(&err), Some(AdapterErrorKind::Transient), "{body}: {err}");
        assert!(err.to_string().contains("malformed") || err.to_string().contains("neither"), "{body}: {err}");
        assert_eq!(broken.restarts(), 0, "{body}: the adapter trapped");
    }

    // A dead endpoint: transient, so the node backs off and retries.
    let mut spec = chain.spec.clone();
    spec.rpc_urls = vec![format!("http://127.0.0.1:{}", wavs_devnet::process::free_port())];
    let err = adapter(&registry, &spec).head(BlockTag::Latest).await.unwrap_err();
    assert_eq!(kind(&err), Some(AdapterErrorKind::Transient), "{err}");

    // The good connection is unaffected by all of that.
    assert!(conn.head(BlockTag::Latest).await.unwrap().height > 0);
}
