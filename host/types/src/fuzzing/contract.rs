//! The HTTP contract of the node's and the aggregator's APIs, checked on every answer: no
//! 5xx but a retryable 503, and every refusal is `{"error": "<non-empty>", "retryable":
//! bool}` JSON (see [`crate::http`]).

use axum::http::{HeaderMap, Method, StatusCode, header};
use proptest::prelude::*;
use proptest::test_runner::TestCaseError;
use serde_json::Value;

/// One HTTP answer, as either suite received it.
#[derive(Debug)]
pub struct Answer {
    pub status: StatusCode,
    pub content_type: String,
    pub body: Vec<u8>,
}

impl Answer {
    pub fn new(status: StatusCode, headers: &HeaderMap, body: Vec<u8>) -> Answer {
        let content_type = headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or_default();
        Answer { status, content_type: content_type.to_string(), body }
    }

    pub fn json(&self) -> Option<Value> {
        serde_json::from_slice(&self.body).ok()
    }

    /// The body's first 300 characters, for messages.
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).chars().take(300).collect()
    }
}

/// The full contract: no 5xx but a retryable 503; every error body is `{"error":
/// non-empty, "retryable": bool}` (HEAD answers carry no body). Returns the error
/// message, if the answer is an error.
pub fn check_contract(method: &Method, uri: &str, a: &Answer) -> Result<Option<String>, TestCaseError> {
    let status = a.status;
    if status.is_server_error() {
        let answer = a.text();
        prop_assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{} {} answered {}: {}", method, uri, status, answer);
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
/// unless the API rewrites them), which the suites' `any_refusal_is_json` and
/// `framework_refusals_are_json` check. Keeps the robustness property independent of
/// that format.
pub fn check_robust(method: &Method, uri: &str, a: &Answer) -> Result<Option<String>, TestCaseError> {
    if a.status.is_client_error() && !a.content_type.starts_with("application/json") {
        return Ok(None);
    }
    check_contract(method, uri, a)
}
