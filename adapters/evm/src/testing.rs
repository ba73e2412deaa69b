//! The testing interface: deploy the reference contracts from the committed artifacts,
//! fire triggers, read what a handler stored, change an operator set.
//!
//! `deploy-service` serves secp256k1-ecdsa (the ECDSA manager registers operators by the
//! address of their key; a `test-operator`'s `proof` is not read) and bn254-bls (the BLS
//! manager, `testing_bls.rs`, needs each key's proof of possession, or weighs an
//! operator account given by its secp256k1 key); `unsupported` for other schemes. A handler is deployed for its manager's scheme.

use crate::abi::{IWavsServiceHandler, IWavsServiceManager, IWavsTrigger, TRIGGER_EVENT};
use crate::bindings::exports::wavs::adapter::adapter::{AdapterError, ConnectionBorrow, ContractEventFilter, Scheme};
use crate::bindings::exports::wavs::adapter::testing::{Guest, TestDeployment, TestOperator};
use crate::connection::Connection;
use crate::crypto::{address_of, parse_address};
use crate::testing_bls;
use crate::tx;
use alloy_primitives::{Address, FixedBytes, TxKind, U256};
use alloy_sol_types::{SolCall, SolEvent, SolValue};
use serde_json::{Value, json};

const MANAGER: &str = include_str!("../../../contracts/evm/artifacts/WavsServiceManager.json");
const HANDLER: &str = include_str!("../../../contracts/evm/artifacts/WavsServiceHandler.json");
const TRIGGER: &str = include_str!("../../../contracts/evm/artifacts/WavsTrigger.json");

fn bytecode(artifact: &str) -> Result<Vec<u8>, AdapterError> {
    let json: serde_json::Value =
        serde_json::from_str(artifact).map_err(|e| AdapterError::Unsupported(format!("bad artifact: {e}")))?;
    let code = json["bytecode"].as_str().unwrap_or_default().trim_start_matches("0x");
    hex::decode(code).map_err(|e| AdapterError::Unsupported(format!("bad artifact bytecode: {e}")))
}

fn deploy(conn: &Connection, artifact: &str, args: Vec<u8>) -> Result<String, AdapterError> {
    let mut code = bytecode(artifact)?;
    code.extend(args);
    let mined = tx::send(&conn.rpc, &conn.settings, TxKind::Create, code)?;
    mined.contract_address.ok_or_else(|| AdapterError::Rejected("deployment receipt has no contract address".into()))
}

/// Deploys a handler bound to the service manager at `manager`, the BLS handler for a
/// BLS manager.
fn deploy_handler(conn: &Connection, manager: &str) -> Result<String, AdapterError> {
    let address = parse_address(manager).map_err(|m| AdapterError::InvalidConfig(format!("manager: {m}")))?;
    let artifact = if conn.manager_scheme(manager)? == Scheme::Bn254Bls { testing_bls::HANDLER } else { HANDLER };
    deploy(conn, artifact, address.abi_encode())
}

/// Deploys the ECDSA service manager for `operators`.
fn deploy_ecdsa_manager(conn: &Connection, operators: &[TestOperator], threshold: u64) -> Result<String, AdapterError> {
    let addresses: Vec<Address> = operators
        .iter()
        .map(|o| address_of(&o.public_key))
        .collect::<Result<_, _>>()
        .map_err(AdapterError::InvalidConfig)?;
    let weights: Vec<U256> = operators.iter().map(|o| U256::from(o.weight)).collect();
    deploy(conn, MANAGER, (addresses, weights, U256::from(threshold)).abi_encode_params())
}

/// The testing interface of this adapter.
pub struct Testing;

impl Guest for Testing {
    fn deploy_service(conn: ConnectionBorrow<'_>, scheme: Scheme, operators: Vec<TestOperator>, threshold: u64) -> Result<TestDeployment, AdapterError> {
        let conn: &Connection = conn.get();
        let manager = match scheme {
            Scheme::Secp256k1Ecdsa => deploy_ecdsa_manager(conn, &operators, threshold)?,
            Scheme::Bn254Bls => {
                let manager = deploy(conn, testing_bls::MANAGER, testing_bls::manager_args(&operators, threshold)?)?;
                let to = parse_address(&manager).map_err(AdapterError::Rejected)?;
                for input in testing_bls::weigh_accounts(&operators) {
                    tx::send(&conn.rpc, &conn.settings, TxKind::Call(to), input)?;
                }
                manager
            }
            other => {
                return Err(AdapterError::Unsupported(format!(
                    "deploy-service: the EVM reference contracts serve secp256k1-ecdsa and bn254-bls, not {}",
                    crate::scheme::name(other)
                )));
            }
        };
        let handler = deploy_handler(conn, &manager)?;
        let trigger = deploy(conn, TRIGGER, vec![])?;
        let trigger_filter = ContractEventFilter { contract: trigger.clone(), event: TRIGGER_EVENT.into() };
        Ok(TestDeployment { manager, handler, trigger, trigger_filter })
    }

    fn fire_trigger(conn: ConnectionBorrow<'_>, trigger: String, payload: Vec<u8>) -> Result<Vec<u8>, AdapterError> {
        let conn: &Connection = conn.get();
        let to = parse_address(&trigger).map_err(AdapterError::InvalidConfig)?;
        let input = IWavsTrigger::fireCall { payload: payload.into() }.abi_encode();
        Ok(tx::send(&conn.rpc, &conn.settings, TxKind::Call(to), input)?.tx_hash)
    }

    fn handled_payload(conn: ConnectionBorrow<'_>, handler: String, event_id: Vec<u8>) -> Result<Option<Vec<u8>>, AdapterError> {
        let conn: &Connection = conn.get();
        if event_id.len() != 20 {
            return Err(AdapterError::Rejected(format!("event-id must be 20 bytes, got {}", event_id.len())));
        }
        let id = FixedBytes::<20>::from_slice(&event_id);
        // One cheap read while nothing has landed; a scan of the logs only after.
        if !conn.call(&handler, IWavsServiceHandler::isHandledCall { eventId: id }, json!("latest"))? {
            return Ok(None);
        }
        // The payload as the handler's `EnvelopeHandled` log carries it, not `payloadOf`:
        // anvil, mining the block that handled an envelope, answered `isHandled` true and
        // `payloadOf` empty for one block number (read again at once, it held the
        // payload). A log is only served once its block is sealed; until then, not yet.
        let mut id_topic = [0u8; 32];
        id_topic[..20].copy_from_slice(&event_id);
        let topics = [IWavsServiceHandler::EnvelopeHandled::SIGNATURE_HASH.to_string(), FixedBytes::<32>::from(id_topic).to_string()];
        let filter = json!({ "address": handler, "fromBlock": "0x0", "toBlock": "latest", "topics": topics });
        let logs: Vec<Value> = conn.rpc.call("eth_getLogs", json!([filter]))?;
        // One per event id: the handler skips (and logs `EnvelopeSkipped` for) any later one.
        let Some(log) = logs.first() else { return Ok(None) };
        let decoded = handled_log(log).map_err(|m| AdapterError::Transient(format!("eth_getLogs: EnvelopeHandled: {m}")))?;
        Ok(Some(decoded.payload.to_vec()))
    }

    fn deploy_handler(conn: ConnectionBorrow<'_>, manager: String) -> Result<String, AdapterError> {
        deploy_handler(conn.get(), &manager)
    }

    fn set_operator(conn: ConnectionBorrow<'_>, manager: String, operator: TestOperator) -> Result<(), AdapterError> {
        let conn: &Connection = conn.get();
        let to = parse_address(&manager).map_err(|m| AdapterError::InvalidConfig(format!("manager: {m}")))?;
        let input = if conn.manager_scheme(&manager)? == Scheme::Bn254Bls {
            testing_bls::set_operator(&operator)?
        } else {
            let address = address_of(&operator.public_key).map_err(AdapterError::InvalidConfig)?;
            IWavsServiceManager::setOperatorCall { operator: address, weight: U256::from(operator.weight) }.abi_encode()
        };
        // tx::send waits for inclusion and turns a revert (NotOwner) into `rejected`.
        tx::send(&conn.rpc, &conn.settings, TxKind::Call(to), input)?;
        Ok(())
    }

    fn fund(conn: ConnectionBorrow<'_>, public_key: Vec<u8>, amount: u64) -> Result<(), AdapterError> {
        let conn: &Connection = conn.get();
        let to = address_of(&public_key).map_err(AdapterError::InvalidConfig)?;
        tx::send_value(&conn.rpc, &conn.settings, TxKind::Call(to), vec![], U256::from(amount))?;
        Ok(())
    }
}

/// Decodes an `EnvelopeHandled` log from its JSON-RPC form.
fn handled_log(log: &Value) -> Result<IWavsServiceHandler::EnvelopeHandled, String> {
    let word = |v: &Value| -> Result<FixedBytes<32>, String> {
        v.as_str().and_then(|t| t.parse().ok()).ok_or_else(|| format!("bad topic {v}"))
    };
    let topics = log["topics"].as_array().ok_or("no topics")?.iter().map(word).collect::<Result<Vec<_>, _>>()?;
    let data = log["data"].as_str().ok_or("no data")?;
    let data = hex::decode(data.trim_start_matches("0x")).map_err(|e| format!("data: {e}"))?;
    IWavsServiceHandler::EnvelopeHandled::decode_raw_log_validate(topics, &data).map_err(|e| e.to_string())
}
