//! Per-service keys on a real devnet (anvil, three nodes, threshold 2, an aggregator):
//! two services on the same nodes sign with keys of their own. Each service's manager
//! lists the operators' chain accounts, and each node registers its key for the service
//! there itself (`POST /services/{id}/keys/register`), paying from its operator account;
//! the manager then counts the key that `POST /services/{id}/keys` lists for that
//! operator, and both results land. A quorum of signatures by one service's keys, which
//! its own manager takes, is refused at the other service's manager, and the honest
//! result still lands there. An operator account without funds is told to fund itself,
//! and an account that is no operator of a manager is told so.
//! The registration works the same on wasmd against the CosmWasm manager, and on anvil
//! against the BLS manager (with the key's proof of possession).

use serde_json::Value;
use std::time::Duration;
use wavs_devnet::bursts::uint;
use wavs_devnet::flows::square_manifest_at;
use wavs_devnet::keys::operator_chain_key;
use wavs_devnet::{ChainKind, Devnet, DevnetOptions, guest};
use wavs_runtime::Signer;
use wavs_runtime::bindings::curves_api::Scheme;
use wavs_runtime::bindings::testing_api::{TestDeployment, TestOperator};
use wavs_types::node_api::{KeyRegistered, OperatorIdentity};
use wavs_types::{SignedSubmission, WireEnvelope, ordering_bytes};

const LANDS_WITHIN: Duration = Duration::from_secs(60);

/// Operator `i`'s private key for `service`: the child of its chain key whose public key
/// its node lists for the service (the node's store chose the index).
async fn service_key(devnet: &Devnet, i: usize, service: &str) -> Signer {
    let chain = devnet.primary();
    let listed = devnet.client(&devnet.nodes[i].url).service_keys(service).await.unwrap().chains[&chain.name].public_key.clone();
    let chain_key = operator_chain_key(i, &chain.chain.spec.family, &chain.chain.spec.chain_id);
    (1..64)
        .map(|index| chain_key.for_service(index).unwrap())
        .find(|key| wavs_types::hex_bytes::encode(&key.public_key()) == listed)
        .unwrap_or_else(|| panic!("node {i}'s key for {service} is no child of its chain key"))
}

/// `envelope` for `target`, signed by `key` over the chain's digest for its handler, as
/// posted to the aggregator; its answer.
async fn post_signed(devnet: &Devnet, target: &TestDeployment, envelope: &WireEnvelope, key: &Signer) -> (u16, Value) {
    let chain = devnet.primary();
    let digest = chain.deployer.envelope_digest(&target.handler, &envelope.into()).await.unwrap();
    let submission = SignedSubmission {
        service_id: "forged".into(),
        workflow_id: "main".into(),
        chain: chain.name.clone(),
        handler: target.handler.clone(),
        manager: target.manager.clone(),
        envelope: envelope.clone(),
        signature: key.sign_digest(&digest).unwrap(),
        scheme: Default::default(),
        public_key: vec![],
    };
    let response = reqwest::Client::new().post(format!("{}/envelopes", devnet.aggregator_url)).json(&submission).send().await.unwrap();
    (response.status().as_u16(), response.json().await.unwrap_or(Value::Null))
}

/// Fires `service`'s trigger contract with `n` and waits for `n * n` at its handler.
async fn honest_result_lands(devnet: &Devnet, service: &str, target: &TestDeployment, n: u128) {
    let name = devnet.primary().name.clone();
    let fired = devnet.fire_trigger_at(&name, target, &uint(n)).await.unwrap();
    let event_id = devnet.event_id(service, &fired);
    let landed = devnet.wait_landed_at(&name, &target.handler, &event_id, LANDS_WITHIN).await.unwrap();
    assert_eq!(landed, uint(n * n), "{service}'s honest result for {n} lands");
}

/// Node `i`'s operator account on the devnet's chain, as the chain names it, and its key.
async fn operator_account(devnet: &Devnet, i: usize) -> (String, Vec<u8>) {
    let chain = devnet.primary();
    let entry = devnet.client(&devnet.nodes[i].url).operator().await.unwrap().chains[&chain.name].clone();
    let OperatorIdentity::Id(id) = entry.id else { panic!("node {i} names no operator id: {:?}", entry.id) };
    (id, wavs_types::hex_bytes::decode(&entry.public_key).unwrap())
}

/// Before the devnet funds any operator account, a node registering its key is told
/// which account cannot pay and what to do; the manager counts nothing new. Answers that
/// manager's deployment (service gamma's, with node 0's account its one operator).
async fn unfunded_operators_are_told_to_fund_their_account(devnet: &Devnet) -> TestDeployment {
    let chain = devnet.primary();
    let (id, public_key) = operator_account(devnet, 0).await;
    let operator = TestOperator { public_key, proof: vec![], weight: 1 };
    let target = chain.deployer.deploy_service(Scheme::Secp256k1Ecdsa, &[operator], 1).await.unwrap();
    let client = devnet.client(&devnet.nodes[0].url);
    let error = client.register_service_key("gamma", &chain.name, &target.manager).await.unwrap_err().to_string();
    assert!(error.contains(&format!("account {id} has no funds to pay the transaction fee")), "{error}");
    assert!(error.contains("send it some of the chain's native token"), "{error}");
    let listed = client.service_keys("gamma").await.unwrap().chains[&chain.name].public_key.clone();
    let key = wavs_types::hex_bytes::decode(&listed).unwrap();
    assert_eq!(chain.deployer.signing_key_operator(&target.manager, Scheme::Secp256k1Ecdsa, &key).await.unwrap(), None);
    target
}

/// `service`'s manager (of `scheme`) counts, for each node's operator account, the key
/// the node lists for the service, as the node answered when registering it; a
/// secp256k1 manager no longer counts the account's own key.
async fn managers_count_each_nodes_listed_key_for_its_operator(
    devnet: &Devnet,
    scheme: wavs_types::Scheme,
    service: &str,
    target: &TestDeployment,
    registered: &[KeyRegistered],
) {
    let chain = devnet.primary();
    for (i, answer) in registered.iter().enumerate() {
        let (operator, chain_key) = operator_account(devnet, i).await;
        let entry = devnet.client(&devnet.nodes[i].url).service_keys(service).await.unwrap().chains[&chain.name].clone();
        let listed = match scheme {
            wavs_types::Scheme::Secp256k1Ecdsa => entry.public_key,
            other => entry.schemes[other.as_str()].public_key.clone(),
        };
        assert_eq!(answer.scheme, scheme.as_str(), "node {i}, {service}");
        assert_eq!((answer.public_key.as_str(), answer.operator.as_str()), (listed.as_str(), operator.as_str()), "node {i}, {service}");
        let key = wavs_types::hex_bytes::decode(&listed).unwrap();
        let counted = chain.deployer.signing_key_operator(&target.manager, scheme.into(), &key).await.unwrap();
        assert_eq!(counted, Some(operator), "{service}'s manager counts node {i}'s listed key for its operator");
        if scheme == wavs_types::Scheme::Secp256k1Ecdsa {
            let own = chain.deployer.signing_key_operator(&target.manager, Scheme::Secp256k1Ecdsa, &chain_key).await.unwrap();
            assert_eq!(own, None, "node {i}'s chain key counts nothing at {service}'s manager once it registered a key");
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_service_signs_with_its_own_key_and_one_services_keys_count_nothing_at_another() {
    let options = DevnetOptions { per_service_keys: true, ..DevnetOptions::default() };
    let devnet = Devnet::start(options, &|s| eprintln!("[devnet] {s}")).await.expect("devnet starts");
    let name = devnet.primary().name.clone();
    let gamma = unfunded_operators_are_told_to_fund_their_account(&devnet).await;
    // Keys first, as an operator registers before deploying: the managers hold them.
    let (alpha, alpha_registered) = devnet.deploy_service_contracts(&name, "alpha").await.unwrap();
    // Funded now, node 1 is still no operator of gamma's manager, which lists node 0 only.
    let (account, _) = operator_account(&devnet, 1).await;
    let error = devnet.client(&devnet.nodes[1].url).register_service_key("gamma", &name, &gamma.manager).await.unwrap_err().to_string();
    assert!(error.contains(&format!("NotOperator: account {account} is no operator of manager {}", gamma.manager)), "{error}");
    let (beta, beta_registered) = devnet.deploy_service_contracts(&name, "beta").await.unwrap();
    for (id, target, registered) in [("alpha", &alpha, &alpha_registered), ("beta", &beta, &beta_registered)] {
        managers_count_each_nodes_listed_key_for_its_operator(&devnet, wavs_types::Scheme::Secp256k1Ecdsa, id, target, registered).await;
    }
    let square = [("square", guest("components/square.wasm"))];
    for (id, target) in [("alpha", &alpha), ("beta", &beta)] {
        devnet.deploy_service(square_manifest_at(id, &name, target, &name, target), &square).await.unwrap();
    }

    // Every node lists a key of its own for each service, neither its chain key.
    for node in &devnet.nodes {
        let client = devnet.client(&node.url);
        let chain_key = client.operator().await.unwrap().chains[&name].public_key.clone();
        let a = client.service_keys("alpha").await.unwrap().chains[&name].public_key.clone();
        let b = client.service_keys("beta").await.unwrap().chains[&name].public_key.clone();
        assert!(a != b && a != chain_key && b != chain_key, "{}: alpha {a}, beta {b}, chain {chain_key}", node.url);
    }
    honest_result_lands(&devnet, "alpha", &alpha, 3).await;
    honest_result_lands(&devnet, "beta", &beta, 4).await;

    // Operators 1 and 2's keys for alpha, a quorum at alpha's manager, sign a result no
    // component computed, for beta's handler: beta's manager knows neither signer.
    let alpha_keys = [service_key(&devnet, 0, "alpha").await, service_key(&devnet, 1, "alpha").await];
    let forged = WireEnvelope { event_id: vec![0xbe; 20], ordering: ordering_bytes(None), payload: uint(666) };
    for key in &alpha_keys {
        let (status, body) = post_signed(&devnet, &beta, &forged, key).await;
        assert_eq!(status, 403, "alpha's key is refused at beta's manager: {body}");
        let error = body["error"].as_str().unwrap_or_default();
        assert!(error.contains("is not an operator of manager") && error.contains(&beta.manager), "{body}");
    }
    // The same keys are alpha's operators: at alpha's manager they are a quorum, so
    // the refusal above is about the service, not a bad signature.
    let at_alpha = WireEnvelope { event_id: vec![0xa1; 20], ..forged.clone() };
    for key in &alpha_keys {
        let (status, body) = post_signed(&devnet, &alpha, &at_alpha, key).await;
        assert!(status < 300, "alpha's key is taken at alpha's manager: {status} {body}");
    }
    assert_eq!(devnet.wait_landed_at(&name, &alpha.handler, &at_alpha.event_id, LANDS_WITHIN).await.unwrap(), uint(666));

    // The honest result still lands at beta, and the forgery never did.
    honest_result_lands(&devnet, "beta", &beta, 5).await;
    let at_beta = devnet.primary().deployer.handled_payload(&beta.handler, &forged.event_id).await.unwrap();
    assert_eq!(at_beta, None, "nothing signed by alpha's keys landed at beta");
}

/// On a devnet of `options` (per-service keys, one chain): each node registers its key
/// for service alpha at a manager listing the operators' accounts, from its own funded
/// account; the manager counts each listed key for its operator, and alpha's honest
/// result for `n` lands.
async fn registered_keys_count_and_the_result_lands(options: DevnetOptions, n: u128) {
    let scheme = options.scheme;
    let devnet = Devnet::start(DevnetOptions { per_service_keys: true, ..options }, &|s| eprintln!("[devnet] {s}")).await.expect("devnet starts");
    let name = devnet.primary().name.clone();
    let (target, registered) = devnet.deploy_service_contracts(&name, "alpha").await.unwrap();
    managers_count_each_nodes_listed_key_for_its_operator(&devnet, scheme, "alpha", &target, &registered).await;
    let square = [("square", guest("components/square.wasm"))];
    devnet.deploy_service(square_manifest_at("alpha", &name, &target, &name, &target), &square).await.unwrap();
    honest_result_lands(&devnet, "alpha", &target, n).await;
}

/// The same registration on wasmd, at the CosmWasm manager.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nodes_register_their_service_keys_at_a_cosmwasm_manager() {
    registered_keys_count_and_the_result_lands(DevnetOptions { chains: vec![ChainKind::Wasmd], ..DevnetOptions::default() }, 6).await;
}

/// The same on anvil with a BLS manager: it weighs the operators' accounts, and each node
/// registers its service's BLS key with its proof of possession, which the manager checks.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nodes_register_their_service_bls_keys_at_a_bls_manager() {
    registered_keys_count_and_the_result_lands(DevnetOptions { scheme: wavs_types::Scheme::Bn254Bls, ..DevnetOptions::default() }, 7).await;
}
