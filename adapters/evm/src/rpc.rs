//! JSON-RPC 2.0 over the configured endpoints, with errors classified for the host.

use crate::bindings::exports::wavs::adapter::adapter::AdapterError;
use crate::revert::decode_revert;
use serde::de::DeserializeOwned;
use serde_json::Value;
use wavs_adapter_kit::jsonrpc::{JsonRpc, RpcFailure, preview};

/// A JSON-RPC client over one chain's endpoints, tried in order.
pub struct Rpc {
    inner: JsonRpc,
}

impl Rpc {
    /// A client for `urls`; each request is bounded by `timeout_ms`.
    pub fn new(urls: Vec<String>, timeout_ms: u64) -> Self {
        Rpc { inner: JsonRpc::new(urls, timeout_ms) }
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
        self.inner.call(method, params).map_err(|failure| match failure {
            RpcFailure::Unavailable(m) => AdapterError::Transient(m),
            RpcFailure::BadUrl(m) => AdapterError::InvalidConfig(m),
            RpcFailure::Error { message, data, .. } => classify_rpc_error(method, &message, &data),
        })
    }
}

/// What nodes say when a transaction is more than one block (or their pool) carries:
/// geth and its forks (`exceeds block gas limit`, `oversized data`, `transaction gas limit
/// too high`), and an estimate that runs out of gas at the block's limit (`gas required
/// exceeds allowance`, geth and anvil).
const TOO_LARGE: [&str; 5] = [
    "exceeds block gas limit",
    "oversized data",
    "transaction too large",
    "transaction gas limit too high",
    "gas required exceeds allowance",
];

/// Reverts are final; a transaction too big for a block is `too-large` (a smaller batch
/// may land); nonce races and rate limits pass.
pub fn classify_rpc_error(method: &str, message: &str, data: &Value) -> AdapterError {
    let data = data.as_str().or_else(|| data.get("data").and_then(Value::as_str));
    let lower = message.to_ascii_lowercase();
    if let Some(reason) = data.and_then(decode_revert) {
        return AdapterError::Rejected(format!("{method}: reverted: {reason}"));
    }
    if lower.contains("revert") {
        return AdapterError::Rejected(format!("{method}: {message}"));
    }
    if TOO_LARGE.iter().any(|p| lower.contains(p)) {
        return AdapterError::TooLarge(format!("{method}: {message}"));
    }
    let passing = ["nonce too low", "already known", "replacement transaction underpriced", "rate limit", "timeout", "header not found"];
    if passing.iter().any(|p| lower.contains(p)) {
        return AdapterError::Transient(format!("{method}: {message}"));
    }
    // The submitting account can be funded: until then results wait, they do not fail.
    if lower.contains("insufficient funds") {
        return AdapterError::Transient(format!("{method}: {message} (fund the submitting account on this chain)"));
    }
    AdapterError::Rejected(format!("{method}: {message}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn what_may_pass_is_transient_and_reverts_are_final() {
        let null = Value::Null;
        let unfunded = classify_rpc_error("eth_sendRawTransaction", "insufficient funds for gas * price + value", &null);
        assert!(matches!(&unfunded, AdapterError::Transient(m) if m.contains("fund the submitting account")), "{unfunded:?}");
        assert!(matches!(classify_rpc_error("eth_sendRawTransaction", "nonce too low", &null), AdapterError::Transient(_)));
        assert!(matches!(classify_rpc_error("eth_call", "execution reverted", &null), AdapterError::Rejected(_)));
    }

    #[test]
    fn a_transaction_too_big_for_a_block_is_too_large() {
        let null = Value::Null;
        for message in [
            "exceeds block gas limit",
            "oversized data: transaction size 131200, limit 131072",
            "Transaction too large",
            "gas required exceeds allowance (30000000)",
            "Out of gas: gas required exceeds allowance: 30000000",
        ] {
            let class = classify_rpc_error("eth_sendRawTransaction", message, &null);
            assert!(matches!(&class, AdapterError::TooLarge(m) if m.contains(message)), "{message}: {class:?}");
        }
        // A revert stays a revert, whatever else the message says.
        let revert = classify_rpc_error("eth_estimateGas", "execution reverted: transaction too large", &null);
        assert!(matches!(revert, AdapterError::Rejected(_)), "{revert:?}");
    }
}
