//! Sending a transaction: nonce, gas and fees from the node, the signing hash signed by
//! the host signer (the key never enters this adapter), raw submission, and waiting for
//! the receipt.

use crate::bindings::exports::wavs::adapter::adapter::AdapterError;
use crate::bindings::wavs::adapter::curves::Scheme;
use crate::bindings::wavs::adapter::signer;
use crate::crypto::{address_of, address_text};
use crate::json::{data, field, quantity, quantity128};
use crate::rpc::Rpc;
use alloy_consensus::{SignableTransaction, TxEip1559, TxEnvelope, TxLegacy};
use alloy_eips::eip2718::Encodable2718;
use alloy_primitives::{Address, Bytes, Signature, TxKind, U256};
use serde_json::{Value, json};

/// What a mined transaction left behind.
pub struct Mined {
    pub tx_hash: Vec<u8>,
    pub height: u64,
    pub gas_used: u64,
    pub contract_address: Option<String>,
}

/// How transactions are priced and awaited.
pub struct TxSettings {
    pub chain_id: u64,
    /// Percent added to the node's gas estimate.
    pub gas_margin_percent: u64,
    /// How long to wait for inclusion.
    pub confirm_timeout_ms: u64,
}

/// The address the host signer pays from: its secp256k1 key, whatever scheme operators
/// sign envelopes with.
pub fn sender() -> Result<Address, AdapterError> {
    address_of(&signer::public_key(Scheme::Secp256k1Ecdsa)).map_err(|m| AdapterError::InvalidConfig(format!("host signer: {m}")))
}

/// `rejected`, naming the account, when the signer's account holds nothing to pay fees
/// with: a transaction from it would fail with a less helpful "insufficient funds".
pub fn require_funds(rpc: &Rpc) -> Result<(), AdapterError> {
    let from = address_text(&sender()?);
    let balance = rpc.call_value("eth_getBalance", json!([from, "latest"]))?;
    if balance.as_str().is_some_and(|b| b.trim_start_matches("0x").trim_start_matches('0').is_empty()) {
        return Err(AdapterError::Rejected(format!(
            "account {from} has no funds to pay the transaction fee: send it some of the chain's native token, then retry"
        )));
    }
    Ok(())
}

fn bad(method: &str, m: String) -> AdapterError {
    AdapterError::Transient(format!("{method}: {m}"))
}

/// Builds, signs, sends `input` to `to` (a call, or a deployment) and waits until mined.
pub fn send(rpc: &Rpc, settings: &TxSettings, to: TxKind, input: Vec<u8>) -> Result<Mined, AdapterError> {
    send_value(rpc, settings, to, input, U256::ZERO)
}

/// As `send`, transferring `value` wei along.
pub fn send_value(rpc: &Rpc, settings: &TxSettings, to: TxKind, input: Vec<u8>, value: U256) -> Result<Mined, AdapterError> {
    let from = sender()?;
    let call = json!({
        "from": address_text(&from),
        "to": match to { TxKind::Call(a) => Value::String(address_text(&a)), TxKind::Create => Value::Null },
        "data": format!("0x{}", hex::encode(&input)),
        "value": format!("0x{value:x}"),
    });
    let nonce = quantity(&rpc.call_value("eth_getTransactionCount", json!([address_text(&from), "pending"]))?, "nonce")
        .map_err(|m| bad("eth_getTransactionCount", m))?;
    let estimate = quantity(&rpc.call_value("eth_estimateGas", json!([call]))?, "gas").map_err(|m| bad("eth_estimateGas", m))?;
    let latest = rpc.call_value("eth_getBlockByNumber", json!(["latest", false]))?;
    let block_limit = latest.get("gasLimit").and_then(|v| quantity(v, "gasLimit").ok());
    let gas_limit = gas_limit(estimate, settings.gas_margin_percent, block_limit)?;
    let base_fee = latest.get("baseFeePerGas").filter(|v| !v.is_null());
    let input = Bytes::from(input);
    let raw = match base_fee {
        Some(base) => {
            let base = quantity128(base, "baseFeePerGas").map_err(|m| bad("eth_getBlockByNumber", m))?;
            let tip = rpc
                .call_value("eth_maxPriorityFeePerGas", json!([]))
                .ok()
                .and_then(|v| quantity128(&v, "tip").ok())
                .unwrap_or(1_000_000_000);
            let tx = TxEip1559 {
                chain_id: settings.chain_id,
                nonce,
                gas_limit,
                max_fee_per_gas: base * 2 + tip,
                max_priority_fee_per_gas: tip,
                to,
                value,
                access_list: Default::default(),
                input,
            };
            let signature = sign(tx.signature_hash().as_slice())?;
            TxEnvelope::Eip1559(tx.into_signed(signature)).encoded_2718()
        }
        None => {
            let gas_price = quantity128(&rpc.call_value("eth_gasPrice", json!([]))?, "gasPrice").map_err(|m| bad("eth_gasPrice", m))?;
            let tx = TxLegacy { chain_id: Some(settings.chain_id), nonce, gas_price, gas_limit, to, value, input };
            let signature = sign(tx.signature_hash().as_slice())?;
            TxEnvelope::Legacy(tx.into_signed(signature)).encoded_2718()
        }
    };
    let hash: String = rpc.call("eth_sendRawTransaction", json!([format!("0x{}", hex::encode(raw))]))?;
    let receipt = wait_receipt(rpc, &hash, settings.confirm_timeout_ms)?;
    let status = quantity(field(&receipt, "status").map_err(|m| bad("receipt", m))?, "status").map_err(|m| bad("receipt", m))?;
    let height = quantity(field(&receipt, "blockNumber").map_err(|m| bad("receipt", m))?, "blockNumber").map_err(|m| bad("receipt", m))?;
    if status != 1 {
        // Replay the call at that block to learn why it reverted.
        let why = match rpc.call_value("eth_call", json!([call, format!("0x{height:x}")])) {
            Err(AdapterError::Rejected(m)) => m,
            _ => "no revert reason".to_string(),
        };
        return Err(AdapterError::Rejected(format!("transaction {hash} reverted in block {height}: {why}")));
    }
    Ok(Mined {
        tx_hash: data(&Value::String(hash.clone()), "hash").map_err(|m| bad("eth_sendRawTransaction", m))?,
        height,
        gas_used: receipt.get("gasUsed").and_then(|v| quantity(v, "gasUsed").ok()).unwrap_or(0),
        contract_address: receipt.get("contractAddress").and_then(Value::as_str).map(str::to_ascii_lowercase),
    })
}

/// The estimate plus the margin (and 10 000 for the estimate's own slack), capped at the
/// block's gas limit: a transaction over it is never included, so an estimate above it is
/// `too-large` (a smaller batch may fit).
fn gas_limit(estimate: u64, margin_percent: u64, block_limit: Option<u64>) -> Result<u64, AdapterError> {
    let wanted = estimate.saturating_add(estimate.saturating_mul(margin_percent) / 100).saturating_add(10_000);
    match block_limit {
        Some(limit) if estimate > limit => {
            Err(AdapterError::TooLarge(format!("eth_estimateGas: the transaction needs {estimate} gas, more than the block gas limit {limit}")))
        }
        Some(limit) => Ok(wanted.min(limit)),
        None => Ok(wanted),
    }
}

fn sign(hash: &[u8]) -> Result<Signature, AdapterError> {
    let raw = signer::sign_digest(Scheme::Secp256k1Ecdsa, hash).map_err(|m| AdapterError::Rejected(format!("host signer refused: {m}")))?;
    if raw.len() != 65 || raw[64] > 1 {
        return Err(AdapterError::Rejected("host signer returned a malformed signature".into()));
    }
    Ok(Signature::new(U256::from_be_slice(&raw[..32]), U256::from_be_slice(&raw[32..64]), raw[64] == 1))
}

/// Polls for the receipt of `hash` until it exists or `timeout_ms` passes.
fn wait_receipt(rpc: &Rpc, hash: &str, timeout_ms: u64) -> Result<Value, AdapterError> {
    let mut waited = 0;
    let mut delay = 20;
    loop {
        let receipt = rpc.call_value("eth_getTransactionReceipt", json!([hash]))?;
        if !receipt.is_null() {
            return Ok(receipt);
        }
        if waited >= timeout_ms {
            return Err(AdapterError::Transient(format!("transaction {hash} not mined within {timeout_ms} ms")));
        }
        sleep_ms(delay);
        waited += delay;
        delay = (delay * 2).min(500);
    }
}

/// Sleeps without burning fuel.
pub fn sleep_ms(ms: u64) {
    wasi::clocks::monotonic_clock::subscribe_duration(ms * 1_000_000).block();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_gas_limit_has_its_margin_within_the_block_and_over_it_is_too_large() {
        assert_eq!(gas_limit(100_000, 20, None).unwrap(), 130_000);
        assert_eq!(gas_limit(100_000, 20, Some(30_000_000)).unwrap(), 130_000);
        assert_eq!(gas_limit(29_000_000, 20, Some(30_000_000)).unwrap(), 30_000_000);
        let over = gas_limit(30_000_001, 20, Some(30_000_000));
        assert!(matches!(&over, Err(AdapterError::TooLarge(m)) if m.contains("30000000")), "{over:?}");
    }
}
