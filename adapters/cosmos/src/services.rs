//! The services interface: the service URI the reference manager holds
//! (`contracts/cosmos/service-manager`), read with the `service_uri` query, followed through
//! its `wasm-service-uri-updated` events, set by the owner with `set_service_uri`.

use crate::bindings::exports::wavs::adapter::adapter::{AdapterError, ConnectionBorrow, ContractEventFilter, EventFilter};
use crate::bindings::exports::wavs::adapter::services::Guest;
use crate::config::Settings;
use crate::connection::Connection;
use serde_json::json;

/// The event type the manager emits when its service URI changes (on chain:
/// `wasm-service-uri-updated`).
pub const SERVICE_URI_EVENT: &str = "service-uri-updated";

/// The filter selecting `manager`'s service URI changes; `manager` checked for this chain.
fn uri_filter(settings: &Settings, manager: &str) -> Result<EventFilter, AdapterError> {
    let contract = settings.contract(manager).map_err(|m| AdapterError::InvalidConfig(format!("manager: {m}")))?;
    Ok(EventFilter::ContractEvent(ContractEventFilter { contract: contract.to_string(), event: SERVICE_URI_EVENT.into() }))
}

/// The services interface of this adapter.
pub struct Services;

impl Guest for Services {
    fn service_uri(conn: ConnectionBorrow<'_>, manager: String) -> Result<String, AdapterError> {
        let conn: &Connection = conn.get();
        let manager = conn.contract(&manager)?.to_string();
        crate::query::smart(&conn.comet, &manager, &json!({ "service_uri": {} }), None)
    }

    fn service_uri_filter(conn: ConnectionBorrow<'_>, manager: String) -> Result<EventFilter, AdapterError> {
        uri_filter(&conn.get::<Connection>().settings, &manager)
    }

    fn set_service_uri(conn: ConnectionBorrow<'_>, manager: String, uri: String) -> Result<(), AdapterError> {
        let conn: &Connection = conn.get();
        // Anyone but the owner gets the contract's `NotOwner`, an over-long URI its
        // `ServiceURITooLong`: both `rejected`.
        conn.execute(&manager, &json!({ "set_service_uri": { "uri": uri } }))?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::events::{contract_events, parse_filter};
    use cosmrs::AccountId;

    #[test]
    fn the_filter_selects_the_managers_uri_events_only() {
        let settings = Settings::for_tests();
        let (manager, other) = (AccountId::new("wasm", &[7; 32]).unwrap().to_string(), AccountId::new("wasm", &[8; 32]).unwrap().to_string());
        let updated = |addr: &str| json!({"type": "wasm-service-uri-updated", "attributes": [
            {"key": "_contract_address", "value": addr}, {"key": "uri", "value": "ipfs://v2"}]});
        let results = json!({"txs_results": [{"code": 0, "events": [updated(&other), updated(&manager)]}]});
        let filter = parse_filter(&uri_filter(&settings, &manager).unwrap(), &settings).unwrap();
        let found = contract_events(&results, &[filter]);
        assert_eq!(found.len(), 1);
        let (_, _, index, event) = &found[0];
        assert_eq!((*index, event.contract.as_str()), (1, manager.as_str()));
        assert!(event.attributes.iter().any(|a| a.key == "uri" && a.value == "ipfs://v2"));
    }

    #[test]
    fn a_manager_of_another_chain_says_so() {
        let Err(AdapterError::InvalidConfig(message)) = uri_filter(&Settings::for_tests(), "0x0000000000000000000000000000000000000001") else {
            panic!("accepted")
        };
        assert!(message.starts_with("manager:") && message.contains("bech32"), "{message}");
    }
}
