//! The aggregator trusts no poster, against a real anvil: a poster's own manager and
//! handler are refused and cost the aggregator no gas; the honest envelope pre-posted
//! with a foreign manager is refused and the honest result still lands; targets
//! registered with the API token are served, and only with it.

mod common;

use common::{Api, Chain, envelope, signed};
use reqwest::{Method, StatusCode};
use std::time::Duration;
use wavs_aggregator::Aggregator;
use wavs_aggregator::config::AggregatorConfig;
use wavs_types::EnvelopeState;

const TOKEN: &str = "t0ken-for-tests";

#[tokio::test(flavor = "multi_thread")]
async fn only_known_targets_are_served_and_the_honest_result_lands() {
    let dir = tempfile::tempdir().unwrap();
    let chain = Chain::start(dir.path()).await;
    // The honest service: operators 2 and 3, both needed.
    let honest = chain.deploy(&[2, 3], 2).await;
    // The attacker (dev key 5) deploys its own manager (itself the only operator,
    // threshold 1) and handler, paying with its own account.
    let attacker = chain.account(5);
    let own = chain.deploy_as(&attacker, &[5], 1).await;

    let text = chain.config(&dir.path().join("agg"), &format!("api-token = \"{TOKEN}\"\nbatch-interval-ms = 100"), "", &[&honest]);
    let config = AggregatorConfig::parse(&text).unwrap();
    config.validate().unwrap();
    let handle = Aggregator::start(config).await.unwrap();
    let api = Api::new(format!("http://{}", handle.addr));
    let balance_before = chain.balance(common::SUBMITTER).await;

    // 1. The attacker's own target: refused by name, 20 times, at no cost.
    for i in 0..20 {
        let (status, body) = api.post(&signed(&chain, &own.manager, &own.handler, &envelope(i, vec![0xba, 0xd0]), 5).await).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
        assert!(body["error"].as_str().unwrap().contains("is not served by this aggregator"), "{body}");
        assert_eq!(body["retryable"], false);
    }
    // 2. The honest (predictable) envelope posted first, naming the real handler but the
    // attacker's manager: refused too, and the message names the manager it serves.
    let honest_envelope = envelope(1000, b"honest result".to_vec());
    let hijack = signed(&chain, &own.manager, &honest.handler, &honest_envelope, 5).await;
    let (status, body) = api.post(&hijack).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    assert!(body["error"].as_str().unwrap().contains(&honest.manager.to_lowercase()), "names the served manager: {body}");
    assert!(api.status(&honest_envelope.event_id, &honest.handler).await.is_none(), "nothing was queued");

    // 3. The honest operators' signatures still land the honest payload.
    for key in [2, 3] {
        api.accept(&signed(&chain, &honest.manager, &honest.handler, &honest_envelope, key).await).await;
    }
    let status = api.final_status(&honest_envelope.event_id, &honest.handler, Duration::from_secs(60)).await;
    assert!(matches!(status.state, EnvelopeState::Landed { .. }), "{status:?}");
    assert_eq!(chain.handled(&honest.handler, &honest_envelope.event_id).await.as_deref(), Some(&b"honest result"[..]));
    // The attacker's handler got nothing through the aggregator.
    assert_eq!(chain.handled(&own.handler, &envelope(0, vec![]).event_id).await, None);

    // Only the honest transaction was paid for.
    let (_, health) = api.health().await;
    assert_eq!(health.counters.batches, 1, "{health:?}");
    assert_eq!(health.counters.refused_targets, 21, "{health:?}");
    let spent = balance_before - chain.balance(common::SUBMITTER).await;
    assert!(spent > 0, "the honest submission costs gas");
    println!("submitter spent {spent} wei on 1 honest transaction; 21 refused posts cost nothing");

    // 4. Registering a target needs the token; a registered target is served.
    let second = chain.deployer.deploy_handler(&honest.manager).await.unwrap();
    let second = wavs_runtime::bindings::testing_api::TestDeployment { handler: second, ..honest.clone() };
    for token in [None, Some("wrong")] {
        let (status, body) = api.target(Method::POST, token, &second, None).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");
        assert!(body["error"].as_str().unwrap().contains("api-token"), "{body}");
    }
    let e2 = envelope(1001, b"second".to_vec());
    let (status, _) = api.post(&signed(&chain, &honest.manager, &second.handler, &e2, 2).await).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "not served before it is registered");
    let (status, body) = api.target(Method::POST, Some(TOKEN), &second, None).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    assert_eq!((body["source"].as_str(), body["on-chain-check"].as_str()), (Some("api"), Some("matches")), "{body}");
    assert_eq!(api.target(Method::POST, Some(TOKEN), &second, None).await.0, StatusCode::OK, "registering twice changes nothing");
    let (_, listed) = api.get("/targets").await;
    assert_eq!(listed["targets"].as_array().unwrap().len(), 2, "{listed}");
    for key in [2, 3] {
        api.accept(&signed(&chain, &honest.manager, &second.handler, &e2, key).await).await;
    }
    let status = api.final_status(&e2.event_id, &second.handler, Duration::from_secs(60)).await;
    assert!(matches!(status.state, EnvelopeState::Landed { .. }), "{status:?}");

    // A target whose handler validates with another manager is refused, naming both.
    let (status, body) = api.target(Method::POST, Some(TOKEN), &second, Some(&own.manager)).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    let error = body["error"].as_str().unwrap();
    assert!(error.contains(&honest.manager.to_lowercase()) && error.contains(&own.manager.to_lowercase()), "{error}");

    // Removed, it is no longer served; a configured target is removed only in the config.
    assert_eq!(api.target(Method::DELETE, Some(TOKEN), &second, None).await.0, StatusCode::OK);
    let (status, _) = api.post(&signed(&chain, &honest.manager, &second.handler, &envelope(1002, vec![1]), 2).await).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, body) = api.target(Method::DELETE, Some(TOKEN), &honest, None).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert!(body["error"].as_str().unwrap().contains("[[targets]]"), "{body}");
}

#[tokio::test(flavor = "multi_thread")]
async fn accept_verified_targets_lets_in_only_what_the_chain_confirms_and_keys_them_apart() {
    let dir = tempfile::tempdir().unwrap();
    let chain = Chain::start(dir.path()).await;
    let honest = chain.deploy(&[2, 3], 2).await;
    let attacker = chain.account(5);
    let own = chain.deploy_as(&attacker, &[5], 1).await;
    let another = chain.deploy_as(&attacker, &[5], 1).await;

    let top = "batch-interval-ms = 100\n[limits]\nmax-verified-targets = 1";
    let text = chain.config(&dir.path().join("agg"), top, "accept-verified-targets = true", &[&honest]);
    let handle = Aggregator::start(AggregatorConfig::parse(&text).unwrap()).await.unwrap();
    let api = Api::new(format!("http://{}", handle.addr));

    // A foreign manager for the honest handler: the chain says otherwise; both named.
    let honest_envelope = envelope(7, b"honest".to_vec());
    let (status, body) = api.post(&signed(&chain, &own.manager, &honest.handler, &honest_envelope, 5).await).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    let error = body["error"].as_str().unwrap();
    assert!(error.contains("validates signatures with manager") && error.contains(&own.manager.to_lowercase()), "{error}");

    // The attacker's own target is let in (it is what the option is for: it spends this
    // aggregator's gas), and its landing of the same event id is its own.
    let fake = envelope(7, b"fake".to_vec());
    api.accept(&signed(&chain, &own.manager, &own.handler, &fake, 5).await).await;
    let status = api.final_status(&fake.event_id, &own.handler, Duration::from_secs(60)).await;
    assert!(matches!(status.state, EnvelopeState::Landed { .. }), "{status:?}");
    // Beyond max-verified-targets, no more.
    let (status, body) = api.post(&signed(&chain, &another.manager, &another.handler, &fake, 5).await).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    assert!(body["error"].as_str().unwrap().contains("max-verified-targets"), "{body}");

    // The honest result for the same event id is neither blocked nor answered with the
    // attacker's landing.
    let first = api.accept(&signed(&chain, &honest.manager, &honest.handler, &honest_envelope, 2).await).await;
    assert!(matches!(first.state, EnvelopeState::Pending { signed_weight: 1, threshold: 2, .. }), "{first:?}");
    api.accept(&signed(&chain, &honest.manager, &honest.handler, &honest_envelope, 3).await).await;
    let status = api.final_status(&honest_envelope.event_id, &honest.handler, Duration::from_secs(60)).await;
    assert!(matches!(status.state, EnvelopeState::Landed { .. }), "{status:?}");
    assert_eq!(chain.handled(&honest.handler, &honest_envelope.event_id).await.as_deref(), Some(&b"honest"[..]));
}
