//! Transactions: built here, gas simulated, signed through the host signer (the key
//! never enters this adapter), broadcast and awaited.

use crate::bindings::exports::wavs::adapter::adapter::AdapterError;
use crate::bindings::wavs::adapter::signer;
use crate::comet::{Comet, hex_field, number};
use crate::config::Settings;
use crate::query;
use crate::verify::SCHEME;
use cosmrs::crypto::PublicKey;
use cosmrs::proto::cosmos::tx::v1beta1::TxRaw;
use cosmrs::proto::prost::Message;
use cosmrs::tx::{AuthInfo, Body, Fee, SignDoc, SignerInfo};
use cosmrs::{AccountId, Any, Coin, Denom};
use serde_json::Value;
use sha2::{Digest, Sha256};
use std::time::{Duration, Instant};

/// A tx included in a block.
pub struct Included {
    /// Its hash.
    pub hash: Vec<u8>,
    /// The block height.
    pub height: u64,
    /// Gas it used.
    pub gas_used: u64,
    /// Its events, as CometBFT reports them (`[{type, attributes: [{key, value}]}]`).
    pub events: Value,
}

/// The host signer's public key and the account address it gives on this chain.
pub fn signer_account(prefix: &str) -> Result<(PublicKey, AccountId), AdapterError> {
    let bytes = signer::public_key(SCHEME);
    let key = k256::ecdsa::VerifyingKey::from_sec1_bytes(&bytes)
        .map_err(|_| AdapterError::InvalidConfig("the host signer's public key is not secp256k1".into()))?;
    let public = PublicKey::from(key);
    let account = public.account_id(prefix).map_err(|e| AdapterError::InvalidConfig(format!("bech32 prefix {prefix:?}: {e}")))?;
    Ok((public, account))
}

/// What CometBFT and the SDK say when one tx cannot carry what it was given: CometBFT's
/// mempool (`Tx too large. Max size is N, but got M`, a JSON-RPC error of
/// `broadcast_tx_sync`; `tx size is too big: N, max: M` against the block's max bytes),
/// its RPC server (`http: request body too large`, past `max_body_bytes`, for the
/// broadcast or the simulation carrying the tx), and the SDK's ante handler in check-tx
/// (`tx gas limit N exceeds block max gas M: invalid gas limit`, code 41 since SDK 0.50;
/// `tx gas wanted N exceeds block max gas limit M: out of gas`, code 11 before; `tx too
/// large`, code 21).
const TOO_LARGE: [&str; 5] = ["tx too large", "tx size is too big", "exceeds max tx bytes", "request body too large", "exceeds block max gas"];

/// Whether a chain's error text says the tx is more than one tx can carry: a smaller
/// batch can land.
pub fn too_large(text: &str) -> bool {
    let text = text.to_ascii_lowercase();
    TOO_LARGE.iter().any(|p| text.contains(p))
}

/// What an SDK error code means for a retry. Codes are the SDK's registered errors.
pub fn classify_code(stage: &str, code: u32, log: &str) -> AdapterError {
    let message = format!("{stage}: code {code}: {log}");
    if too_large(log) {
        return AdapterError::TooLarge(message);
    }
    match code {
        // out of gas (simulation is redone on retry), mempool full, wrong sequence, tx already in mempool
        11 | 20 | 32 | 19 => AdapterError::Transient(message),
        // insufficient funds: the submitting account can be funded, so results wait
        5 => AdapterError::Transient(format!("{message} (fund the submitting account on this chain)")),
        // insufficient fee: the configured gas price is below the chain's minimum
        13 => AdapterError::InvalidConfig(format!("{message} (raise the chain's gas-price option)")),
        _ => AdapterError::Rejected(message),
    }
}

fn encode(msg: &impl Message) -> Vec<u8> {
    msg.encode_to_vec()
}

fn proto_error(what: &str, e: impl std::fmt::Display) -> AdapterError {
    AdapterError::Rejected(format!("cannot encode {what}: {e}"))
}

/// Builds body and auth info for `msgs` with `gas` and `fee`, signs through the host.
fn signed_tx(settings: &Settings, public: &PublicKey, account: &query::Account, msgs: &[Any], gas: u64, fee: u128, sign: bool) -> Result<Vec<u8>, AdapterError> {
    let body = Body::new(msgs.to_vec(), "", 0u32);
    let denom: Denom = settings.fee_denom.parse().map_err(|e| AdapterError::InvalidConfig(format!("fee-denom: {e}")))?;
    let fee = Fee::from_amount_and_gas(Coin { denom, amount: fee }, gas);
    let auth_info: AuthInfo = SignerInfo::single_direct(Some(*public), account.sequence).auth_info(fee);
    let chain_id = settings.chain_id.parse().map_err(|e| AdapterError::InvalidConfig(format!("chain-id: {e}")))?;
    let doc = SignDoc::new(&body, &auth_info, &chain_id, account.number).map_err(|e| proto_error("sign doc", e))?;
    let signature = if sign {
        let bytes = doc.clone().into_bytes().map_err(|e| proto_error("sign doc", e))?;
        let digest = Sha256::digest(&bytes);
        let mut sig = signer::sign_digest(SCHEME, &digest).map_err(|e| AdapterError::Rejected(format!("host signer: {e}")))?;
        sig.truncate(64); // Cosmos wants r || s, without the recovery id.
        sig
    } else {
        vec![0; 64] // simulation does not check signatures, only that one is present
    };
    Ok(encode(&TxRaw { body_bytes: doc.body_bytes, auth_info_bytes: doc.auth_info_bytes, signatures: vec![signature] }))
}

/// Simulates, signs and broadcasts `msgs` from the host signer's account, then waits
/// until the tx is in a block and succeeded.
pub fn send(comet: &Comet, settings: &Settings, msgs: Vec<Any>) -> Result<Included, AdapterError> {
    let (public, address) = signer_account(&settings.prefix)?;
    let account = query::account(comet, address.as_ref())?;
    let simulated = query::simulate(comet, signed_tx(settings, &public, &account, &msgs, 0, 0, false)?)?;
    let gas = (simulated as f64 * settings.gas_adjustment).ceil() as u64 + 10_000;
    let fee = (gas as f64 * settings.gas_price).ceil() as u128;
    let tx = signed_tx(settings, &public, &account, &msgs, gas, fee, true)?;
    let hash = Sha256::digest(&tx).to_vec();
    let verdict = comet.broadcast(&tx)?;
    let code = number(&verdict["code"], "broadcast_tx_sync", "code")? as u32;
    if code != 0 {
        return Err(classify_code("broadcast", code, verdict["log"].as_str().unwrap_or_default()));
    }
    wait(comet, &hash, settings.confirm_timeout_ms)
}

/// Polls for the tx by hash until it is in a block or the timeout passes.
fn wait(comet: &Comet, hash: &[u8], timeout_ms: u64) -> Result<Included, AdapterError> {
    let deadline = Instant::now() + Duration::from_millis(timeout_ms);
    loop {
        if let Some(found) = comet.tx(hash)? {
            let result = &found["tx_result"];
            let code = number(&result["code"], "tx", "code").unwrap_or(0) as u32;
            if code != 0 {
                return Err(classify_code("deliver", code, result["log"].as_str().unwrap_or_default()));
            }
            return Ok(Included {
                hash: hex_field(&found["hash"], "tx", "hash")?,
                height: number(&found["height"], "tx", "height")?,
                gas_used: number(&result["gas_used"], "tx", "gas_used")?,
                events: result["events"].clone(),
            });
        }
        if Instant::now() >= deadline {
            return Err(AdapterError::Transient(format!(
                "tx {} not included within {timeout_ms} ms",
                hex::encode_upper(hash)
            )));
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// The value of attribute `key` of the first event of type `kind` in a tx's events.
pub fn event_attribute(events: &Value, kind: &str, key: &str) -> Option<String> {
    events.as_array()?.iter().filter(|e| e["type"] == kind).find_map(|e| {
        e["attributes"].as_array()?.iter().find(|a| a["key"] == key).and_then(|a| a["value"].as_str()).map(str::to_string)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn sdk_codes_are_classified_for_retry() {
        assert!(matches!(classify_code("b", 32, "account sequence mismatch"), AdapterError::Transient(_)));
        assert!(matches!(classify_code("b", 11, "out of gas"), AdapterError::Transient(_)));
        assert!(matches!(classify_code("b", 13, "insufficient fee"), AdapterError::InvalidConfig(m) if m.contains("gas-price")));
        assert!(matches!(classify_code("b", 5, "insufficient funds"), AdapterError::Transient(m) if m.contains("fund the submitting account")));
        assert!(matches!(classify_code("b", 4, "unauthorized"), AdapterError::Rejected(_)));
    }

    #[test]
    fn a_tx_over_the_chains_limits_is_too_large() {
        // What wasmd's check-tx answers for a gas limit over the block's max gas (SDK
        // 0.50+, and before), and for a tx over the SDK's size limit.
        for (code, log) in [
            (41, "tx gas limit 120000000 exceeds block max gas 100000000: invalid gas limit"),
            (11, "tx gas wanted 120000000 exceeds block max gas limit 100000000: out of gas"),
            (21, "tx too large"),
        ] {
            assert!(matches!(classify_code("broadcast", code, log), AdapterError::TooLarge(m) if m.contains(log)), "{code} {log}");
        }
        // Out of gas for the tx's own limit stays a retry with a new simulation.
        assert!(matches!(classify_code("deliver", 11, "out of gas in location: wasm contract; gasWanted: 100, gasUsed: 120: out of gas"), AdapterError::Transient(_)));
        assert!(too_large("error on broadcastTxSync: Tx too large. Max size is 1048576, but got 1048577"));
        assert!(too_large("tx pre check: tx size is too big: 22020096, max: 22020096"));
        assert!(too_large("error reading request body: http: request body too large"));
        assert!(!too_large("insufficient fees; got: 1ustake required: 2ustake"));
    }

    #[test]
    fn attributes_are_found_by_event_type_and_key() {
        let events = json!([
            {"type": "message", "attributes": [{"key": "code_id", "value": "no"}]},
            {"type": "store_code", "attributes": [{"key": "checksum", "value": "ab"}, {"key": "code_id", "value": "7"}]}
        ]);
        assert_eq!(event_attribute(&events, "store_code", "code_id").as_deref(), Some("7"));
        assert_eq!(event_attribute(&events, "instantiate", "code_id"), None);
    }
}
