//! The testing interface: deploy the reference contracts from the committed artifacts,
//! fire triggers, read what a handler stored, change an operator set.

use crate::abi::{IWavsServiceHandler, IWavsServiceManager, IWavsTrigger, TRIGGER_EVENT};
use crate::bindings::exports::wavs::adapter::adapter::{AdapterError, ConnectionBorrow, ContractEventFilter};
use crate::bindings::exports::wavs::adapter::testing::{Guest, TestDeployment, TestOperator};
use crate::connection::Connection;
use crate::crypto::{address_of, parse_address};
use crate::tx;
use alloy_primitives::{Address, FixedBytes, TxKind, U256};
use alloy_sol_types::{SolCall, SolValue};
use serde_json::json;

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

/// Deploys a handler bound to the service manager at `manager`.
fn deploy_handler(conn: &Connection, manager: &str) -> Result<String, AdapterError> {
    let manager = parse_address(manager).map_err(|m| AdapterError::InvalidConfig(format!("manager: {m}")))?;
    deploy(conn, HANDLER, manager.abi_encode())
}

/// The testing interface of this adapter.
pub struct Testing;

impl Guest for Testing {
    fn deploy_service(conn: ConnectionBorrow<'_>, operators: Vec<TestOperator>, threshold: u64) -> Result<TestDeployment, AdapterError> {
        let conn: &Connection = conn.get();
        let addresses: Vec<Address> = operators
            .iter()
            .map(|o| address_of(&o.public_key))
            .collect::<Result<_, _>>()
            .map_err(AdapterError::InvalidConfig)?;
        let weights: Vec<U256> = operators.iter().map(|o| U256::from(o.weight)).collect();
        let manager = deploy(conn, MANAGER, (addresses, weights, U256::from(threshold)).abi_encode_params())?;
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
        if !conn.call(&handler, IWavsServiceHandler::isHandledCall { eventId: id }, json!("latest"))? {
            return Ok(None);
        }
        let payload = conn.call(&handler, IWavsServiceHandler::payloadOfCall { eventId: id }, json!("latest"))?;
        Ok(Some(payload.to_vec()))
    }

    fn deploy_handler(conn: ConnectionBorrow<'_>, manager: String) -> Result<String, AdapterError> {
        deploy_handler(conn.get(), &manager)
    }

    fn set_operator(conn: ConnectionBorrow<'_>, manager: String, operator: TestOperator) -> Result<(), AdapterError> {
        let conn: &Connection = conn.get();
        let to = parse_address(&manager).map_err(|m| AdapterError::InvalidConfig(format!("manager: {m}")))?;
        let address = address_of(&operator.public_key).map_err(AdapterError::InvalidConfig)?;
        let input = IWavsServiceManager::setOperatorCall { operator: address, weight: U256::from(operator.weight) }.abi_encode();
        // tx::send waits for inclusion and turns a revert (NotOwner) into `rejected`.
        tx::send(&conn.rpc, &conn.settings, TxKind::Call(to), input)?;
        Ok(())
    }
}
