//! Any request on any route, and the framework's own refusals.

use crate::{Fixture, SERVICES, WORKFLOWS, segment};
use axum::http::Method;
use proptest::prelude::*;
use wavs_types::fuzzing::{Target, arb_body, arb_method, arb_uri};

/// Paths of the node's routes, with arbitrary segments where the route has parameters,
/// plus near misses (trailing slash, extra segments, double slashes) and queries.
fn arb_route_path() -> impl Strategy<Value = String> {
    let fixed = prop::sample::select(&["/health", "/adapters", "/operator", "/components", "/services", "/executions"][..])
        .prop_map(str::to_string);
    let service = segment(SERVICES, true).prop_map(|s| format!("/services/{s}"));
    let tasks = (segment(SERVICES, true), segment(WORKFLOWS, true))
        .prop_map(|(s, w)| format!("/services/{s}/workflows/{w}/tasks"));
    arb_uri(prop_oneof![3 => fixed, 2 => service, 3 => tasks], &["limit", "service"])
}

/// Any method (CONNECT too: in process), any route, any body.
fn any_request(f: &Fixture) -> impl Strategy<Value = (Method, String, Vec<u8>)> + use<> {
    (arb_method(true), arb_route_path(), arb_body(f.manifest_bodies()))
}

/// Anything on the real routes: any method, parameters of any bytes, near-miss paths,
/// any query, any body bytes. No panic, no 5xx but a retryable 503, and handler errors
/// are JSON (the framework's own refusals are checked by the next two tests).
#[test]
fn any_request_on_the_routes() {
    let f = Fixture::new();
    f.fuzz_requests("any request", any_request(&f), false);
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
    f.fuzz_requests("any request, strict", any_request(&f), true);
}

/// Each kind of framework refusal, once (the node's own, and those every API has: see
/// `Target::assert_refusals_are_json`): all must be `{"error", "retryable"}` JSON.
#[test]
fn framework_refusals_are_json() {
    let too_big = vec![0u8; (64 << 20) + 1];
    let cases: &[(Method, &str, &[u8])] = &[
        (Method::GET, "/services/svc", b""),
        (Method::GET, "/components", b""),
        (Method::GET, "/executions?limit=-1", b""),
        (Method::GET, "/executions?limit=x", b""),
        (Method::POST, "/services", b"\xff"),
        (Method::POST, "/services/svc/workflows/main/tasks", b"\xff"),
        (Method::DELETE, "/services/%FF", b""),
        (Method::POST, "/components", &too_big),
    ];
    Fixture::new().assert_refusals_are_json(cases);
}
