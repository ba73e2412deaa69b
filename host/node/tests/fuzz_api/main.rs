//! Property-based fuzzing (proptest) of the node's HTTP API, in process: the real
//! `api::router` of a real node (temp data dir, empty adapters dir, no chains) is driven
//! with `tower::ServiceExt::oneshot` by arbitrary methods, paths, queries and bodies, and
//! by structure-aware mutations of valid manifests, tasks and components.
//!
//! Every answer must hold the API's contract: no panic; no 5xx but a retryable 503; every
//! 4xx/5xx body is `{"error": "<non-empty>", "retryable": bool}`; `/health` answers 200
//! after the run. Uses `target/guests/components/echo.wasm` (scripts/build-guests.sh) to
//! reach deploys and task runs; without it those properties only see refusals.
//!
//! One module per route group; the strategies and the contract are shared with the other
//! suites (`wavs_types::fuzzing`). Cases per property: `PROPTEST_CASES` (default 256, the
//! CI size); `scripts/fuzz.sh` runs a long campaign. See docs/FUZZING.md.

mod components;
mod routes;
mod services;
mod tasks;

use axum::Router;
use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use proptest::prelude::*;
use serde_json::json;
use std::sync::Arc;
use tower::ServiceExt;
use wavs_node::{Node, NodeConfig};
use wavs_types::fuzzing::{Answer, Sandbox, Tally, Target, arb_segment, fields, inputs, seed};

const OPERATOR_KEY: &str = "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80";
/// The node's API token: every request carries it, so the fuzzing reaches the handlers.
const TOKEN: &str = "fuzz-token";

const SERVICES: &[&str] = &["svc", "square", "nope"];
const WORKFLOWS: &[&str] = &["main", "other"];

/// A path segment: one of `known`, or anything else (see `arb_segment`), `..` included.
fn segment(known: &'static [&'static str], raw: bool) -> BoxedStrategy<String> {
    arb_segment(prop::sample::select(known).prop_map(str::to_string).boxed(), raw, true)
}

/// One node per property (so properties stay independent), on its own runtime.
struct Fixture {
    router: Router,
    node: Arc<Node>,
    /// Digest of the uploaded echo component, if the guests are built.
    echo: Option<String>,
    echo_bytes: Vec<u8>,
    tally: Tally,
    /// Last: stops the runtime after the node is dropped, then removes its dirs.
    sandbox: Sandbox,
}

impl Fixture {
    fn new() -> Fixture {
        let sandbox = Sandbox::new();
        let config = format!("api-token = \"{TOKEN}\"\n{}", sandbox.config("operator", OPERATOR_KEY));
        let config = NodeConfig::parse(&config).unwrap();
        config.validate().unwrap();
        let node = sandbox.block_on(Node::open(config)).unwrap();
        let router = wavs_node::api::router(node.clone());
        let mut fixture = Fixture { router, node, echo: None, echo_bytes: vec![], tally: Tally::default(), sandbox };
        let echo = concat!(env!("CARGO_MANIFEST_DIR"), "/../../target/guests/components/echo.wasm");
        match std::fs::read(echo) {
            Ok(bytes) => {
                let answer = fixture.call(Method::POST, "/components", bytes.clone());
                assert_eq!(answer.status, StatusCode::CREATED, "echo upload: {}", answer.text());
                let digest = answer.json().unwrap()["digest"].as_str().unwrap().to_string();
                fixture.echo = Some(digest);
                fixture.echo_bytes = bytes;
                let answer = fixture.call(Method::POST, "/services", fixture.base_manifest().into_bytes());
                assert_eq!(answer.status, StatusCode::CREATED, "base manifest: {}", answer.text());
            }
            Err(e) => eprintln!(
                "warning: {echo}: {e}; run scripts/build-guests.sh to fuzz deploys and task runs too (only refusals are fuzzed now)"
            ),
        }
        fixture
    }

    /// Sends one request through the router, with the token and (on a mutating request)
    /// the content type its path takes, as the CLI sends them; a panic in a handler panics
    /// here.
    fn call(&self, method: Method, uri: &str, body: Vec<u8>) -> Answer {
        let mut request = Request::builder().method(method.clone()).uri(uri).header(header::AUTHORIZATION, format!("Bearer {TOKEN}"));
        if method != Method::GET && method != Method::HEAD {
            let path = uri.split('?').next().unwrap_or_default();
            request = request.header(header::CONTENT_TYPE, wavs_node::api::content_type::expected(path));
        }
        let request = request.body(Body::from(body)).expect("a valid request");
        self.sandbox.block_on(async {
            let response = self.router.clone().oneshot(request).await.expect("the router is infallible");
            let (parts, body) = response.into_parts();
            let body = axum::body::to_bytes(body, usize::MAX).await.expect("body").to_vec();
            self.tally.count(parts.status);
            Answer::new(parts.status, &parts.headers, body)
        })
    }

    /// A manifest this node deploys: one manual workflow running echo, results kept local.
    fn base_manifest(&self) -> String {
        let digest = self.echo.clone().unwrap_or_else(|| "00".repeat(32));
        json!({
            "id": "svc",
            "name": "fuzzed",
            "components": { "echo": {
                "digest": digest,
                "limits": { "fuel": 100000000, "time-ms": 2000 },
                "permissions": { "allowed-http-hosts": [] },
                "config": { "k": "v" }
            } },
            "workflows": { "main": { "trigger": "manual", "component": "echo", "submit": "none" } }
        })
        .to_string()
    }

    /// Bodies for `POST /services`: arbitrary text and JSON, and mutations of the base
    /// manifest.
    fn manifest_bodies(&self) -> impl Strategy<Value = String> + use<> {
        inputs(seed(&self.base_manifest()), fields::MANIFEST)
    }
}

impl Target for Fixture {
    fn request(&self, method: Method, uri: &str, body: Vec<u8>) -> Result<Answer, TestCaseError> {
        Ok(self.call(method, uri, body))
    }

    fn tally(&self) -> &Tally {
        &self.tally
    }
}
