//! `POST /chains` on a running aggregator process: only with the API token, a bad spec
//! refused naming the field, a name or chain served already refused (409), an added
//! chain served at once, listed by `/health`, kept across a restart on the same data dir
//! (the configuration file wins a name both hold). A submission for a chain not added yet
//! is refused as retryable, so its sender keeps it. No chain is reached: no adapter is
//! loaded and the RPC endpoints answer nothing.

mod common;

use common::Process;
use reqwest::StatusCode;
use serde_json::{Value, json};
use wavs_types::health::ChainSource::{Api, Config};
use wavs_types::{SignedSubmission, WireEnvelope};

const TOKEN: &str = "t0ken-for-runtime-chains";

/// A config with chain `anvil` and a key prepared for a chain `later` not configured.
fn config(dir: &std::path::Path, more: &str) -> String {
    format!(
        "data-dir = {:?}\nadapters-dir = {:?}\napi-addr = \"127.0.0.1:0\"\napi-token = \"{TOKEN}\"\n\
         [submitter]\nprivate-key = \"0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80\"\n\
         [submitter.chains.later]\nprivate-key = \"0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d\"\n\
         [chains.anvil]\nfamily = \"evm\"\nchain-id = \"31337\"\nrpc-urls = [\"http://127.0.0.1:1\"]\n{more}",
        dir.join("data"),
        dir.join("adapters"),
    )
}

/// `POST /chains` with `body`, sending `token` if any.
async fn add(process: &Process, token: Option<&str>, body: &str) -> (StatusCode, Value) {
    let api = &process.api;
    let mut request = api.http.post(format!("{}/chains", api.base)).header("content-type", "application/json").body(body.to_string());
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    let answer = request.send().await.unwrap();
    (answer.status(), answer.json().await.unwrap_or(Value::Null))
}

fn submission(chain: &str) -> SignedSubmission {
    SignedSubmission {
        service_id: "s".into(),
        workflow_id: "w".into(),
        chain: chain.into(),
        handler: "0x00000000000000000000000000000000000000bb".into(),
        manager: "0x00000000000000000000000000000000000000aa".into(),
        envelope: WireEnvelope { event_id: vec![1; 20], ordering: vec![0; 12], payload: vec![7] },
        signature: vec![1; 65],
        scheme: Default::default(),
        public_key: vec![],
    }
}

fn error(body: &Value) -> &str {
    body["error"].as_str().unwrap_or_default()
}

#[tokio::test(flavor = "multi_thread")]
async fn chains_are_added_with_the_token_served_at_once_and_kept_across_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("adapters")).unwrap();
    let process = Process::start(dir.path(), &config(dir.path(), "")).await;
    let later = json!({ "name": "later", "family": "evm", "chain-id": "5", "rpc-urls": ["http://127.0.0.1:2"], "poll-interval-ms": 100 });

    // Before the chain is added, a result for it is refused as retryable: its sender keeps it.
    let (status, body) = process.api.post(&submission("later")).await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{body}");
    assert_eq!(body["retryable"], true, "{body}");
    assert!(error(&body).contains("\"later\" is not configured here yet") && error(&body).contains("POST /chains"), "{body}");
    let (status, body) = process.api.post(&submission("evm:5")).await;
    assert_eq!((status, body["retryable"].as_bool()), (StatusCode::SERVICE_UNAVAILABLE, Some(true)), "by its shared id too: {body}");
    let target = json!({ "chain": "later", "manager": "0xaa", "handler": "0xbb" });
    let answer = process.api.http.post(format!("{}/targets", process.api.base)).bearer_auth(TOKEN).json(&target).send().await.unwrap();
    assert_eq!(answer.status(), StatusCode::BAD_REQUEST);
    let body: Value = answer.json().await.unwrap();
    assert!(error(&body).contains("add it with POST /chains"), "a target waits for its chain: {body}");

    // Only with the token.
    let (status, body) = add(&process, None, &later.to_string()).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");
    assert!(error(&body).contains("api-token"), "{body}");
    let (status, _) = add(&process, Some("wrong"), &later.to_string()).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);

    // A bad spec: refused, naming the field (and the chain once its name is read).
    let cases: [(Value, &[&str]); 6] = [
        (json!({ "family": "evm", "chain-id": "5", "rpc-urls": ["http://x"] }), &["`name`"]),
        (json!({ "name": "later", "family": "evm", "chain-id": "5", "rpc-url": ["http://x"] }), &["later", "rpc-url"]),
        (json!({ "name": "later", "family": "evm", "rpc-urls": ["http://x"] }), &["later", "chain-id"]),
        (json!({ "name": "later", "family": "evm", "chain-id": "5", "rpc-urls": ["ftp://x"] }), &["later", "rpc url"]),
        (json!({ "name": "a/b", "family": "evm", "chain-id": "5", "rpc-urls": ["http://x"] }), &["a/b", "letters, digits"]),
        (json!({ "name": "later", "family": "evm", "chain-id": "5", "rpc-urls": ["http://x"], "accept-verified-targets": "yes" }), &["later", "accept-verified-targets"]),
    ];
    for (body, named) in cases {
        let (status, answer) = add(&process, Some(TOKEN), &body.to_string()).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}: {answer}");
        assert!(named.iter().all(|n| error(&answer).contains(n)), "{body}: the refusal names {named:?}: {answer}");
        assert_eq!(answer["retryable"], false);
    }

    // Added: 201 with the chain and the key prepared for it ([submitter.chains.later]).
    let (status, body) = add(&process, Some(TOKEN), &later.to_string()).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    assert_eq!((body["name"].as_str(), body["chain-id"].as_str()), (Some("later"), Some("evm:5")), "{body}");
    assert_eq!(body["accept-verified-targets"], false);
    assert!(body["key"].as_str().unwrap().contains("chains.later"), "{body}");
    assert!(body["submitter"]["error"].is_string(), "no adapter is loaded, so the account is not known yet: {body}");
    // A chain without a key of its own submits with one derived from the base key.
    let derived = json!({ "name": "derived", "family": "evm", "chain-id": "6", "rpc-urls": ["http://127.0.0.1:2"], "accept-verified-targets": true });
    let (status, body) = add(&process, Some(TOKEN), &derived.to_string()).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    assert!(body["key"].as_str().unwrap().contains("derived"), "{body}");
    assert_eq!(body["accept-verified-targets"], true);

    // A name, or a chain, served already: 409.
    let (status, body) = add(&process, Some(TOKEN), &later.to_string()).await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert!(error(&body).contains("\"later\" is already served"), "{body}");
    let again = json!({ "name": "anvil-again", "family": "evm", "chain-id": "31337", "rpc-urls": ["http://127.0.0.1:3"] });
    let (status, body) = add(&process, Some(TOKEN), &again.to_string()).await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert!(error(&body).contains("evm:31337") && error(&body).contains("\"anvil\""), "names the name it is served under: {body}");

    // Served at once: listed, and a result for it reaches the target check (unknown
    // target, 403), no longer the chain's.
    let (_, health) = process.api.health().await;
    assert_eq!([health.chains["later"].source, health.chains["derived"].source, health.chains["anvil"].source], [Api, Api, Config], "{health:?}");
    assert!(!health.chains.contains_key("anvil-again"), "{health:?}");
    let (status, body) = process.api.post(&submission("later")).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    assert!(error(&body).contains("is not served by this aggregator"), "{body}");

    // After a restart on the same data dir it is served again.
    drop(process);
    let process = Process::start(dir.path(), &config(dir.path(), "")).await;
    let (_, health) = process.api.health().await;
    assert_eq!([health.chains["later"].source, health.chains["derived"].source], [Api, Api], "{health:?}");
    let (status, body) = process.api.post(&submission("evm:5")).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "served again, by its shared id too: {body}");
    let (status, _) = add(&process, Some(TOKEN), &later.to_string()).await;
    assert_eq!(status, StatusCode::CONFLICT, "still there");

    // A chain of the same name in the configuration file wins, and the log says so.
    drop(process);
    let filed = "[chains.later]\nfamily = \"evm\"\nchain-id = \"7\"\nrpc-urls = [\"http://127.0.0.1:4\"]\n";
    let process = Process::start(dir.path(), &config(dir.path(), filed)).await;
    let (_, health) = process.api.health().await;
    assert_eq!([health.chains["later"].source, health.chains["derived"].source], [Config, Api], "{health:?}");
    let (status, _) = process.api.post(&submission("evm:7")).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "the file's chain id applies");
    let (status, _) = process.api.post(&submission("evm:5")).await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "the stored one does not");
    assert!(process.log_text().contains("the file's settings apply"), "{}", process.log_text());
}
