//! The signing-keys interface: an operator registers the key it signs a service with at
//! the service's manager, sent from the operator's own account (the host signer). The
//! ECDSA manager (`WavsServiceManager.sol`) takes the key's address with
//! `setSigningKey(address)`; the BLS manager (`WavsBlsServiceManager.sol`) takes the G1
//! and G2 keys with their proof of possession. Both answer which operator a key counts
//! for with `getLatestOperatorForSigningKey`.

use crate::abi::{IWavsBlsServiceManager, IWavsServiceManager};
use crate::bindings::exports::wavs::adapter::adapter::{AdapterError, ConnectionBorrow};
use crate::bindings::exports::wavs::adapter::signing_keys::Guest;
use crate::bindings::wavs::adapter::curves::Scheme;
use crate::bls;
use crate::connection::Connection;
use crate::crypto::{address_of, address_text, parse_address};
use crate::tx;
use alloy_primitives::{Address, TxKind};
use alloy_sol_types::SolCall;
use serde_json::json;

/// The signing-keys interface of this adapter.
pub struct SigningKeys;

/// The manager's address, and `unsupported` unless its operators sign with `scheme`.
fn manager_for(conn: &Connection, manager: &str, scheme: Scheme) -> Result<Address, AdapterError> {
    let address = parse_address(manager).map_err(|m| AdapterError::InvalidConfig(format!("manager: {m}")))?;
    let uses = conn.manager_scheme(manager)?;
    if uses != scheme {
        return Err(AdapterError::Unsupported(format!(
            "manager {manager}: its operators sign with {}, not {}",
            crate::scheme::name(uses),
            crate::scheme::name(scheme)
        )));
    }
    Ok(address)
}

/// The calldata registering `public_key` (with `proof` for BLS) at a manager of `scheme`.
fn registration(scheme: Scheme, public_key: &[u8], proof: &[u8]) -> Result<Vec<u8>, AdapterError> {
    match scheme {
        Scheme::Secp256k1Ecdsa => {
            let key = address_of(public_key).map_err(|m| AdapterError::InvalidConfig(format!("signing key: {m}")))?;
            Ok(IWavsServiceManager::setSigningKeyCall { signingKey: key }.abi_encode())
        }
        Scheme::Bn254Bls => {
            let (pk1, pk2) = bls::split_key(public_key).map_err(AdapterError::InvalidConfig)?;
            let pop = bls::g1(proof, "a bn254-bls proof of possession").map_err(AdapterError::InvalidConfig)?;
            Ok(IWavsBlsServiceManager::setSigningKeyCall { pk1, pk2, pop }.abi_encode())
        }
        other => Err(AdapterError::Unsupported(format!("the EVM managers take no {} keys", crate::scheme::name(other)))),
    }
}

impl Guest for SigningKeys {
    fn register_signing_key(conn: ConnectionBorrow<'_>, manager: String, scheme: Scheme, public_key: Vec<u8>, proof: Vec<u8>) -> Result<(), AdapterError> {
        let conn: &Connection = conn.get();
        let to = manager_for(conn, &manager, scheme)?;
        let input = registration(scheme, &public_key, &proof)?;
        let operator = address_text(&tx::sender()?);
        // Asked first, to say plainly that this account is no operator: managers from
        // before the NotOperator check took the key for nothing.
        if scheme == Scheme::Secp256k1Ecdsa {
            let weight = conn.call(&manager, IWavsServiceManager::getOperatorWeightCall { operator: tx::sender()? }, json!("latest"))?;
            if weight.is_zero() {
                return Err(AdapterError::Rejected(format!("NotOperator: account {operator} is no operator of manager {manager}")));
            }
        }
        tx::require_funds(&conn.rpc)?;
        // tx::send waits for inclusion and turns a revert (NotOperator, SigningKeyTaken,
        // InvalidProofOfPossession) into `rejected`, naming the error.
        tx::send(&conn.rpc, &conn.settings, TxKind::Call(to), input)?;
        Ok(())
    }

    fn signing_key_operator(conn: ConnectionBorrow<'_>, manager: String, scheme: Scheme, public_key: Vec<u8>) -> Result<Option<String>, AdapterError> {
        let conn: &Connection = conn.get();
        manager_for(conn, &manager, scheme)?;
        let holder = match scheme {
            Scheme::Secp256k1Ecdsa => {
                let key = address_of(&public_key).map_err(|m| AdapterError::InvalidConfig(format!("signing key: {m}")))?;
                conn.call(&manager, IWavsServiceManager::getLatestOperatorForSigningKeyCall { signingKey: key }, json!("latest"))?
            }
            Scheme::Bn254Bls => {
                let id = bls::id_of(&public_key).map_err(AdapterError::InvalidConfig)?;
                conn.call(&manager, IWavsBlsServiceManager::getLatestOperatorForSigningKeyCall { keyId: id }, json!("latest"))?
            }
            other => return Err(AdapterError::Unsupported(format!("the EVM managers take no {} keys", crate::scheme::name(other)))),
        };
        Ok((holder != Address::ZERO).then(|| address_text(&holder)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::invalid_config;

    #[test]
    fn a_key_that_is_not_one_of_its_scheme_is_refused_before_any_transaction() {
        assert!(invalid_config(registration(Scheme::Secp256k1Ecdsa, &[1; 10], &[])).contains("signing key"));
        assert!(invalid_config(registration(Scheme::Bn254Bls, &[1; 192], &[2; 10])).contains("proof of possession"));
        assert!(matches!(registration(Scheme::Ed25519, &[1; 32], &[]), Err(AdapterError::Unsupported(_))));
    }
}
