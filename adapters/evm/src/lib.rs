//! The WAVS chain adapter for EVM chains (world `wavs:adapter@0.3.0`): JSON-RPC over
//! wasi:http, alloy for encoding, transactions signed through the host signer with its
//! secp256k1 key.
//!
//! Operators sign EIP-712 typed data bound to the destination: domain `{name: "WAVS",
//! version: "2", chainId: the configured chain id, verifyingContract: the handler}`,
//! struct `Envelope(bytes20 eventId,bytes12 ordering,bytes payload)` (see `crypto.rs`).
//! The reference handler (`contracts/evm`) recomputes that digest from its own address and
//! `block.chainid` and asks its service manager to validate the signatures over it, so a
//! signature for one handler or chain is refused by every other.
//!
//! Signature schemes: secp256k1-ecdsa and bn254-bls (see `scheme.rs`, where each scheme
//! gets its identity and verification; `submit_ecdsa.rs` and `submit_bls.rs` pack). A
//! handler's scheme is its manager's `signatureScheme()`. Trigger kinds: `contract-event`
//! and `block-interval` (`events.rs`). Chain `endpoints` are accepted and not read; the options are listed on
//! `open` (`connection.rs`). The optional `services` export reads and sets the service URI
//! the reference managers hold (`services.rs`); the optional `signing-keys` export registers an
//! operator's per-service signing key at a manager (`signing_keys.rs`); the optional `peers`
//! export publishes and reads operators' p2p addresses there (`peers.rs`).

mod abi;
mod bls;
mod connection;
mod crypto;
mod events;
mod json;
mod operators;
mod peers;
mod revert;
mod rpc;
mod scheme;
mod services;
mod signing_keys;
mod submit_bls;
mod submit_ecdsa;
#[cfg(test)]
mod test_support;
mod testing;
mod testing_bls;
mod tx;

/// Bindings for the adapter world.
pub mod bindings {
    wit_bindgen::generate!({
        path: "../../wit/adapter",
        world: "chain-adapter-full",
        generate_all,
        pub_export_macro: true,
    });
}

use bindings::exports::wavs::adapter::adapter::{Description, Guest};

/// The adapter.
pub struct EvmAdapter;

impl Guest for EvmAdapter {
    type Connection = connection::Connection;

    fn describe() -> Description {
        Description {
            family: "evm".into(),
            name: "WAVS EVM adapter".into(),
            version: env!("CARGO_PKG_VERSION").into(),
            trigger_kinds: events::TRIGGER_KINDS.iter().map(|k| k.to_string()).collect(),
            schemes: scheme::SCHEMES.to_vec(),
        }
    }
}

impl bindings::exports::wavs::adapter::blocks::Guest for EvmAdapter {
    fn block_time(
        conn: bindings::exports::wavs::adapter::adapter::ConnectionBorrow<'_>,
        height: u64,
    ) -> Result<u64, bindings::exports::wavs::adapter::adapter::AdapterError> {
        conn.get::<connection::Connection>().block_time(height)
    }
}

impl bindings::exports::wavs::adapter::testing::Guest for EvmAdapter {
    fn deploy_service(
        conn: bindings::exports::wavs::adapter::adapter::ConnectionBorrow<'_>,
        scheme: bindings::exports::wavs::adapter::adapter::Scheme,
        operators: Vec<bindings::exports::wavs::adapter::testing::TestOperator>,
        threshold: u64,
    ) -> Result<bindings::exports::wavs::adapter::testing::TestDeployment, bindings::exports::wavs::adapter::adapter::AdapterError> {
        testing::Testing::deploy_service(conn, scheme, operators, threshold)
    }

    fn fire_trigger(
        conn: bindings::exports::wavs::adapter::adapter::ConnectionBorrow<'_>,
        trigger: String,
        payload: Vec<u8>,
    ) -> Result<Vec<u8>, bindings::exports::wavs::adapter::adapter::AdapterError> {
        testing::Testing::fire_trigger(conn, trigger, payload)
    }

    fn handled_payload(
        conn: bindings::exports::wavs::adapter::adapter::ConnectionBorrow<'_>,
        handler: String,
        event_id: Vec<u8>,
    ) -> Result<Option<Vec<u8>>, bindings::exports::wavs::adapter::adapter::AdapterError> {
        testing::Testing::handled_payload(conn, handler, event_id)
    }

    fn deploy_handler(
        conn: bindings::exports::wavs::adapter::adapter::ConnectionBorrow<'_>,
        manager: String,
    ) -> Result<String, bindings::exports::wavs::adapter::adapter::AdapterError> {
        testing::Testing::deploy_handler(conn, manager)
    }

    fn set_operator(
        conn: bindings::exports::wavs::adapter::adapter::ConnectionBorrow<'_>,
        manager: String,
        operator: bindings::exports::wavs::adapter::testing::TestOperator,
    ) -> Result<(), bindings::exports::wavs::adapter::adapter::AdapterError> {
        testing::Testing::set_operator(conn, manager, operator)
    }

    fn fund(
        conn: bindings::exports::wavs::adapter::adapter::ConnectionBorrow<'_>,
        public_key: Vec<u8>,
        amount: u64,
    ) -> Result<(), bindings::exports::wavs::adapter::adapter::AdapterError> {
        testing::Testing::fund(conn, public_key, amount)
    }
}

impl bindings::exports::wavs::adapter::signing_keys::Guest for EvmAdapter {
    fn register_signing_key(
        conn: bindings::exports::wavs::adapter::adapter::ConnectionBorrow<'_>,
        manager: String,
        scheme: bindings::wavs::adapter::curves::Scheme,
        public_key: Vec<u8>,
        proof: Vec<u8>,
    ) -> Result<(), bindings::exports::wavs::adapter::adapter::AdapterError> {
        signing_keys::SigningKeys::register_signing_key(conn, manager, scheme, public_key, proof)
    }

    fn signing_key_operator(
        conn: bindings::exports::wavs::adapter::adapter::ConnectionBorrow<'_>,
        manager: String,
        scheme: bindings::wavs::adapter::curves::Scheme,
        public_key: Vec<u8>,
    ) -> Result<Option<String>, bindings::exports::wavs::adapter::adapter::AdapterError> {
        signing_keys::SigningKeys::signing_key_operator(conn, manager, scheme, public_key)
    }
}

impl bindings::exports::wavs::adapter::services::Guest for EvmAdapter {
    fn service_uri(conn: bindings::exports::wavs::adapter::adapter::ConnectionBorrow<'_>, manager: String) -> Result<String, bindings::exports::wavs::adapter::adapter::AdapterError> {
        services::Services::service_uri(conn, manager)
    }

    fn service_uri_filter(conn: bindings::exports::wavs::adapter::adapter::ConnectionBorrow<'_>, manager: String) -> Result<bindings::exports::wavs::adapter::adapter::EventFilter, bindings::exports::wavs::adapter::adapter::AdapterError> {
        services::Services::service_uri_filter(conn, manager)
    }

    fn set_service_uri(conn: bindings::exports::wavs::adapter::adapter::ConnectionBorrow<'_>, manager: String, uri: String) -> Result<(), bindings::exports::wavs::adapter::adapter::AdapterError> {
        services::Services::set_service_uri(conn, manager, uri)
    }
}

impl bindings::exports::wavs::adapter::peers::Guest for EvmAdapter {
    fn announce_peer(conn: bindings::exports::wavs::adapter::adapter::ConnectionBorrow<'_>, manager: String, address: String) -> Result<(), bindings::exports::wavs::adapter::adapter::AdapterError> {
        peers::announce_peer(conn.get(), &manager, address)
    }

    fn peer_addresses(conn: bindings::exports::wavs::adapter::adapter::ConnectionBorrow<'_>, manager: String) -> Result<Vec<String>, bindings::exports::wavs::adapter::adapter::AdapterError> {
        peers::peer_addresses(conn.get(), &manager)
    }
}

bindings::export!(EvmAdapter with_types_in bindings);
