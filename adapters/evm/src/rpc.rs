//! JSON-RPC 2.0 over the configured endpoints, with errors classified for the host.

use crate::bindings::exports::wavs::adapter::adapter::AdapterError;
use crate::http::post_json;
use crate::revert::decode_revert;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};
use std::cell::Cell;

/// A JSON-RPC client over one chain's endpoints, tried in order.
pub struct Rpc {
    urls: Vec<String>,
    timeout_ms: u64,
    next_id: Cell<u64>,
}

impl Rpc {
    /// A client for `urls`; each request is bounded by `timeout_ms`.
    pub fn new(urls: Vec<String>, timeout_ms: u64) -> Self {
        Rpc { urls, timeout_ms, next_id: Cell::new(1) }
    }

    /// Calls `method` and decodes its result.
    pub fn call<T: DeserializeOwned>(&self, method: &str, params: Value) -> Result<T, AdapterError> {
        let value = self.call_value(method, params)?;
        serde_json::from_value(value.clone()).map_err(|e| {
            AdapterError::Transient(format!("{method}: unexpected result {}: {e}", preview(&value.to_string())))
        })
    }

    /// Calls `method` and returns the raw `result`.
    pub fn call_value(&self, method: &str, params: Value) -> Result<Value, AdapterError> {
        let id = self.next_id.get();
        self.next_id.set(id + 1);
        let body = json!({ "jsonrpc": "2.0", "id": id, "method": method, "params": params }).to_string();
        let mut last = String::from("no rpc url configured");
        for url in &self.urls {
            match post_json(url, body.as_bytes(), self.timeout_ms) {
                Ok((status, bytes)) => return parse_response(method, status, &bytes),
                Err(failure) if failure.transient => last = failure.message,
                Err(failure) => return Err(AdapterError::InvalidConfig(failure.message)),
            }
        }
        Err(AdapterError::Transient(format!("{method}: every rpc url failed; last: {last}")))
    }
}

fn preview(text: &str) -> String {
    text.chars().take(200).collect()
}

/// Turns an HTTP response into the JSON-RPC result or a classified error.
pub fn parse_response(method: &str, status: u16, bytes: &[u8]) -> Result<Value, AdapterError> {
    let text = String::from_utf8_lossy(bytes);
    if status == 429 || status >= 500 {
        return Err(AdapterError::Transient(format!("{method}: http {status}: {}", preview(&text))));
    }
    let value: Value = serde_json::from_slice(bytes).map_err(|e| {
        AdapterError::Transient(format!("{method}: malformed response (http {status}): {e}: {}", preview(&text)))
    })?;
    if let Some(error) = value.get("error") {
        return Err(classify_rpc_error(method, error));
    }
    match value.get("result") {
        Some(result) => Ok(result.clone()),
        None => Err(AdapterError::Transient(format!("{method}: response has neither result nor error: {}", preview(&text)))),
    }
}

/// Reverts are final; nonce races and rate limits pass.
pub fn classify_rpc_error(method: &str, error: &Value) -> AdapterError {
    let message = error.get("message").and_then(Value::as_str).unwrap_or("unknown error");
    let data = error.get("data").and_then(|d| d.as_str().or_else(|| d.get("data").and_then(Value::as_str)));
    let lower = message.to_ascii_lowercase();
    if let Some(reason) = data.and_then(decode_revert) {
        return AdapterError::Rejected(format!("{method}: reverted: {reason}"));
    }
    if lower.contains("revert") {
        return AdapterError::Rejected(format!("{method}: {message}"));
    }
    let passing = ["nonce too low", "already known", "replacement transaction underpriced", "rate limit", "timeout", "header not found"];
    if passing.iter().any(|p| lower.contains(p)) {
        return AdapterError::Transient(format!("{method}: {message}"));
    }
    AdapterError::Rejected(format!("{method}: {message}"))
}
