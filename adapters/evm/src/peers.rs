//! The peers interface: operators publish their nodes' p2p addresses at a service's manager
//! with `setPeerAddress(string)`, sent from the operator's own account (the host signer), and
//! nodes read them with `peerAddresses()`. Both reference managers (ECDSA and BLS) hold them
//! the same way (`contracts/evm/src/WavsPeerAddresses.sol`), so the scheme does not matter.

use crate::abi::IWavsPeerAddresses;
use crate::bindings::exports::wavs::adapter::adapter::AdapterError;
use crate::connection::Connection;
use crate::services::manager_address;
use crate::tx;
use alloy_primitives::TxKind;
use alloy_sol_types::SolCall;
use serde_json::json;

/// Sends `setPeerAddress(address)` to `manager` from the signer's account.
pub fn announce_peer(conn: &Connection, manager: &str, address: String) -> Result<(), AdapterError> {
    let to = manager_address(manager)?;
    let input = IWavsPeerAddresses::setPeerAddressCall { peerAddress: address }.abi_encode();
    tx::require_funds(&conn.rpc)?;
    // tx::send waits for inclusion and turns a revert (NotOperator, PeerAddressTooLong)
    // into `rejected`, naming the error.
    tx::send(&conn.rpc, &conn.settings, TxKind::Call(to), input)?;
    Ok(())
}

/// The addresses `manager` lists for its operators with weight, at the latest block.
pub fn peer_addresses(conn: &Connection, manager: &str) -> Result<Vec<String>, AdapterError> {
    manager_address(manager)?;
    conn.call(manager, IWavsPeerAddresses::peerAddressesCall {}, json!("latest"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::revert::decode_revert;
    use alloy_primitives::U256;
    use alloy_sol_types::SolError;

    #[test]
    fn an_over_long_address_is_named_with_both_lengths() {
        let data = IWavsPeerAddresses::PeerAddressTooLong { length: U256::from(257), max: U256::from(256) }.abi_encode();
        let text = decode_revert(&format!("0x{}", hex::encode(data))).unwrap();
        assert_eq!(text, "PeerAddressTooLong { length: 257, max: 256 }");
    }
}
