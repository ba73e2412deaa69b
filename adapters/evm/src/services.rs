//! The services interface: the service URI the reference managers hold
//! (`contracts/evm/src/IWavsServiceURI.sol`), read with `serviceURI()`, followed through
//! their `ServiceURIUpdated(string)` logs, set by the owner with `setServiceURI`.

use crate::abi::{IWavsServiceURI, SERVICE_URI_EVENT};
use crate::bindings::exports::wavs::adapter::adapter::{AdapterError, ConnectionBorrow, ContractEventFilter, EventFilter};
use crate::bindings::exports::wavs::adapter::services::Guest;
use crate::connection::Connection;
use crate::crypto::{address_text, parse_address};
use crate::tx;
use alloy_primitives::{Address, TxKind};
use alloy_sol_types::SolCall;
use serde_json::json;

/// `manager` as an address, or `invalid-config` saying what to write.
pub(crate) fn manager_address(manager: &str) -> Result<Address, AdapterError> {
    parse_address(manager).map_err(|m| AdapterError::InvalidConfig(format!("manager: {m}")))
}

/// The services interface of this adapter.
pub struct Services;

impl Guest for Services {
    fn service_uri(conn: ConnectionBorrow<'_>, manager: String) -> Result<String, AdapterError> {
        let conn: &Connection = conn.get();
        manager_address(&manager)?;
        conn.call(&manager, IWavsServiceURI::serviceURICall {}, json!("latest"))
    }

    fn service_uri_filter(_conn: ConnectionBorrow<'_>, manager: String) -> Result<EventFilter, AdapterError> {
        let contract = address_text(&manager_address(&manager)?);
        Ok(EventFilter::ContractEvent(ContractEventFilter { contract, event: SERVICE_URI_EVENT.into() }))
    }

    fn set_service_uri(conn: ConnectionBorrow<'_>, manager: String, uri: String) -> Result<(), AdapterError> {
        let conn: &Connection = conn.get();
        let to = manager_address(&manager)?;
        let input = IWavsServiceURI::setServiceURICall { uri }.abi_encode();
        // tx::send waits for inclusion and turns a revert (NotOwner, ServiceURITooLong)
        // into `rejected`.
        tx::send(&conn.rpc, &conn.settings, TxKind::Call(to), input)?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::events::topic0;
    use alloy_sol_types::SolEvent;

    #[test]
    fn the_filter_names_the_event_the_managers_emit() {
        let topic = topic0(SERVICE_URI_EVENT).unwrap();
        assert_eq!(topic, IWavsServiceURI::ServiceURIUpdated::SIGNATURE_HASH.to_vec());
    }

    #[test]
    fn a_manager_that_is_no_address_says_what_to_write() {
        let Err(AdapterError::InvalidConfig(message)) = manager_address("cosmos1abc") else { panic!("accepted") };
        assert!(message.contains("manager") && message.contains("0x + 40 hex digits"), "{message}");
    }
}
