//! Per-service signing keys: each operator registers the key its node signs this service
//! with, so a key of another service (or of the chain) counts nothing here. Mirrors
//! `setSigningKey` and `getLatestOperatorForSigningKey` of `WavsServiceManager.sol`.

use cosmwasm_std::{Api, Event, HexBinary, MessageInfo, StdResult, Storage};
use ripemd::Ripemd160;
use sha2::{Digest, Sha256};
use wavs_cw_common::manager::EVENT_SIGNING_KEY_UPDATED;
use wavs_cw_common::operator_id;

use crate::ContractError;
use crate::state::{KEY_OWNERS, SIGNING_KEYS, WEIGHTS};

/// Registers `signing_key` for `operator`, sent from `operator`'s own account.
pub fn set_signing_key(
    storage: &mut dyn Storage,
    api: &dyn Api,
    info: &MessageInfo,
    operator: &HexBinary,
    signing_key: &HexBinary,
) -> Result<Event, ContractError> {
    crate::contract::check_pubkey(signing_key)?;
    check_operator_account(storage, api, info, operator, "SetSigningKey")?;
    let holder = KEY_OWNERS.may_load(storage, signing_key)?;
    let others_own_key = signing_key != operator && WEIGHTS.has(storage, signing_key);
    if others_own_key || holder.is_some_and(|h| h != operator.as_slice()) {
        return Err(ContractError::SigningKeyTaken {
            key: operator_id(signing_key),
        });
    }
    SIGNING_KEYS.save(storage, operator, &signing_key.to_vec())?;
    KEY_OWNERS.save(storage, signing_key, &operator.to_vec())?;
    Ok(Event::new(EVENT_SIGNING_KEY_UPDATED)
        .add_attribute("operator", operator_id(operator))
        .add_attribute("signing_key", operator_id(signing_key)))
}

/// Refuses unless `info` is sent by the account of `operator`'s key and `operator` has
/// weight; `message` names what was sent, for the refusal.
pub(crate) fn check_operator_account(
    storage: &dyn Storage,
    api: &dyn Api,
    info: &MessageInfo,
    operator: &HexBinary,
    message: &'static str,
) -> Result<(), ContractError> {
    crate::contract::check_pubkey(operator)?;
    // The sender proves it holds the operator's key by being its account: a Cosmos SDK
    // account address is RIPEMD-160(SHA-256(compressed key)).
    let account = Ripemd160::digest(Sha256::digest(operator.as_slice()));
    let sender = api.addr_canonicalize(info.sender.as_str())?;
    let weight = WEIGHTS.may_load(storage, operator)?.unwrap_or(0);
    if sender.as_slice() != &account[..] || weight == 0 {
        return Err(ContractError::NotOperator {
            operator: operator_id(operator),
            sender: info.sender.to_string(),
            message,
        });
    }
    Ok(())
}

/// The operator whose current signing key `key` is: its registrant while it is that
/// operator's current key, or an operator that registered none signing with its own key.
pub fn latest_operator_for(storage: &dyn Storage, key: &[u8]) -> StdResult<Option<Vec<u8>>> {
    if let Some(holder) = KEY_OWNERS.may_load(storage, key)? {
        let current = SIGNING_KEYS.may_load(storage, &holder)?;
        return Ok(current.is_some_and(|k| k == key).then_some(holder));
    }
    let own = !SIGNING_KEYS.has(storage, key) && WEIGHTS.has(storage, key);
    Ok(own.then(|| key.to_vec()))
}

/// The key `operator` signs with: its registered key, or its own.
pub fn signing_key_of(storage: &dyn Storage, operator: &[u8]) -> StdResult<Vec<u8>> {
    Ok(SIGNING_KEYS.may_load(storage, operator)?.unwrap_or_else(|| operator.to_vec()))
}
