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
//! Cases per property: `PROPTEST_CASES` (default 256, the CI size); `scripts/fuzz.sh`
//! runs a long campaign. See docs/FUZZING.md.

use axum::Router;
use axum::body::Body;
use axum::http::{Method, Request, StatusCode};
use proptest::prelude::*;
use proptest::sample::Index;
use proptest::test_runner::{TestCaseError, TestError, TestRunner};
use serde_json::{Value, json};
use std::sync::Arc;
use std::time::Instant;
use tower::ServiceExt;
use wavs_node::{Node, NodeConfig};

// ---------------------------------------------------------------------------------
// The node under test
// ---------------------------------------------------------------------------------

const OPERATOR_KEY: &str = "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80";

/// One node per property (so properties stay independent), on its own runtime.
struct Fixture {
    rt: tokio::runtime::Runtime,
    router: Router,
    node: Arc<Node>,
    /// Digest of the uploaded echo component, if the guests are built.
    echo: Option<String>,
    echo_bytes: Vec<u8>,
    /// Answers by status during the current property, for the summary line.
    statuses: parking_lot::Mutex<std::collections::BTreeMap<u16, u64>>,
    _data: tempfile::TempDir,
    _adapters: tempfile::TempDir,
}

struct Answer {
    status: StatusCode,
    content_type: String,
    body: Vec<u8>,
}

impl Answer {
    fn json(&self) -> Option<Value> {
        serde_json::from_slice(&self.body).ok()
    }
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).chars().take(300).collect()
    }
}

impl Fixture {
    fn new() -> Fixture {
        let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
        let data = tempfile::tempdir().unwrap();
        let adapters = tempfile::tempdir().unwrap();
        let config = NodeConfig::parse(&format!(
            "data-dir = {:?}\nadapters-dir = {:?}\napi-addr = \"127.0.0.1:0\"\n[operator]\nprivate-key = \"{OPERATOR_KEY}\"\n",
            data.path().display().to_string(),
            adapters.path().display().to_string(),
        ))
        .unwrap();
        config.validate().unwrap();
        let node = rt.block_on(Node::open(config)).unwrap();
        let router = wavs_node::api::router(node.clone());
        let mut fixture = Fixture {
            rt,
            router,
            node,
            echo: None,
            echo_bytes: vec![],
            statuses: Default::default(),
            _data: data,
            _adapters: adapters,
        };
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

    /// Sends one request through the router; a panic in a handler panics here.
    fn call(&self, method: Method, uri: &str, body: Vec<u8>) -> Answer {
        let request = Request::builder().method(method).uri(uri).body(Body::from(body)).expect("a valid request");
        self.rt.block_on(async {
            let response = self.router.clone().oneshot(request).await.expect("the router is infallible");
            let status = response.status();
            let content_type = response
                .headers()
                .get(axum::http::header::CONTENT_TYPE)
                .and_then(|v| v.to_str().ok())
                .unwrap_or_default()
                .to_string();
            let body = axum::body::to_bytes(response.into_body(), usize::MAX).await.expect("body").to_vec();
            *self.statuses.lock().entry(status.as_u16()).or_default() += 1;
            Answer { status, content_type, body }
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

    /// Runs `cases` of `strategy` through `test` (proptest shrinks any failure to a
    /// minimal input), then checks the node is still healthy. Prints the rate.
    fn fuzz<S: Strategy>(&self, name: &str, strategy: S, test: impl Fn(&Fixture, S::Value) -> Result<(), TestCaseError>)
    where
        S::Value: std::fmt::Debug,
    {
        let mut runner = TestRunner::new(config());
        let tried = std::sync::atomic::AtomicU64::new(0);
        self.statuses.lock().clear();
        let started = Instant::now();
        let result = runner.run(&strategy, |input| {
            tried.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            test(self, input)
        });
        let secs = started.elapsed().as_secs_f64();
        let tried = tried.into_inner();
        let statuses: Vec<String> = self.statuses.lock().iter().map(|(s, n)| format!("{s}x{n}")).collect();
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

    fn assert_healthy(&self) {
        let answer = self.call(Method::GET, "/health", vec![]);
        assert_eq!(answer.status, StatusCode::OK, "/health after the run: {}", answer.text());
        let health = answer.json().expect("/health answers JSON");
        assert_eq!(health["status"], "ok", "{health}");
    }
}

/// This process's resident memory, for the summary line (Linux; elsewhere "rss ?").
fn rss() -> String {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let kb = status.lines().find_map(|l| l.strip_prefix("VmRSS:")).map(|v| v.trim().trim_end_matches(" kB").to_string());
    match kb.and_then(|kb| kb.parse::<u64>().ok()) {
        Some(kb) => format!("rss {} MiB", kb / 1024),
        None => "rss ?".into(),
    }
}

/// Cases per property: `PROPTEST_CASES`, or 256 (the CI size).
fn config() -> ProptestConfig {
    let cases = std::env::var("PROPTEST_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(256);
    ProptestConfig { failure_persistence: None, max_shrink_iters: 2048, ..ProptestConfig::with_cases(cases) }
}

// ---------------------------------------------------------------------------------
// The contract
// ---------------------------------------------------------------------------------

/// The full contract: no 5xx but a retryable 503; every error body is
/// `{"error": non-empty, "retryable": bool}` (HEAD answers carry no body). Returns the
/// error message, if the answer is an error.
fn check_contract(method: &Method, uri: &str, a: &Answer) -> Result<Option<String>, TestCaseError> {
    let status = a.status;
    if status.is_server_error() {
        prop_assert_eq!(
            status,
            StatusCode::SERVICE_UNAVAILABLE,
            "{} {} answered {}: {}",
            method,
            uri,
            status,
            a.text()
        );
    }
    if !(status.is_client_error() || status.is_server_error()) || method == Method::HEAD {
        return Ok(None);
    }
    let body = a.json();
    let error = body.as_ref().and_then(|b| b.get("error")).and_then(Value::as_str).unwrap_or_default();
    let retryable = body.as_ref().and_then(|b| b.get("retryable")).and_then(Value::as_bool);
    prop_assert!(
        !error.trim().is_empty() && retryable.is_some(),
        "{} {} answered {} without an {{\"error\", \"retryable\"}} JSON body: {:?}",
        method,
        uri,
        status,
        a.text()
    );
    if status == StatusCode::SERVICE_UNAVAILABLE {
        prop_assert_eq!(retryable, Some(true), "{} {}: a 503 must be retryable: {}", method, uri, a.text());
    }
    Ok(Some(error.to_string()))
}

/// The contract without the body format of the framework's own refusals (unknown path,
/// method not allowed, undecodable query, path or body: axum's plain-text or empty 4xx
/// unless the API rewrites them), which `any_refusal_is_json` and
/// `framework_refusals_are_json` check. Keeps the robustness property independent of
/// that format.
fn check_robust(method: &Method, uri: &str, a: &Answer) -> Result<Option<String>, TestCaseError> {
    let framework = a.status.is_client_error() && !a.content_type.starts_with("application/json");
    if framework {
        return Ok(None);
    }
    check_contract(method, uri, a)
}

// ---------------------------------------------------------------------------------
// Strategies
// ---------------------------------------------------------------------------------

/// Percent-encodes everything but unreserved characters.
fn encode(bytes: &[u8]) -> String {
    bytes
        .iter()
        .map(|&b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

fn arb_text() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => "[a-zA-Z0-9_.:-]{0,16}",
        2 => any::<String>(),
        1 => "0x[0-9a-fA-F]{0,80}",
    ]
}

fn arb_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        any::<f64>().prop_filter("finite", |f| f.is_finite()).prop_map(Value::from),
        arb_text().prop_map(Value::String),
    ];
    leaf.prop_recursive(4, 48, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::btree_map(arb_key(), inner, 0..6).prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

const FIELD_NAMES: &[&str] = &[
    "id", "name", "components", "workflows", "digest", "limits", "permissions", "config", "fuel", "time-ms",
    "memory-bytes", "output-bytes", "allowed-http-hosts", "trigger", "component", "submit", "chain-event",
    "block-interval", "manual", "none", "aggregator", "chain", "contract", "event", "every", "start", "handler",
    "manager", "task-id", "payload",
];

fn arb_key() -> impl Strategy<Value = String> {
    prop_oneof![3 => prop::sample::select(FIELD_NAMES).prop_map(str::to_string), 2 => arb_text()]
}

/// A structure-aware edit of a JSON document (see host/types/tests/fuzz_manifest.rs for
/// the full set; the API needs the shape-keeping ones most, to get past the parser).
#[derive(Debug, Clone)]
enum Mutation {
    Remove(Vec<u16>),
    Replace(Vec<u16>, Value),
    Insert(Vec<u16>, String, Value),
    Rename(Vec<u16>, String),
    /// Strings only: keeps the shape.
    Text(Vec<u16>, String),
    /// Numbers only: keeps the shape.
    Number(Vec<u16>, u64),
}

fn arb_path() -> impl Strategy<Value = Vec<u16>> {
    prop::collection::vec(any::<u16>(), 0..6)
}

fn arb_mutation() -> impl Strategy<Value = Mutation> {
    let number = prop_oneof![Just(0u64), Just(1u64), Just(u64::MAX), Just(10_000_000_001), any::<u64>()];
    prop_oneof![
        2 => arb_path().prop_map(Mutation::Remove),
        2 => (arb_path(), arb_json()).prop_map(|(p, v)| Mutation::Replace(p, v)),
        1 => (arb_path(), arb_key(), arb_json()).prop_map(|(p, k, v)| Mutation::Insert(p, k, v)),
        1 => (arb_path(), arb_key()).prop_map(|(p, k)| Mutation::Rename(p, k)),
        4 => (arb_path(), arb_text()).prop_map(|(p, t)| Mutation::Text(p, t)),
        2 => (arb_path(), number).prop_map(|(p, n)| Mutation::Number(p, n)),
    ]
}

/// Follows `path` (child `n % len` at each level) while children are containers.
/// Returns the container reached and the chosen child's index.
fn walk<'a>(v: &'a mut Value, path: &[u16]) -> (&'a mut Value, Option<usize>) {
    let Some((first, rest)) = path.split_first() else { return (v, None) };
    let len = match v {
        Value::Object(m) => m.len(),
        Value::Array(a) => a.len(),
        _ => 0,
    };
    if len == 0 {
        return (v, None);
    }
    let i = usize::from(*first) % len;
    let descend = !rest.is_empty()
        && match &*v {
            Value::Object(m) => m.values().nth(i).is_some_and(|c| c.is_object() || c.is_array()),
            Value::Array(a) => a[i].is_object() || a[i].is_array(),
            _ => false,
        };
    if !descend {
        return (v, Some(i));
    }
    let child = match v {
        Value::Object(m) => m.values_mut().nth(i).expect("in range"),
        Value::Array(a) => &mut a[i],
        _ => unreachable!(),
    };
    walk(child, rest)
}

fn child_mut(v: &mut Value, i: usize) -> Option<&mut Value> {
    match v {
        Value::Object(m) => m.values_mut().nth(i),
        Value::Array(a) => a.get_mut(i),
        _ => None,
    }
}

fn first_scalar(v: &mut Value) -> Option<&mut Value> {
    match v {
        Value::Object(m) => m.values_mut().find_map(first_scalar),
        Value::Array(a) => a.iter_mut().find_map(first_scalar),
        scalar => Some(scalar),
    }
}

fn selected<'a>(doc: &'a mut Value, path: &[u16]) -> Option<&'a mut Value> {
    match walk(doc, path) {
        (parent, Some(i)) => child_mut(parent, i),
        (leaf, None) => Some(leaf),
    }
}

fn mutate(doc: &mut Value, m: &Mutation) {
    match m {
        Mutation::Remove(path) => match walk(doc, path) {
            (Value::Object(map), Some(i)) => {
                let key = map.keys().nth(i).cloned().expect("in range");
                map.remove(&key);
            }
            (Value::Array(a), Some(i)) => {
                a.remove(i);
            }
            _ => {}
        },
        Mutation::Replace(path, value) => {
            if let Some(v) = selected(doc, path) {
                *v = value.clone();
            }
        }
        Mutation::Insert(path, key, value) => {
            let (parent, i) = walk(doc, path);
            let target = match i {
                Some(i) if child_mut(parent, i).is_some_and(|c| c.is_object()) => child_mut(parent, i).unwrap(),
                _ => parent,
            };
            if let Value::Object(map) = target {
                map.insert(key.clone(), value.clone());
            }
        }
        Mutation::Rename(path, new_key) => {
            if let (Value::Object(map), Some(i)) = walk(doc, path) {
                let key = map.keys().nth(i).cloned().expect("in range");
                let value = map.remove(&key).expect("present");
                map.insert(new_key.clone(), value);
            }
        }
        Mutation::Text(path, text) => {
            if let Some(s) = selected(doc, path).and_then(first_scalar).filter(|v| v.is_string()) {
                *s = Value::String(text.clone());
            }
        }
        Mutation::Number(path, n) => {
            if let Some(s) = selected(doc, path).and_then(first_scalar).filter(|v| v.is_number()) {
                *s = Value::from(*n);
            }
        }
    }
}

/// `seed` after 0-3 mutations, sometimes truncated (syntax errors).
fn mutated(seed: String) -> impl Strategy<Value = String> {
    let doc: Value = serde_json::from_str(&seed).expect("seed is JSON");
    (prop::collection::vec(arb_mutation(), 0..4), prop::option::weighted(0.1, any::<Index>())).prop_map(
        move |(muts, cut)| {
            let mut d = doc.clone();
            for m in &muts {
                mutate(&mut d, m);
            }
            let text = d.to_string();
            match cut {
                Some(i) => text.chars().take(i.index(text.chars().count() + 1)).collect(),
                None => text,
            }
        },
    )
}

/// Request bodies for JSON endpoints: valid UTF-8 (the handlers take `String`).
fn json_bodies(seed: String) -> impl Strategy<Value = String> {
    prop_oneof![
        1 => any::<String>(),
        2 => arb_json().prop_map(|v| v.to_string()),
        6 => mutated(seed),
    ]
}

/// A non-empty path segment: a real id, plausible text, any Unicode, or (if `raw`) any
/// bytes percent-encoded (which may not be UTF-8).
fn arb_segment(real: &'static [&'static str], raw: bool) -> BoxedStrategy<String> {
    let utf8 = prop_oneof![
        4 => prop::sample::select(real).prop_map(str::to_string),
        2 => "[a-zA-Z0-9_-]{1,12}",
        2 => prop::collection::vec(any::<char>(), 1..8).prop_map(|c| encode(String::from_iter(c).as_bytes())),
        1 => Just("..".to_string()),
        1 => "[a-zA-Z0-9!$&'()*+,;=:@._~-]{1,12}",
    ];
    if raw {
        prop_oneof![4 => utf8, 1 => prop::collection::vec(any::<u8>(), 1..16).prop_map(|b| encode(&b))].boxed()
    } else {
        utf8.boxed()
    }
}

const SERVICES: &[&str] = &["svc", "square", "nope"];
const WORKFLOWS: &[&str] = &["main", "other"];

/// Paths of the node's routes, with arbitrary segments where the route has parameters,
/// plus near misses (trailing slash, extra segments, double slashes).
fn arb_route_path() -> impl Strategy<Value = String> {
    let fixed = prop::sample::select(&["/health", "/adapters", "/operator", "/components", "/services", "/executions"][..])
        .prop_map(str::to_string);
    let service = arb_segment(SERVICES, true).prop_map(|s| format!("/services/{s}"));
    let tasks = (arb_segment(SERVICES, true), arb_segment(WORKFLOWS, true))
        .prop_map(|(s, w)| format!("/services/{s}/workflows/{w}/tasks"));
    let path = prop_oneof![3 => fixed, 2 => service, 3 => tasks];
    let near_miss = prop_oneof![
        6 => Just(""),
        1 => Just("/"),
        1 => Just("//"),
        1 => Just("/x"),
    ];
    (path, near_miss, prop::option::weighted(0.3, arb_query())).prop_map(|(p, suffix, q)| match q {
        Some(q) => format!("{p}{suffix}?{q}"),
        None => format!("{p}{suffix}"),
    })
}

/// Query strings: `limit`/`service` with good and bad values, unknown keys, raw bytes.
fn arb_query() -> impl Strategy<Value = String> {
    let value = prop_oneof![
        any::<u64>().prop_map(|n| n.to_string()),
        Just("18446744073709551616".to_string()),
        Just("-1".to_string()),
        Just(String::new()),
        arb_text().prop_map(|t| encode(t.as_bytes())),
        prop::collection::vec(any::<u8>(), 0..8).prop_map(|b| encode(&b)),
    ];
    let key = prop_oneof![Just("limit"), Just("service"), Just("other")];
    prop::collection::vec((key, value), 0..4)
        .prop_map(|pairs| pairs.into_iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join("&"))
}

fn arb_method() -> impl Strategy<Value = Method> {
    prop_oneof![
        4 => prop::sample::select(vec![Method::GET, Method::POST]),
        3 => prop::sample::select(vec![
            Method::PUT,
            Method::DELETE,
            Method::PATCH,
            Method::HEAD,
            Method::OPTIONS,
            Method::TRACE,
            Method::CONNECT,
        ]),
        1 => "[A-Z]{1,8}".prop_map(|m| Method::from_bytes(m.as_bytes()).expect("a token")),
    ]
}

// ---------------------------------------------------------------------------------
// Properties
// ---------------------------------------------------------------------------------

/// `POST /services` with arbitrary JSON, arbitrary text and mutated manifests (the
/// node's deployable base manifest and the README's, which needs a chain this node
/// lacks). Deploys answer 201 with the id; refusals 400 naming a position or a field.
#[test]
fn services_post() {
    let f = Fixture::new();
    let readme = r#"{ "id": "square",
      "components": { "square": { "digest": "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
        "limits": { "fuel": 100000000, "time-ms": 2000 }, "permissions": { "allowed-http-hosts": [] }, "config": {} } },
      "workflows": { "main": {
        "trigger": { "chain-event": { "chain": "anvil", "contract": "0x01", "event": "TriggerFired(uint64,address,bytes)" } },
        "component": "square",
        "submit": { "aggregator": { "chain": "anvil", "handler": "0x02", "manager": "0x03" } } } } }"#;
    let bodies = prop_oneof![3 => json_bodies(f.base_manifest()), 1 => mutated(readme.to_string())];
    f.fuzz("POST /services", bodies, |f, body| {
        let answer = f.call(Method::POST, "/services", body.clone().into_bytes());
        let error = check_contract(&Method::POST, "/services", &answer)?;
        match answer.status {
            StatusCode::CREATED => {
                let deployed = wavs_types::ServiceManifest::from_json(&body).map_err(TestCaseError::fail)?;
                let id = answer.json().unwrap_or_default()["id"].as_str().map(str::to_string);
                prop_assert_eq!(id, Some(deployed.id.clone()));
                prop_assert!(f.node.services().iter().any(|s| **s == deployed), "201 but not deployed");
            }
            StatusCode::BAD_REQUEST => {
                let e = error.unwrap();
                let names_position = e.starts_with("invalid service manifest:") && e.contains(" line ");
                let names_field = ["id ", "workflows", "components."].iter().any(|p| e.starts_with(p));
                prop_assert!(names_position || names_field, "refusal names no position or field: {:?}", e);
            }
            other => prop_assert!(other == StatusCode::SERVICE_UNAVAILABLE, "unexpected {}: {}", other, answer.text()),
        }
        Ok(())
    });
}

/// `POST /services/{id}/workflows/{wf}/tasks` with mutated and arbitrary tasks on the
/// deployed service and on arbitrary ids. Runs answer 200 with an execution record.
#[test]
fn tasks_post() {
    let f = Fixture::new();
    let task = || {
        (arb_text(), prop::collection::vec(any::<u8>(), 0..512)).prop_map(|(id, payload)| {
            json!({ "task-id": id, "payload": format!("0x{}", hex::encode(payload)) }).to_string()
        })
    };
    let body = prop_oneof![3 => task(), 3 => task().prop_flat_map(mutated), 1 => json_bodies("{}".into())];
    let target = prop_oneof![
        4 => Just(("svc".to_string(), "main".to_string())),
        1 => (arb_segment(SERVICES, false), arb_segment(WORKFLOWS, false)),
    ];
    f.fuzz("POST /services/{id}/workflows/{wf}/tasks", (target, body), |f, ((service, workflow), body)| {
        let uri = format!("/services/{service}/workflows/{workflow}/tasks");
        let answer = f.call(Method::POST, &uri, body.into_bytes());
        check_contract(&Method::POST, &uri, &answer)?;
        if answer.status == StatusCode::OK {
            let record = answer.json().unwrap_or_default();
            prop_assert!(record.get("outcome").is_some(), "200 without an execution record: {}", answer.text());
        } else {
            prop_assert!(
                [StatusCode::BAD_REQUEST, StatusCode::NOT_FOUND, StatusCode::SERVICE_UNAVAILABLE].contains(&answer.status),
                "{} answered {}: {}",
                uri,
                answer.status,
                answer.text()
            );
        }
        Ok(())
    });
}

/// `POST /components` with arbitrary bytes (400 with a reason, always) and with
/// mutations of a real component (201 or 400).
#[test]
fn components_post() {
    let f = Fixture::new();
    const CORE: &[u8] = b"\0asm\x01\0\0\0";
    const COMPONENT: &[u8] = b"\0asm\x0d\0\x01\0";
    let garbage = prop_oneof![
        3 => prop::collection::vec(any::<u8>(), 0..2048),
        2 => (prop::sample::select(&[CORE, COMPONENT][..]), prop::collection::vec(any::<u8>(), 0..512))
            .prop_map(|(head, tail)| [head, &tail[..]].concat()),
    ]
    .prop_map(|b| (false, b));
    let echo = f.echo_bytes.clone();
    // Truncations and byte flips of echo.wasm, anywhere in the file: most are refused by
    // the parser or validator, some compile (flips in data or custom sections) and reach
    // the service-world checks, or load as a new component.
    let mutated_echo = (
        prop::option::weighted(0.3, any::<Index>()),
        prop::collection::vec((any::<Index>(), 1u8..=255), 1..4),
    )
        .prop_map(move |(cut, flips)| {
            let mut b = echo.clone();
            let len = b.len();
            let mut flipped = std::collections::BTreeSet::new();
            for (at, xor) in flips {
                // Each position once, so the bytes always differ from echo.wasm.
                if flipped.insert(at.index(len)) {
                    b[at.index(len)] ^= xor;
                }
            }
            if let Some(cut) = cut {
                b.truncate(cut.index(len + 1));
            }
            (true, b)
        });
    let inputs = if f.echo.is_some() { prop_oneof![7 => garbage, 1 => mutated_echo].boxed() } else { garbage.boxed() };
    f.fuzz("POST /components", inputs, |f, (from_component, bytes)| {
        let answer = f.call(Method::POST, "/components", bytes);
        let error = check_contract(&Method::POST, "/components", &answer)?;
        if from_component && answer.status == StatusCode::CREATED {
            return Ok(());
        }
        prop_assert_eq!(answer.status, StatusCode::BAD_REQUEST, "{}", answer.text());
        prop_assert!(error.unwrap().starts_with("invalid component"), "{}", answer.text());
        Ok(())
    });
}

/// `GET /executions` with numeric limits (any size) and arbitrary service filters:
/// 200 with at most `limit` records.
#[test]
fn executions_get() {
    let f = Fixture::new();
    if f.echo.is_some() {
        for i in 0..3 {
            let task = json!({ "task-id": format!("t{i}"), "payload": "0x01" }).to_string();
            let answer = f.call(Method::POST, "/services/svc/workflows/main/tasks", task.into_bytes());
            assert_eq!(answer.status, StatusCode::OK, "{}", answer.text());
        }
    }
    let limit = prop_oneof![Just(None), (0usize..5).prop_map(Some), any::<u64>().prop_map(|n| Some(n as usize))];
    let service = prop::option::of(arb_segment(&["svc", "nope"], false));
    f.fuzz("GET /executions?limit=N", (limit, service), |f, (limit, service)| {
        let mut query = vec![];
        if let Some(l) = limit {
            query.push(format!("limit={l}"));
        }
        if let Some(s) = &service {
            query.push(format!("service={s}"));
        }
        let uri = format!("/executions?{}", query.join("&"));
        let answer = f.call(Method::GET, &uri, vec![]);
        check_contract(&Method::GET, &uri, &answer)?;
        prop_assert_eq!(answer.status, StatusCode::OK, "{}: {}", uri, answer.text());
        let records = answer.json().and_then(|v| v.as_array().cloned());
        prop_assert!(records.is_some(), "{}: not a JSON array: {}", uri, answer.text());
        prop_assert!(records.unwrap().len() <= limit.unwrap_or(50), "{}: more records than the limit", uri);
        Ok(())
    });
}

/// `DELETE /services/{id}` with arbitrary (UTF-8) ids: 204 or 404 with a reason.
#[test]
fn services_delete() {
    let f = Fixture::new();
    f.fuzz("DELETE /services/{id}", arb_segment(&["svc", "nope", "square"], false), |f, id| {
        let uri = format!("/services/{id}");
        let answer = f.call(Method::DELETE, &uri, vec![]);
        check_contract(&Method::DELETE, &uri, &answer)?;
        prop_assert!(
            [StatusCode::NO_CONTENT, StatusCode::NOT_FOUND, StatusCode::SERVICE_UNAVAILABLE].contains(&answer.status),
            "{} answered {}: {}",
            uri,
            answer.status,
            answer.text()
        );
        Ok(())
    });
}

fn any_body(f: &Fixture) -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        2 => Just(vec![]),
        2 => json_bodies(f.base_manifest()).prop_map(String::into_bytes),
        1 => prop::collection::vec(any::<u8>(), 0..256),
    ]
}

/// Anything on the real routes: any method, parameters of any bytes, near-miss paths,
/// any query, any body bytes. No panic, no 5xx but a retryable 503, and handler errors
/// are JSON (the framework's own refusals are checked by the next two tests).
#[test]
fn any_request_on_the_routes() {
    let f = Fixture::new();
    f.fuzz("any request", (arb_method(), arb_route_path(), any_body(&f)), |f, (method, uri, body)| {
        let answer = f.call(method.clone(), &uri, body);
        check_robust(&method, &uri, &answer)?;
        Ok(())
    });
}

// Found by these tests: axum answered its own refusals in plain text or with an empty
// body, not `{"error", "retryable"}`. Minimal inputs (proptest's first shrink, then the
// table in `framework_refusals_are_json`):
//   GET /services/svc           -> 405, empty body
//   GET /health/, GET /nope     -> 404, empty body (no fallback route)
//   PUT /health                 -> 405, empty body
//   GET /executions?limit=-1    -> 400 text/plain "Failed to deserialize query string: ..."
//   POST /services, body [0xFF] -> 400 text/plain "Request body didn't contain valid UTF-8: ..."
//   DELETE /services/%FF        -> 400 text/plain "Invalid URL: Invalid UTF-8 in `id`"
//   POST /components, 64 MiB+1  -> 413 text/plain "Failed to buffer the request body: length limit exceeded"
// Fixed in api.rs by its owners (JSON fallback, `method_not_allowed_fallback` and the
// `wavs_types::http::json_errors` layer); these two tests keep it fixed.

/// The full contract on anything, the framework's refusals included.
#[test]
fn any_refusal_is_json() {
    let f = Fixture::new();
    f.fuzz("any request, strict", (arb_method(), arb_route_path(), any_body(&f)), |f, (method, uri, body)| {
        let answer = f.call(method.clone(), &uri, body);
        check_contract(&method, &uri, &answer)?;
        Ok(())
    });
}

/// Each kind of framework refusal, once: all must be `{"error", "retryable"}` JSON.
#[test]
fn framework_refusals_are_json() {
    let f = Fixture::new();
    let too_big = vec![0u8; (64 << 20) + 1];
    let cases: &[(Method, &str, &[u8])] = &[
        (Method::GET, "/health/", b""),
        (Method::GET, "/nope", b""),
        (Method::PUT, "/health", b""),
        (Method::GET, "/services/svc", b""),
        (Method::GET, "/components", b""),
        (Method::GET, "/executions?limit=-1", b""),
        (Method::GET, "/executions?limit=x", b""),
        (Method::POST, "/services", b"\xff"),
        (Method::POST, "/services/svc/workflows/main/tasks", b"\xff"),
        (Method::DELETE, "/services/%FF", b""),
        (Method::POST, "/components", &too_big),
    ];
    let mut broken = vec![];
    for (method, uri, body) in cases {
        let answer = f.call(method.clone(), uri, body.to_vec());
        if let Err(e) = check_contract(method, uri, &answer) {
            broken.push(format!("  {method} {uri} -> {} {:?}: {e}", answer.status, answer.content_type));
        }
    }
    f.assert_healthy();
    assert!(broken.is_empty(), "refusals that are not {{\"error\", \"retryable\"}} JSON:\n{}", broken.join("\n"));
}

