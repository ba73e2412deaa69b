//! An API under test (the node's router, the aggregator's socket) and how properties run
//! against it: each property prints a summary line (inputs tried, rate, answers by HTTP
//! status, resident memory), and `/health` must answer 200 afterwards.

use super::{Answer, check_contract, check_robust, config};
use axum::http::{Method, StatusCode};
use proptest::prelude::*;
use proptest::test_runner::{TestCaseError, TestError, TestRunner};
use serde_json::Value;
use std::collections::BTreeMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

/// Answers by status during the current property, for its summary line.
#[derive(Debug, Default)]
pub struct Tally(Mutex<BTreeMap<u16, u64>>);

impl Tally {
    pub fn count(&self, status: StatusCode) {
        *self.counts().entry(status.as_u16()).or_default() += 1;
    }

    fn counts(&self) -> std::sync::MutexGuard<'_, BTreeMap<u16, u64>> {
        self.0.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

/// A temporary home for a node or an aggregator: its own runtime, a data dir and an
/// empty adapters dir. Drop it last: the runtime stops, then the dirs are removed.
#[derive(Debug)]
pub struct Sandbox {
    rt: tokio::runtime::Runtime,
    data: tempfile::TempDir,
    adapters: tempfile::TempDir,
}

impl Sandbox {
    pub fn new() -> Sandbox {
        let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
        Sandbox { rt, data: tempfile::tempdir().unwrap(), adapters: tempfile::tempdir().unwrap() }
    }

    /// A config file: these dirs, the API on a free loopback port, no chains, and
    /// `private-key = key` in `[section]`.
    pub fn config(&self, section: &str, key: &str) -> String {
        let (data, adapters) = (self.data.path().display().to_string(), self.adapters.path().display().to_string());
        format!(
            "data-dir = {data:?}\nadapters-dir = {adapters:?}\napi-addr = \"127.0.0.1:0\"\n\
             [{section}]\nprivate-key = \"{key}\"\n"
        )
    }

    /// Runs `future` to completion on the sandbox's runtime.
    pub fn block_on<F: std::future::Future>(&self, future: F) -> F::Output {
        self.rt.block_on(future)
    }
}

impl Default for Sandbox {
    fn default() -> Sandbox {
        Sandbox::new()
    }
}

/// An HTTP API under test.
pub trait Target: Sized {
    /// Sends one request, counting its answer in [`Target::tally`]. An error (no answer:
    /// a handler panicked) fails the case.
    fn request(&self, method: Method, uri: &str, body: Vec<u8>) -> Result<Answer, TestCaseError>;

    /// The answers by status of the current property.
    fn tally(&self) -> &Tally;

    /// Checks on `/health`'s JSON beyond `"status": "ok"` (none by default).
    fn check_health(&self, _health: &Value) {}

    /// `GET /health` answers 200 with `"status": "ok"`, and [`Target::check_health`] holds.
    fn assert_healthy(&self) {
        let answer = self.request(Method::GET, "/health", vec![]).unwrap_or_else(|e| panic!("/health: {e}"));
        assert_eq!(answer.status, StatusCode::OK, "/health after the run: {}", answer.text());
        let health = answer.json().expect("/health answers JSON");
        // Node and aggregator both answer a `HealthStatus` under `status`.
        #[derive(serde::Deserialize)]
        struct Overall {
            status: crate::health::HealthStatus,
        }
        let overall: Overall = serde_json::from_value(health.clone()).unwrap_or_else(|e| panic!("{e}: {health}"));
        assert_eq!(overall.status, crate::health::HealthStatus::Ok, "{health}");
        self.check_health(&health);
    }

    /// Runs [`config`]'s cases of `strategy` through `test` (proptest shrinks a failure to
    /// a minimal input, and this panics with it), prints the summary line, then checks
    /// `/health`.
    fn fuzz<S: Strategy>(&self, name: &str, strategy: S, test: impl Fn(&Self, S::Value) -> Result<(), TestCaseError>)
    where
        S::Value: std::fmt::Debug,
    {
        let mut runner = TestRunner::new(config());
        let tried = AtomicU64::new(0);
        self.tally().counts().clear();
        let started = Instant::now();
        let result = runner.run(&strategy, |input| {
            tried.fetch_add(1, Ordering::Relaxed);
            test(self, input)
        });
        let secs = started.elapsed().as_secs_f64();
        let tried = tried.into_inner();
        let statuses: Vec<String> = self.tally().counts().iter().map(|(s, n)| format!("{s}x{n}")).collect();
        eprintln!(
            "{name}: {tried} inputs in {secs:.1} s ({:.0}/s); answers {}; {}",
            tried as f64 / secs.max(1e-9),
            statuses.join(" "),
            rss()
        );
        match result {
            Ok(()) => {}
            Err(TestError::Fail(reason, input)) => panic!("{name}: {reason}\nminimal failing input: {input:#?}"),
            Err(TestError::Abort(reason)) => panic!("{name}: aborted: {reason}"),
        }
        self.assert_healthy();
    }

    /// Any request of `requests`: no panic, no 5xx but a retryable 503, and every refusal
    /// is `{"error", "retryable"}` JSON ([`check_contract`]); unless `strict`, the body
    /// format of the framework's own refusals is left out ([`check_robust`]).
    fn fuzz_requests(&self, name: &str, requests: impl Strategy<Value = (Method, String, Vec<u8>)>, strict: bool) {
        self.fuzz(name, requests, |target, (method, uri, body)| {
            let answer = target.request(method.clone(), &uri, body)?;
            match strict {
                true => check_contract(&method, &uri, &answer)?,
                false => check_robust(&method, &uri, &answer)?,
            };
            Ok(())
        });
    }

    /// Each kind of framework refusal once, those every API has (unknown path, trailing
    /// slash, wrong method) and the API's own `cases`: every answer holds the full
    /// contract, and `/health` answers afterwards.
    fn assert_refusals_are_json(&self, cases: &[(Method, &str, &[u8])]) {
        let common: &[(Method, &str, &[u8])] =
            &[(Method::GET, "/nope", b""), (Method::GET, "/health/", b""), (Method::PUT, "/health", b"")];
        let mut broken = vec![];
        for (method, uri, body) in common.iter().chain(cases) {
            let answer = self.request(method.clone(), uri, body.to_vec()).unwrap_or_else(|e| panic!("{e}"));
            if let Err(e) = check_contract(method, uri, &answer) {
                broken.push(format!("  {method} {uri} -> {} {:?}: {e}", answer.status, answer.content_type));
            }
        }
        self.assert_healthy();
        assert!(broken.is_empty(), "refusals that are not {{\"error\", \"retryable\"}} JSON:\n{}", broken.join("\n"));
    }
}

/// This process's resident memory (Linux; elsewhere "rss ?").
fn rss() -> String {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let kb = status.lines().find_map(|l| l.strip_prefix("VmRSS:")).map(|v| v.trim().trim_end_matches(" kB"));
    match kb.and_then(|kb| kb.parse::<u64>().ok()) {
        Some(kb) => format!("rss {} MiB", kb / 1024),
        None => "rss ?".into(),
    }
}
