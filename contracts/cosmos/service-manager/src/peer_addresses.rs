//! Peer addresses: each operator publishes where its node is reached over p2p, so nodes
//! running without an aggregator find each other from the chain. Mirrors `setPeerAddress`
//! and `peerAddresses` of `WavsPeerAddresses.sol`.

use cosmwasm_std::{Api, Event, HexBinary, MessageInfo, Order, StdResult, Storage};
use wavs_cw_common::manager::{EVENT_PEER_ADDRESS_UPDATED, MAX_PEER_ADDRESS_BYTES};
use wavs_cw_common::operator_id;

use crate::ContractError;
use crate::signing_keys::check_operator_account;
use crate::state::{PEER_ADDRESSES, WEIGHTS};

/// Publishes `address` for `operator`, sent from `operator`'s own account; empty withdraws it.
pub fn set_peer_address(
    storage: &mut dyn Storage,
    api: &dyn Api,
    info: &MessageInfo,
    operator: &HexBinary,
    address: String,
) -> Result<Event, ContractError> {
    check_operator_account(storage, api, info, operator, "SetPeerAddress")?;
    if address.len() > MAX_PEER_ADDRESS_BYTES {
        return Err(ContractError::PeerAddressTooLong { length: address.len(), max: MAX_PEER_ADDRESS_BYTES });
    }
    if address.is_empty() {
        PEER_ADDRESSES.remove(storage, operator);
    } else {
        PEER_ADDRESSES.save(storage, operator, &address)?;
    }
    Ok(Event::new(EVENT_PEER_ADDRESS_UPDATED)
        .add_attribute("operator", operator_id(operator))
        .add_attribute("address", address))
}

/// The addresses of the operators that currently have weight, in operator key order.
pub fn peer_addresses(storage: &dyn Storage) -> StdResult<Vec<String>> {
    let mut found = Vec::new();
    for entry in PEER_ADDRESSES.range(storage, None, None, Order::Ascending) {
        let (operator, address) = entry?;
        if WEIGHTS.has(storage, &operator) {
            found.push(address);
        }
    }
    Ok(found)
}
