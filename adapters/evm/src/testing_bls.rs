//! The testing interface's BLS half: a `WavsBlsServiceManager` registers each operator's
//! G1 and G2 keys with its proof of possession, which the manager checks, so a key cannot
//! be registered by someone who does not hold it. An operator given by a secp256k1 key
//! is an operator account instead: the owner weighs its address (`setOperatorWeight`)
//! and it registers its BLS key itself (`signing-keys`).

use crate::abi::{G1Point, G2Point, IWavsBlsServiceManager};
use crate::bindings::exports::wavs::adapter::adapter::AdapterError;
use crate::bindings::exports::wavs::adapter::testing::TestOperator;
use crate::bls;
use crate::crypto::address_of;
use alloy_primitives::{Address, U256};
use alloy_sol_types::{SolCall, SolValue};

pub const MANAGER: &str = include_str!("../../../contracts/evm/artifacts/WavsBlsServiceManager.json");
pub const HANDLER: &str = include_str!("../../../contracts/evm/artifacts/WavsBlsServiceHandler.json");

/// An operator's keys and proof as the manager takes them; a key or proof of the wrong
/// length is `invalid-config`.
fn registration(operator: &TestOperator) -> Result<(G1Point, G2Point, G1Point), AdapterError> {
    let (pk1, pk2) = bls::split_key(&operator.public_key).map_err(AdapterError::InvalidConfig)?;
    let pop = bls::g1(&operator.proof, "a bn254-bls proof of possession").map_err(AdapterError::InvalidConfig)?;
    Ok((pk1, pk2, pop))
}

/// The operator account `operator` names by its secp256k1 key (SEC1, 33 or 65 bytes);
/// `None` for a BLS key.
fn account(operator: &TestOperator) -> Option<Address> {
    matches!(operator.public_key.len(), 33 | 65).then(|| address_of(&operator.public_key).ok()).flatten()
}

/// The calldata of `setOperatorWeight` for each operator account among `operators`.
pub fn weigh_accounts(operators: &[TestOperator]) -> Vec<Vec<u8>> {
    operators
        .iter()
        .filter_map(|o| account(o).map(|a| IWavsBlsServiceManager::setOperatorWeightCall { operator: a, weight: U256::from(o.weight) }.abi_encode()))
        .collect()
}

/// The manager's constructor arguments: `(pk1s, pk2s, pops, weights, threshold)`, for
/// the operators given by BLS key (accounts are weighed after, `weigh_accounts`).
pub fn manager_args(operators: &[TestOperator], threshold: u64) -> Result<Vec<u8>, AdapterError> {
    let operators: Vec<&TestOperator> = operators.iter().filter(|o| account(o).is_none()).collect();
    let (mut pk1s, mut pk2s, mut pops) = (Vec::new(), Vec::new(), Vec::new());
    for operator in &operators {
        let (pk1, pk2, pop) = registration(operator)?;
        pk1s.push(pk1);
        pk2s.push(pk2);
        pops.push(pop);
    }
    let weights: Vec<U256> = operators.iter().map(|o| U256::from(o.weight)).collect();
    Ok((pk1s, pk2s, pops, weights, U256::from(threshold)).abi_encode_params())
}

/// The calldata of `setOperator` for `operator`. The manager reads the proof only for a
/// key it does not hold yet, so removing or reweighing may leave it empty (sent as the
/// point at infinity, which no new key's proof can be).
pub fn set_operator(operator: &TestOperator) -> Result<Vec<u8>, AdapterError> {
    if let Some(account) = account(operator) {
        return Ok(IWavsBlsServiceManager::setOperatorWeightCall { operator: account, weight: U256::from(operator.weight) }.abi_encode());
    }
    let (pk1, pk2, pop) = if operator.proof.is_empty() {
        let (pk1, pk2) = bls::split_key(&operator.public_key).map_err(AdapterError::InvalidConfig)?;
        (pk1, pk2, G1Point { X: U256::ZERO, Y: U256::ZERO })
    } else {
        registration(operator)?
    };
    Ok(IWavsBlsServiceManager::setOperatorCall { pk1, pk2, pop, weight: U256::from(operator.weight) }.abi_encode())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::invalid_config;

    fn operator(key: usize, proof: usize) -> TestOperator {
        TestOperator { public_key: vec![1; key], proof: vec![2; proof], weight: 1 }
    }

    #[test]
    fn keys_and_proofs_of_the_wrong_length_are_refused() {
        assert!(invalid_config(manager_args(&[operator(33, 64)], 1)).contains("192 bytes"));
        assert!(invalid_config(set_operator(&operator(192, 63))).contains("proof of possession"));
        assert!(invalid_config(manager_args(&[operator(192, 0)], 1)).contains("proof of possession"));
        assert!(set_operator(&operator(192, 0)).is_ok(), "a removal needs no proof");
        assert!(manager_args(&[operator(192, 64)], 1).is_ok());
    }

    #[test]
    fn an_operator_given_by_a_secp256k1_key_is_an_account_the_owner_weighs() {
        let key = k256::ecdsa::SigningKey::from_slice(&[7; 32]).unwrap();
        let public_key = key.verifying_key().to_encoded_point(true).as_bytes().to_vec();
        let account = TestOperator { public_key, proof: vec![], weight: 3 };
        let calls = weigh_accounts(&[account.clone(), operator(192, 64)]);
        assert_eq!(calls.len(), 1);
        let decoded = IWavsBlsServiceManager::setOperatorWeightCall::abi_decode(&calls[0]).unwrap();
        assert_eq!((decoded.operator, decoded.weight), (address_of(&account.public_key).unwrap(), U256::from(3)));
        assert_eq!(set_operator(&account).unwrap(), calls[0]);
        // Only the BLS key goes to the constructor.
        assert_eq!(manager_args(&[account, operator(192, 64)], 1).unwrap(), manager_args(&[operator(192, 64)], 1).unwrap());
    }
}
