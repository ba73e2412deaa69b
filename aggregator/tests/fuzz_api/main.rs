//! Property-based fuzzing (proptest) of the aggregator's HTTP API over a real loopback
//! socket: `Aggregator::start` (temp data dir, empty adapters dir, no chains) is sent
//! arbitrary and mutated `SignedSubmission`s on `POST /envelopes`, arbitrary ids on
//! `GET /envelopes/{id}`, and arbitrary methods, paths and bodies on every route.
//!
//! With no chain configured nothing can be accepted: every submission must be refused
//! with a 4xx `{"error": "<reason>", "retryable": bool}`, or a retryable 503 naming the
//! chain not configured yet; nothing panics (a panicking
//! handler drops the connection, which fails the case); `/health` answers 200 afterwards
//! and its `received` counter equals the submissions that reached the handler.
//!
//! One module per route group; the strategies and the contract are shared with the other
//! suites (`wavs_types::fuzzing`). Cases per property: `PROPTEST_CASES` (default 256, the
//! CI size); `scripts/fuzz.sh` runs a long campaign. See docs/FUZZING.md.

mod envelopes;
mod routes;
mod signatures;

use proptest::test_runner::TestCaseError;
use reqwest::Method;
use serde_json::Value;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;
use wavs_aggregator::config::AggregatorConfig;
use wavs_aggregator::{Aggregator, Handle};
use wavs_types::SignedSubmission;
use wavs_types::aggregator_health::AggregatorHealth;
use wavs_types::fuzzing::{Answer, Sandbox, Tally, Target};

const SUBMITTER_KEY: &str = "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80";

/// One aggregator per property, on its own runtime and port.
struct Fixture {
    handle: Handle,
    client: reqwest::Client,
    /// POSTs to /envelopes whose body reached the handler (valid UTF-8).
    posted: AtomicU64,
    /// ... of which parsed as a `SignedSubmission` (and so were checked and refused).
    parsed: AtomicU64,
    tally: Tally,
    /// Last: stops the runtime after the aggregator's handle is dropped, then removes its dirs.
    sandbox: Sandbox,
}

impl Fixture {
    fn new() -> Fixture {
        let sandbox = Sandbox::new();
        let config = AggregatorConfig::parse(&sandbox.config("submitter", SUBMITTER_KEY)).unwrap();
        config.validate().unwrap();
        let handle = sandbox.block_on(Aggregator::start(config)).unwrap();
        let client = reqwest::Client::builder().timeout(Duration::from_secs(30)).build().unwrap();
        let (posted, parsed) = (AtomicU64::new(0), AtomicU64::new(0));
        Fixture { handle, client, posted, parsed, tally: Tally::default(), sandbox }
    }

    /// Sends one request over the socket. A handler that panics drops the connection:
    /// that fails the case.
    fn call(&self, method: Method, path_and_query: &str, body: Vec<u8>) -> Result<Answer, TestCaseError> {
        let url = format!("http://{}{path_and_query}", self.handle.addr);
        self.sandbox.block_on(async {
            let response = self
                .client
                .request(method.clone(), &url)
                .body(body)
                .send()
                .await
                .map_err(|e| TestCaseError::fail(format!("{method} {url}: no answer (did a handler panic?): {e}")))?;
            let (status, headers) = (response.status(), response.headers().clone());
            let body = response
                .bytes()
                .await
                .map_err(|e| TestCaseError::fail(format!("{method} {url}: body cut short: {e}")))?
                .to_vec();
            self.tally.count(status);
            Ok(Answer::new(status, &headers, body))
        })
    }
}

impl Target for Fixture {
    /// Any request; submissions that reach the `POST /envelopes` handler are counted for
    /// the `/health` check.
    fn request(&self, method: Method, path_and_query: &str, body: Vec<u8>) -> Result<Answer, TestCaseError> {
        let path = path_and_query.split('?').next().unwrap_or_default();
        if method == Method::POST
            && path == "/envelopes"
            && let Ok(text) = std::str::from_utf8(&body)
        {
            self.posted.fetch_add(1, Ordering::Relaxed);
            if serde_json::from_str::<SignedSubmission>(text).is_ok() {
                self.parsed.fetch_add(1, Ordering::Relaxed);
            }
        }
        self.call(method, path_and_query, body)
    }

    fn tally(&self) -> &Tally {
        &self.tally
    }

    /// `/health` counts every submission that reached the handler.
    fn check_health(&self, health: &Value) {
        let typed: AggregatorHealth = serde_json::from_value(health.clone()).unwrap_or_else(|e| panic!("{e}: {health}"));
        let counters = typed.counters;
        assert_eq!(counters.received, self.posted.load(Ordering::Relaxed), "received: {health}");
        assert_eq!(
            counters.rejected_signatures + counters.refused_targets,
            self.parsed.load(Ordering::Relaxed),
            "every parsed submission is refused, as invalid or for its chain (none is configured): {health}"
        );
        assert_eq!(typed.queue_depth, 0, "nothing was accepted: {health}");
    }
}
