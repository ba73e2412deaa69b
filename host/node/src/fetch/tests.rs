//! What a chain-supplied URI may reach, against a real HTTP server on this machine: the
//! loopback address a hostile manager owner would point every following node at.

use super::{Fetcher, Origin};
use crate::config::sources::SourcesConfig;
use crate::error::NodeError;
use axum::Router;
use axum::response::Redirect;
use axum::routing::get;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use wavs_runtime::HttpRules;

const BODY: &[u8] = b"a service definition";
const CAP: u64 = 1 << 20;

/// A server on 127.0.0.1 serving `/definition` and `/hop` (a redirect to it); its port
/// and how many requests it answered.
async fn local_server() -> (u16, Arc<AtomicUsize>) {
    let hits = Arc::new(AtomicUsize::new(0));
    let counted = hits.clone();
    let app = Router::new()
        .route("/definition", get(move || async move {
            counted.fetch_add(1, Ordering::SeqCst);
            BODY
        }))
        .route("/hop", get(|| async { Redirect::temporary("/definition") }));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(async move { axum::serve(listener, app).await });
    (port, hits)
}

fn fetcher(allow_private: &[String], sources: SourcesConfig) -> Fetcher {
    Fetcher::new(&sources, HttpRules::new(allow_private).unwrap())
}

fn invalid(result: crate::error::Result<Vec<u8>>) -> String {
    match result {
        Err(NodeError::Invalid(message)) => message,
        other => panic!("expected a refusal, got {other:?}"),
    }
}

#[tokio::test]
async fn a_uri_from_the_chain_reaches_no_loopback_address_unless_the_operator_allows_it() {
    let (port, hits) = local_server().await;
    let strict = fetcher(&[], SourcesConfig::default());
    for url in [format!("http://127.0.0.1:{port}/definition"), format!("http://localhost:{port}/definition")] {
        let message = invalid(strict.fetch_bytes(&url, CAP, Origin::Chain).await);
        assert!(message.contains("came from the chain and was not fetched") && message.contains("loopback"), "{message}");
    }
    assert_eq!(hits.load(Ordering::SeqCst), 0, "no request reached the server");

    // The operator's own URI is trusted to point at this machine.
    let url = format!("http://127.0.0.1:{port}/definition");
    assert_eq!(strict.fetch_bytes(&url, CAP, Origin::Operator).await.unwrap(), BODY);
    // And the operator can allow the address for chain-supplied URIs too.
    let allowing = fetcher(&[format!("127.0.0.1:{port}")], SourcesConfig::default());
    assert_eq!(allowing.fetch_bytes(&url, CAP, Origin::Chain).await.unwrap(), BODY);
    assert_eq!(hits.load(Ordering::SeqCst), 2);
}

#[tokio::test]
async fn a_uri_from_the_chain_is_not_followed_through_a_redirect() {
    let (port, hits) = local_server().await;
    let allowing = fetcher(&[format!("127.0.0.1:{port}")], SourcesConfig::default());
    let message = invalid(allowing.fetch_bytes(&format!("http://127.0.0.1:{port}/hop"), CAP, Origin::Chain).await);
    assert!(message.contains("a redirect to /definition") && message.contains("name the final URL"), "{message}");
    assert_eq!(hits.load(Ordering::SeqCst), 0);
    // The operator's fetch follows it.
    let url = format!("http://127.0.0.1:{port}/hop");
    assert_eq!(allowing.fetch_bytes(&url, CAP, Origin::Operator).await.unwrap(), BODY);
}

#[tokio::test]
async fn a_registry_from_the_chain_must_be_public_or_one_the_operator_named() {
    let strict = fetcher(&[], SourcesConfig::default());
    let message = invalid(strict.fetch_bytes("oci://127.0.0.1:5999/wavs/square:1", CAP, Origin::Chain).await);
    assert!(message.contains("oci://127.0.0.1:5999/wavs/square:1 came from the chain") && message.contains("loopback"), "{message}");
    // A registry the operator lists is its own choice: the pull is tried (nothing
    // listens there, so it fails to connect, which is retryable).
    let named = SourcesConfig { insecure_registries: vec!["127.0.0.1:5999".into()], ..SourcesConfig::default() };
    match fetcher(&[], named).fetch_bytes("oci://127.0.0.1:5999/wavs/square:1", CAP, Origin::Chain).await {
        Err(NodeError::Unavailable(_)) => {}
        other => panic!("expected the pull to be tried and fail to connect, got {other:?}"),
    }
}
