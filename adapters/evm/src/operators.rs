//! An operator set as the host sees it, from what a service manager answered.

use crate::bindings::exports::wavs::adapter::adapter::{AdapterError, Operator, OperatorSet};
use alloy_primitives::U256;

/// Builds the operator set of the manager at `manager` from its `getOperators()` and
/// `threshold()` answers read at `height`, the operators named by their ids as text
/// (addresses for an ECDSA manager, keccak ids for a BLS one).
///
/// A weight or threshold the host cannot represent (above u64) is refused, never clamped:
/// clamping would change which signer sets reach the quorum.
pub fn operator_set(manager: &str, operators: &[String], weights: &[U256], threshold: U256, height: u64) -> Result<OperatorSet, AdapterError> {
    if operators.len() != weights.len() {
        return Err(AdapterError::Rejected(format!(
            "service manager {manager}: getOperators returned {} operators but {} weights",
            operators.len(),
            weights.len()
        )));
    }
    let fit = |what: String, value: U256| {
        u64::try_from(value).map_err(|_| {
            AdapterError::Rejected(format!(
                "service manager {manager}: {what} is {value}, more than the largest weight WAVS handles (2^64 - 1)"
            ))
        })
    };
    let operators = operators
        .iter()
        .zip(weights)
        .map(|(id, w)| Ok(Operator { id: id.clone(), weight: fit(format!("the weight of operator {id}"), *w)? }))
        .collect::<Result<_, AdapterError>>()?;
    Ok(OperatorSet { operators, threshold: fit("the threshold".into(), threshold)?, height })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crypto::address_text;
    use crate::test_support::rejected;
    use alloy_primitives::Address;

    fn ids(addresses: &[Address]) -> Vec<String> {
        addresses.iter().map(address_text).collect()
    }

    const MANAGER: &str = "0xe7f1725e7734ce288f8367e1bb143e90bb3f0512";

    #[test]
    fn weights_and_threshold_pass_through() {
        let ops = [Address::repeat_byte(1), Address::repeat_byte(2)];
        let set = operator_set(MANAGER, &ids(&ops), &[U256::from(3), U256::from(u64::MAX)], U256::from(2), 9).unwrap();
        assert_eq!(set.operators[0].id, "0x0101010101010101010101010101010101010101");
        assert_eq!(set.operators[1].weight, u64::MAX);
        assert_eq!((set.threshold, set.height), (2, 9));
    }

    #[test]
    fn a_weight_above_u64_is_refused_naming_the_manager() {
        let big = U256::from(u64::MAX) + U256::from(1);
        let message = rejected(operator_set(MANAGER, &ids(&[Address::repeat_byte(1)]), &[big], U256::from(1), 9));
        assert!(message.contains(MANAGER) && message.contains("18446744073709551616"), "{message}");
        assert!(message.contains("0x0101010101010101010101010101010101010101"), "{message}");
    }

    #[test]
    fn a_threshold_above_u64_is_refused_naming_the_manager() {
        let message = rejected(operator_set(MANAGER, &[], &[], U256::MAX, 9));
        assert!(message.contains(MANAGER) && message.contains("threshold"), "{message}");
    }

    #[test]
    fn mismatched_lists_are_refused() {
        let message = rejected(operator_set(MANAGER, &ids(&[Address::repeat_byte(1)]), &[], U256::from(1), 9));
        assert!(message.contains("1 operators but 0 weights"), "{message}");
    }
}
