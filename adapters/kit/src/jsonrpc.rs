//! JSON-RPC 2.0 over a chain's RPC URLs, tried in order, with failures classified by
//! what they mean for a retry. Which RPC *errors* pass is chain knowledge: the adapter
//! decides that from [`RpcFailure::Error`].

use crate::http::post_json;
use serde_json::{Value, json};
use std::cell::Cell;
use std::fmt;

/// Why a call gave no result.
#[derive(Debug, Clone, PartialEq)]
pub enum RpcFailure {
    /// No endpoint answered, or one answered 429/5xx or with a malformed body: retrying
    /// may help.
    Unavailable(String),
    /// The URL itself is unusable (bad scheme, refused by the host's allow-list): the
    /// operator must fix the configuration.
    BadUrl(String),
    /// The node answered with a JSON-RPC error object.
    Error {
        /// The error code.
        code: i64,
        /// The error message.
        message: String,
        /// The error's `data`, or null.
        data: Value,
    },
}

impl fmt::Display for RpcFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RpcFailure::Unavailable(m) | RpcFailure::BadUrl(m) => f.write_str(m),
            RpcFailure::Error { code, message, data } if data.is_null() => write!(f, "rpc error {code}: {message}"),
            RpcFailure::Error { code, message, data } => write!(f, "rpc error {code}: {message} ({})", preview(&data.to_string())),
        }
    }
}

/// A JSON-RPC client over one chain's endpoints.
pub struct JsonRpc {
    urls: Vec<String>,
    timeout_ms: u64,
    next_id: Cell<u64>,
}

impl JsonRpc {
    /// A client for `urls`; each request is bounded by `timeout_ms`.
    pub fn new(urls: Vec<String>, timeout_ms: u64) -> Self {
        JsonRpc { urls, timeout_ms, next_id: Cell::new(1) }
    }

    /// Calls `method` with `params` and returns its `result`. Endpoints are tried in order
    /// while they are unreachable.
    pub fn call(&self, method: &str, params: Value) -> Result<Value, RpcFailure> {
        let id = self.next_id.get();
        self.next_id.set(id + 1);
        let body = json!({ "jsonrpc": "2.0", "id": id, "method": method, "params": params }).to_string();
        let mut last = String::from("no rpc url configured");
        for url in &self.urls {
            match post_json(url, body.as_bytes(), self.timeout_ms) {
                Ok((status, bytes)) => return parse_response(method, status, &bytes),
                Err(failure) if failure.transient => last = failure.message,
                Err(failure) => return Err(RpcFailure::BadUrl(failure.message)),
            }
        }
        Err(RpcFailure::Unavailable(format!("{method}: every rpc url failed; last: {last}")))
    }
}

/// The first 200 characters of `text`, for error messages.
pub fn preview(text: &str) -> String {
    text.chars().take(200).collect()
}

/// Turns an HTTP response into the JSON-RPC result or a classified failure.
pub fn parse_response(method: &str, status: u16, bytes: &[u8]) -> Result<Value, RpcFailure> {
    let text = String::from_utf8_lossy(bytes);
    if status == 429 || status >= 500 && serde_json::from_slice::<Value>(bytes).map_or(true, |v| v.get("error").is_none()) {
        return Err(RpcFailure::Unavailable(format!("{method}: http {status}: {}", preview(&text))));
    }
    let value: Value = serde_json::from_slice(bytes).map_err(|e| {
        RpcFailure::Unavailable(format!("{method}: malformed response (http {status}): {e}: {}", preview(&text)))
    })?;
    if let Some(error) = value.get("error") {
        return Err(RpcFailure::Error {
            code: error.get("code").and_then(Value::as_i64).unwrap_or(0),
            message: error.get("message").and_then(Value::as_str).unwrap_or("unknown error").to_string(),
            data: error.get("data").cloned().unwrap_or(Value::Null),
        });
    }
    match value.get("result") {
        Some(result) => Ok(result.clone()),
        None => Err(RpcFailure::Unavailable(format!("{method}: response has neither result nor error: {}", preview(&text)))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn responses_become_results_or_classified_failures() {
        assert_eq!(parse_response("m", 200, br#"{"jsonrpc":"2.0","id":1,"result":"0x1"}"#).unwrap(), json!("0x1"));
        let err = parse_response("m", 200, br#"{"id":1,"error":{"code":3,"message":"execution reverted","data":"0x01"}}"#);
        assert_eq!(err, Err(RpcFailure::Error { code: 3, message: "execution reverted".into(), data: json!("0x01") }));
        // CometBFT answers errors with http 500 and a JSON-RPC body: that is an answer, not an outage.
        let err = parse_response("m", 500, br#"{"id":1,"error":{"code":-32603,"message":"Internal error","data":"height 9 must be less than or equal to the current blockchain height 5"}}"#);
        assert!(matches!(err, Err(RpcFailure::Error { code: -32603, .. })), "{err:?}");
        assert!(matches!(parse_response("m", 502, b"bad gateway"), Err(RpcFailure::Unavailable(m)) if m.contains("http 502")));
        assert!(matches!(parse_response("m", 200, b"{not json"), Err(RpcFailure::Unavailable(m)) if m.contains("malformed")));
        assert!(matches!(parse_response("m", 200, b"{}"), Err(RpcFailure::Unavailable(m)) if m.contains("neither")));
    }
}
