//! CometBFT JSON-RPC: the node endpoint every Cosmos chain exposes. Failures are
//! classified here, with what CometBFT and the SDK mean by them.

use crate::bindings::exports::wavs::adapter::adapter::AdapterError;
use base64::Engine;
use base64::engine::general_purpose::STANDARD as B64;
use serde_json::{Value, json};
use wavs_adapter_kit::jsonrpc::{JsonRpc, RpcFailure, preview};

/// A CometBFT RPC client over the configured endpoints.
pub struct Comet {
    rpc: JsonRpc,
}

/// The answer of an ABCI query.
pub struct AbciAnswer {
    /// 0 on success; otherwise the module's error code.
    pub code: u32,
    /// The module's error text.
    pub log: String,
    /// The answer's bytes.
    pub value: Vec<u8>,
}

impl Comet {
    /// A client for `urls`, each request bounded by `timeout_ms`.
    pub fn new(urls: Vec<String>, timeout_ms: u64) -> Self {
        Comet { rpc: JsonRpc::new(urls, timeout_ms) }
    }

    /// Calls `method`; a JSON-RPC error becomes an adapter error.
    pub fn call(&self, method: &str, params: Value) -> Result<Value, AdapterError> {
        self.rpc.call(method, params).map_err(|failure| classify(method, failure))
    }

    /// `status`: the node's view of the chain.
    pub fn status(&self) -> Result<Value, AdapterError> {
        self.call("status", json!({}))
    }

    /// `block` at `height` (latest when none); `None` if the chain has not reached it.
    pub fn block(&self, height: Option<u64>) -> Result<Option<Value>, AdapterError> {
        let params = match height {
            Some(h) => json!({ "height": h.to_string() }),
            None => json!({}),
        };
        match self.call("block", params) {
            Ok(v) => Ok(Some(v)),
            Err(AdapterError::Transient(m)) if m.contains("must be less than or equal") => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// `block_results` at `height`: every tx's result and events.
    pub fn block_results(&self, height: u64) -> Result<Value, AdapterError> {
        self.call("block_results", json!({ "height": height.to_string() }))
    }

    /// An ABCI query of gRPC method `path` with a protobuf request, at `height` or latest.
    pub fn abci_query(&self, path: &str, request: Vec<u8>, height: Option<u64>) -> Result<AbciAnswer, AdapterError> {
        let params = json!({
            "path": path,
            "data": hex::encode(request),
            "height": height.unwrap_or(0).to_string(),
            "prove": false,
        });
        let result = self.call("abci_query", params)?;
        let response = &result["response"];
        let code = response["code"].as_u64().unwrap_or(0) as u32;
        let log = response["log"].as_str().unwrap_or_default().to_string();
        let value = match response["value"].as_str() {
            Some(text) => B64.decode(text).map_err(|e| malformed("abci_query", &format!("value: {e}")))?,
            None => Vec::new(),
        };
        Ok(AbciAnswer { code, log, value })
    }

    /// `broadcast_tx_sync`: the mempool's verdict on a signed tx.
    pub fn broadcast(&self, tx: &[u8]) -> Result<Value, AdapterError> {
        self.call("broadcast_tx_sync", json!({ "tx": B64.encode(tx) }))
    }

    /// `tx` by hash; `None` while it is not in a block.
    pub fn tx(&self, hash: &[u8]) -> Result<Option<Value>, AdapterError> {
        match self.call("tx", json!({ "hash": B64.encode(hash), "prove": false })) {
            Ok(v) => Ok(Some(v)),
            Err(AdapterError::Rejected(m)) if m.contains("not found") => Ok(None),
            Err(e) => Err(e),
        }
    }
}

/// What a failed call of `method` means for a retry.
fn classify(method: &str, failure: RpcFailure) -> AdapterError {
    match failure {
        RpcFailure::Unavailable(m) => AdapterError::Transient(m),
        RpcFailure::BadUrl(m) => AdapterError::InvalidConfig(m),
        RpcFailure::Error { message, data, .. } => {
            let detail = data.as_str().map(str::to_string).unwrap_or_else(|| data.to_string());
            let text = format!("{method}: {message}: {}", preview(&detail));
            // Heights beyond the head, and anything the node is still catching up on, pass.
            let passing = ["must be less than or equal to the current blockchain height", "could not find results", "timed out"];
            if passing.iter().any(|p| detail.contains(p)) {
                AdapterError::Transient(text)
            } else if crate::tx::too_large(&detail) {
                // The mempool's or the RPC server's size limit: a smaller batch passes.
                AdapterError::TooLarge(text)
            } else {
                AdapterError::Rejected(text)
            }
        }
    }
}

/// A reply whose shape is not what CometBFT documents: the node or a proxy is broken,
/// which may pass.
pub fn malformed(method: &str, what: &str) -> AdapterError {
    AdapterError::Transient(format!("{method}: malformed answer: {what}"))
}

/// A decimal-string (or number) field such as CometBFT's heights.
pub fn number(value: &Value, method: &str, name: &str) -> Result<u64, AdapterError> {
    match value {
        Value::String(s) => s.parse().map_err(|_| malformed(method, &format!("{name} {s:?} is not a number"))),
        Value::Number(n) => n.as_u64().ok_or_else(|| malformed(method, &format!("{name} {n} is not a whole number"))),
        other => Err(malformed(method, &format!("{name} missing or not a number: {}", preview(&other.to_string())))),
    }
}

/// An upper- or lower-case hex field such as a block hash.
pub fn hex_field(value: &Value, method: &str, name: &str) -> Result<Vec<u8>, AdapterError> {
    value
        .as_str()
        .and_then(|s| hex::decode(s).ok())
        .ok_or_else(|| malformed(method, &format!("{name} is not hex: {}", preview(&value.to_string()))))
}

/// Milliseconds since the Unix epoch of an RFC 3339 time such as
/// `2026-11-25T15:14:21.123456789Z` (CometBFT's block time).
pub fn unix_ms(text: &str) -> Option<u64> {
    let time = cosmrs::tendermint::Time::parse_from_rfc3339(text).ok()?;
    u64::try_from(time.unix_timestamp_nanos() / 1_000_000).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc3339_times_become_unix_millis() {
        assert_eq!(unix_ms("1970-01-01T00:00:00Z"), Some(0));
        assert_eq!(unix_ms("2026-11-25T15:14:21.123456789Z"), Some(1_795_619_661_123));
        assert_eq!(unix_ms("2000-03-01T00:00:01.5Z"), Some(951_868_801_500));
        assert_eq!(unix_ms("garbage"), None);
    }

    #[test]
    fn heights_and_hashes_parse_or_say_what_is_wrong() {
        assert_eq!(number(&json!("42"), "block", "height").unwrap(), 42);
        assert_eq!(number(&json!(7), "block", "height").unwrap(), 7);
        assert!(matches!(number(&json!("x"), "block", "height"), Err(AdapterError::Transient(m)) if m.contains("height")));
        assert_eq!(hex_field(&json!("ABCD"), "block", "hash").unwrap(), vec![0xab, 0xcd]);
        assert!(hex_field(&json!(null), "block", "hash").is_err());
    }

    #[test]
    fn rpc_errors_of_an_oversized_tx_are_too_large() {
        let error = |data: &str| RpcFailure::Error { code: -32603, message: "Internal error".into(), data: json!(data) };
        let mempool = classify("broadcast_tx_sync", error("Tx too large. Max size is 1048576, but got 1048577"));
        assert!(matches!(mempool, AdapterError::TooLarge(m) if m.contains("Max size is 1048576")));
        let body = RpcFailure::Error { code: -32600, message: "Invalid Request".into(), data: json!("error reading request body: http: request body too large") };
        assert!(matches!(classify("abci_query", body), AdapterError::TooLarge(_)));
        assert!(matches!(classify("broadcast_tx_sync", error("tx already exists in cache")), AdapterError::Rejected(_)));
        assert!(matches!(classify("block", error("height 9 must be less than or equal to the current blockchain height 8")), AdapterError::Transient(_)));
    }
}
