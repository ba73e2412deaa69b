//! The WAVS chain adapter for Cosmos SDK chains with CosmWasm: CometBFT JSON-RPC over
//! wasi:http, cosmrs for transactions, signatures from the host signer. The optional
//! `services` export reads and sets the service URI the reference manager holds
//! (`services.rs`); the optional `signing-keys` export registers an operator's per-service
//! signing key at a manager (`signing_keys.rs`); the optional `peers` export publishes and
//! reads operators' p2p addresses there (`peers.rs`).

mod comet;
mod config;
mod connection;
mod digest;
mod events;
mod msgs;
mod peers;
mod query;
mod services;
mod signing_keys;
mod testing;
mod tx;
mod verify;

/// Bindings for the adapter world.
pub mod bindings {
    wit_bindgen::generate!({
        path: "../../wit/adapter",
        world: "chain-adapter-full",
        generate_all,
        pub_export_macro: true,
    });
}

use bindings::exports::wavs::adapter::adapter::{AdapterError, ConnectionBorrow, Description, EventFilter, Guest, Scheme};
use bindings::exports::wavs::adapter::services::Guest as ServicesGuest;
use bindings::exports::wavs::adapter::testing::{Guest as TestingGuest, TestDeployment, TestOperator};

/// The adapter.
pub struct CosmosAdapter;

impl Guest for CosmosAdapter {
    type Connection = connection::Connection;

    fn describe() -> Description {
        Description {
            family: "cosmos".into(),
            name: "WAVS Cosmos adapter".into(),
            version: env!("CARGO_PKG_VERSION").into(),
            trigger_kinds: events::TRIGGER_KINDS.map(String::from).to_vec(),
            schemes: vec![verify::SCHEME],
        }
    }
}

impl bindings::exports::wavs::adapter::blocks::Guest for CosmosAdapter {
    fn block_time(conn: ConnectionBorrow<'_>, height: u64) -> Result<u64, AdapterError> {
        conn.get::<connection::Connection>().block_time(height)
    }
}

impl TestingGuest for CosmosAdapter {
    fn deploy_service(conn: ConnectionBorrow<'_>, scheme: Scheme, operators: Vec<TestOperator>, threshold: u64) -> Result<TestDeployment, AdapterError> {
        testing::Testing::deploy_service(conn, scheme, operators, threshold)
    }

    fn fire_trigger(conn: ConnectionBorrow<'_>, trigger: String, payload: Vec<u8>) -> Result<Vec<u8>, AdapterError> {
        testing::Testing::fire_trigger(conn, trigger, payload)
    }

    fn handled_payload(conn: ConnectionBorrow<'_>, handler: String, event_id: Vec<u8>) -> Result<Option<Vec<u8>>, AdapterError> {
        testing::Testing::handled_payload(conn, handler, event_id)
    }

    fn deploy_handler(conn: ConnectionBorrow<'_>, manager: String) -> Result<String, AdapterError> {
        testing::Testing::deploy_handler(conn, manager)
    }

    fn set_operator(conn: ConnectionBorrow<'_>, manager: String, operator: TestOperator) -> Result<(), AdapterError> {
        testing::Testing::set_operator(conn, manager, operator)
    }

    fn fund(conn: ConnectionBorrow<'_>, public_key: Vec<u8>, amount: u64) -> Result<(), AdapterError> {
        testing::Testing::fund(conn, public_key, amount)
    }
}

impl bindings::exports::wavs::adapter::signing_keys::Guest for CosmosAdapter {
    fn register_signing_key(conn: ConnectionBorrow<'_>, manager: String, scheme: Scheme, public_key: Vec<u8>, proof: Vec<u8>) -> Result<(), AdapterError> {
        signing_keys::SigningKeys::register_signing_key(conn, manager, scheme, public_key, proof)
    }

    fn signing_key_operator(conn: ConnectionBorrow<'_>, manager: String, scheme: Scheme, public_key: Vec<u8>) -> Result<Option<String>, AdapterError> {
        signing_keys::SigningKeys::signing_key_operator(conn, manager, scheme, public_key)
    }
}

impl bindings::exports::wavs::adapter::peers::Guest for CosmosAdapter {
    fn announce_peer(conn: ConnectionBorrow<'_>, manager: String, address: String) -> Result<(), AdapterError> {
        peers::announce_peer(conn.get(), &manager, address)
    }

    fn peer_addresses(conn: ConnectionBorrow<'_>, manager: String) -> Result<Vec<String>, AdapterError> {
        peers::peer_addresses(conn.get(), &manager)
    }
}

impl ServicesGuest for CosmosAdapter {
    fn service_uri(conn: ConnectionBorrow<'_>, manager: String) -> Result<String, AdapterError> {
        services::Services::service_uri(conn, manager)
    }

    fn service_uri_filter(conn: ConnectionBorrow<'_>, manager: String) -> Result<EventFilter, AdapterError> {
        services::Services::service_uri_filter(conn, manager)
    }

    fn set_service_uri(conn: ConnectionBorrow<'_>, manager: String, uri: String) -> Result<(), AdapterError> {
        services::Services::set_service_uri(conn, manager, uri)
    }
}

bindings::export!(CosmosAdapter with_types_in bindings);
