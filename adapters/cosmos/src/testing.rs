//! The testing interface: store and instantiate the reference CosmWasm contracts (their
//! committed builds), fire triggers, read what a handler stored, deploy more handlers and
//! change a manager's operators.

use crate::bindings::exports::wavs::adapter::adapter::{AdapterError, ConnectionBorrow, ContractEventFilter, Scheme};
use crate::bindings::exports::wavs::adapter::testing::{Guest, TestDeployment, TestOperator};
use crate::connection::{Connection, to_any};
use crate::digest::compressed;
use crate::tx::{self, event_attribute};
use crate::verify::require_scheme;
use base64::Engine;
use base64::engine::general_purpose::STANDARD as B64;
use cosmrs::Coin;
use cosmrs::bank::MsgSend;
use cosmrs::cosmwasm::{MsgInstantiateContract, MsgStoreCode};
use serde_json::{Value, json};

const MANAGER: &[u8] = include_bytes!("../../../contracts/cosmos/artifacts/wavs_cw_service_manager.wasm");
const HANDLER: &[u8] = include_bytes!("../../../contracts/cosmos/artifacts/wavs_cw_service_handler.wasm");
const TRIGGER: &[u8] = include_bytes!("../../../contracts/cosmos/artifacts/wavs_cw_trigger.wasm");

/// The event type the trigger contract emits (on chain: `wasm-wavs-trigger`).
pub const TRIGGER_EVENT: &str = "wavs-trigger";

fn missing(what: &str) -> AdapterError {
    AdapterError::Rejected(format!("the chain's answer lacks {what}"))
}

/// Stores `code` and returns its code id.
fn store(conn: &Connection, code: &[u8]) -> Result<u64, AdapterError> {
    let (_, sender) = tx::signer_account(&conn.settings.prefix)?;
    let msg = MsgStoreCode { sender, wasm_byte_code: code.to_vec(), instantiate_permission: None };
    let included = tx::send(&conn.comet, &conn.settings, vec![to_any(msg)?])?;
    event_attribute(&included.events, "store_code", "code_id")
        .and_then(|id| id.parse().ok())
        .ok_or_else(|| missing("a store_code event with a code_id"))
}

/// Instantiates `code_id` with `msg` and returns the contract address.
fn instantiate(conn: &Connection, code_id: u64, label: &str, msg: Value) -> Result<String, AdapterError> {
    let (_, sender) = tx::signer_account(&conn.settings.prefix)?;
    let msg = MsgInstantiateContract {
        sender: sender.clone(),
        admin: Some(sender),
        code_id,
        label: Some(label.to_string()),
        msg: msg.to_string().into_bytes(),
        funds: vec![],
    };
    let included = tx::send(&conn.comet, &conn.settings, vec![to_any(msg)?])?;
    event_attribute(&included.events, "instantiate", "_contract_address").ok_or_else(|| missing("an instantiate event"))
}

/// The testing interface of this adapter.
pub struct Testing;

impl Guest for Testing {
    fn deploy_service(conn: ConnectionBorrow<'_>, scheme: Scheme, operators: Vec<TestOperator>, threshold: u64) -> Result<TestDeployment, AdapterError> {
        require_scheme(scheme, "deploy-service")?;
        let conn: &Connection = conn.get();
        let operators = operators.iter().map(operator_json).collect::<Result<Vec<_>, _>>()?;
        let codes = code_ids(conn)?;
        let init = json!({ "operators": operators, "threshold": threshold.to_string() });
        let manager = instantiate(conn, codes[0], "wavs-service-manager", init)?;
        let handler = instantiate_handler(conn, codes[1], &manager)?;
        let trigger = instantiate(conn, codes[2], "wavs-trigger", json!({}))?;
        let trigger_filter = ContractEventFilter { contract: trigger.clone(), event: TRIGGER_EVENT.into() };
        Ok(TestDeployment { manager, handler, trigger, trigger_filter })
    }

    fn fire_trigger(conn: ConnectionBorrow<'_>, trigger: String, payload: Vec<u8>) -> Result<Vec<u8>, AdapterError> {
        let conn: &Connection = conn.get();
        Ok(conn.execute(&trigger, &json!({ "fire": { "payload": B64.encode(payload) } }))?.hash)
    }

    fn handled_payload(conn: ConnectionBorrow<'_>, handler: String, event_id: Vec<u8>) -> Result<Option<Vec<u8>>, AdapterError> {
        let conn: &Connection = conn.get();
        conn.contract(&handler)?;
        let query = json!({ "payload_of": { "event_id": hex::encode(event_id) } });
        let stored: Option<String> = crate::query::smart(&conn.comet, &handler, &query, None)?;
        stored
            .map(|b| B64.decode(b).map_err(|e| AdapterError::Rejected(format!("{handler}: payload is not base64: {e}"))))
            .transpose()
    }

    fn deploy_handler(conn: ConnectionBorrow<'_>, manager: String) -> Result<String, AdapterError> {
        let conn: &Connection = conn.get();
        let manager = conn.contract(&manager)?.to_string();
        let codes = code_ids(conn)?;
        instantiate_handler(conn, codes[1], &manager)
    }

    fn set_operator(conn: ConnectionBorrow<'_>, manager: String, operator: TestOperator) -> Result<(), AdapterError> {
        let conn: &Connection = conn.get();
        let operator = operator_json(&operator)?;
        // Only the owner (the signer account that deployed the manager) may; anyone else
        // gets the contract's `NotOwner`, as `rejected`.
        conn.execute(&manager, &json!({ "set_operator": operator }))?;
        Ok(())
    }

    fn fund(conn: ConnectionBorrow<'_>, public_key: Vec<u8>, amount: u64) -> Result<(), AdapterError> {
        let conn: &Connection = conn.get();
        let (_, from_address) = tx::signer_account(&conn.settings.prefix)?;
        let key = k256::ecdsa::VerifyingKey::from_sec1_bytes(&public_key)
            .map_err(|_| AdapterError::InvalidConfig(format!("fund: {} bytes are not a secp256k1 public key", public_key.len())))?;
        let to_address = cosmrs::crypto::PublicKey::from(key)
            .account_id(&conn.settings.prefix)
            .map_err(|e| AdapterError::InvalidConfig(format!("bech32 prefix {:?}: {e}", conn.settings.prefix)))?;
        let denom = conn.settings.fee_denom.parse().map_err(|e| AdapterError::InvalidConfig(format!("fee-denom: {e}")))?;
        let send = MsgSend { from_address, to_address, amount: vec![Coin { denom, amount: u128::from(amount) }] };
        tx::send(&conn.comet, &conn.settings, vec![to_any(send)?])?;
        Ok(())
    }
}

/// The reference contracts' code ids on this chain: stored once per connection.
fn code_ids(conn: &Connection) -> Result<[u64; 3], AdapterError> {
    conn.code_ids(|| Ok([store(conn, MANAGER)?, store(conn, HANDLER)?, store(conn, TRIGGER)?]))
}

/// A handler of code `code_id` bound to `manager`; returns its address.
fn instantiate_handler(conn: &Connection, code_id: u64, manager: &str) -> Result<String, AdapterError> {
    instantiate(conn, code_id, "wavs-service-handler", json!({ "service_manager": manager }))
}

/// An operator as the manager takes it: compressed key in hex and a Uint64 weight. A
/// secp256k1 key needs no proof of possession: its `proof` is not read.
fn operator_json(operator: &TestOperator) -> Result<Value, AdapterError> {
    let pubkey = compressed(&operator.public_key).map_err(AdapterError::InvalidConfig)?;
    Ok(json!({ "pubkey": hex::encode(pubkey), "weight": operator.weight.to_string() }))
}
