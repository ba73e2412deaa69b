//! The peers interface: an operator publishes its node's p2p address at the reference
//! manager (`contracts/cosmos/service-manager`) with `set_peer_address`, sent from the account
//! of the operator's key (the host signer), and nodes read them with the `peer_addresses`
//! query.

use crate::bindings::exports::wavs::adapter::adapter::AdapterError;
use crate::bindings::wavs::adapter::signer;
use crate::connection::Connection;
use crate::signing_keys::key_hex;
use crate::verify::SCHEME;
use serde_json::{Value, json};

/// The `set_peer_address` message for the operator whose key is `operator`.
fn announcement(operator: &[u8], address: String) -> Result<Value, AdapterError> {
    Ok(json!({ "set_peer_address": { "operator": key_hex(operator, "the host signer's key")?, "address": address } }))
}

/// Executes `set_peer_address` at `manager` from the signer's account.
pub fn announce_peer(conn: &Connection, manager: &str, address: String) -> Result<(), AdapterError> {
    let msg = announcement(&signer::public_key(SCHEME), address)?;
    // An account the chain never saw has no funds: `query::account` says to fund it.
    // The manager's `NotOperator` and `PeerAddressTooLong` come back as `rejected`.
    conn.execute(manager, &msg)?;
    Ok(())
}

/// The addresses `manager` lists for its operators with weight, at the latest block.
pub fn peer_addresses(conn: &Connection, manager: &str) -> Result<Vec<String>, AdapterError> {
    let manager = conn.contract(manager)?.to_string();
    crate::query::smart(&conn.comet, &manager, &json!({ "peer_addresses": {} }), None)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_announcement_names_the_operator_by_its_compressed_key() {
        let key = [2u8; 33];
        let msg = announcement(&key, "/ip4/10.0.0.1/tcp/9700".into()).unwrap();
        assert_eq!(msg["set_peer_address"]["operator"], hex::encode(key));
        assert_eq!(msg["set_peer_address"]["address"], "/ip4/10.0.0.1/tcp/9700");
    }
}
