//! The signing-keys interface: an operator registers the key it signs a service with at
//! the reference manager (`contracts/cosmos/service-manager`) with `set_signing_key`, sent
//! from the account of the operator's key (the host signer), and the `latest_operator_
//! for_signing_key` query answers which operator a key counts for.

use crate::bindings::exports::wavs::adapter::adapter::{AdapterError, ConnectionBorrow, Scheme};
use crate::bindings::exports::wavs::adapter::signing_keys::Guest;
use crate::connection::Connection;
use crate::digest::compressed;
use crate::bindings::wavs::adapter::signer;
use crate::verify::{SCHEME, require_scheme};
use serde_json::json;

/// The signing-keys interface of this adapter.
pub struct SigningKeys;

/// `public_key` as the manager takes it: the compressed key in hex.
pub(crate) fn key_hex(public_key: &[u8], what: &str) -> Result<String, AdapterError> {
    compressed(public_key).map(hex::encode).map_err(|m| AdapterError::InvalidConfig(format!("{what}: {m}")))
}

impl Guest for SigningKeys {
    fn register_signing_key(conn: ConnectionBorrow<'_>, manager: String, scheme: Scheme, public_key: Vec<u8>, _proof: Vec<u8>) -> Result<(), AdapterError> {
        let conn: &Connection = conn.get();
        require_scheme(scheme, "register-signing-key")?;
        let operator = signer::public_key(SCHEME);
        let msg = json!({ "set_signing_key": {
            "operator": key_hex(&operator, "the host signer's key")?,
            "signing_key": key_hex(&public_key, "signing key")?,
        }});
        // An account the chain never saw has no funds: `query::account` says to fund it.
        // The manager's `NotOperator` and `SigningKeyTaken` come back as `rejected`.
        conn.execute(&manager, &msg)?;
        Ok(())
    }

    fn signing_key_operator(conn: ConnectionBorrow<'_>, manager: String, scheme: Scheme, public_key: Vec<u8>) -> Result<Option<String>, AdapterError> {
        let conn: &Connection = conn.get();
        require_scheme(scheme, "signing-key-operator")?;
        let manager = conn.contract(&manager)?.to_string();
        let query = json!({ "latest_operator_for_signing_key": { "signing_key": key_hex(&public_key, "signing key")? } });
        // The operator's compressed key in hex: what `operator-id` names it.
        crate::query::smart(&conn.comet, &manager, &query, None)
    }
}
