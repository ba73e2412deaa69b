//! The testing interface's BLS half: a `WavsBlsServiceManager` registers each operator's
//! G1 and G2 keys with its proof of possession, which the manager checks, so a key cannot
//! be registered by someone who does not hold it.

use crate::abi::{G1Point, G2Point, IWavsBlsServiceManager};
use crate::bindings::exports::wavs::adapter::adapter::AdapterError;
use crate::bindings::exports::wavs::adapter::testing::TestOperator;
use crate::bls;
use alloy_primitives::U256;
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

/// The manager's constructor arguments: `(pk1s, pk2s, pops, weights, threshold)`.
pub fn manager_args(operators: &[TestOperator], threshold: u64) -> Result<Vec<u8>, AdapterError> {
    let (mut pk1s, mut pk2s, mut pops) = (Vec::new(), Vec::new(), Vec::new());
    for operator in operators {
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
}
