//! Turns revert data into words: `Error(string)`, or the reference contracts' custom
//! errors by name and arguments.

use crate::abi::{IWavsBlsServiceManager, IWavsPeerAddresses, IWavsServiceHandler, IWavsServiceManager, IWavsServiceURI};
use alloy_sol_types::{SolInterface, sol_data, SolType};

/// Decodes 0x-hex revert data; `None` if it is empty or not hex.
pub fn decode_revert(data_hex: &str) -> Option<String> {
    let data = hex::decode(data_hex.trim_start_matches("0x")).ok()?;
    if data.len() < 4 {
        return None;
    }
    if data[..4] == [0x08, 0xc3, 0x79, 0xa0] {
        if let Ok(reason) = <sol_data::String as SolType>::abi_decode(&data[4..]) {
            return Some(reason);
        }
    }
    if let Ok(e) = IWavsServiceManager::IWavsServiceManagerErrors::abi_decode(&data) {
        return Some(strip_variant(format!("{e:?}")));
    }
    if let Ok(e) = IWavsServiceHandler::IWavsServiceHandlerErrors::abi_decode(&data) {
        return Some(strip_variant(format!("{e:?}")));
    }
    if let Ok(e) = IWavsBlsServiceManager::IWavsBlsServiceManagerErrors::abi_decode(&data) {
        return Some(strip_variant(format!("{e:?}")));
    }
    if let Ok(e) = IWavsServiceURI::IWavsServiceURIErrors::abi_decode(&data) {
        return Some(strip_variant(format!("{e:?}")));
    }
    if let Ok(e) = IWavsPeerAddresses::IWavsPeerAddressesErrors::abi_decode(&data) {
        return Some(strip_variant(format!("{e:?}")));
    }
    Some(format!("unknown error 0x{}", hex::encode(&data)))
}

/// `InsufficientQuorum(InsufficientQuorum { a: 1 })` -> `InsufficientQuorum { a: 1 }`.
fn strip_variant(debug: String) -> String {
    match debug.split_once('(') {
        Some((_, inner)) if inner.ends_with(')') => inner[..inner.len() - 1].to_string(),
        _ => debug,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloy_primitives::U256;
    use alloy_sol_types::SolError;

    #[test]
    fn custom_errors_are_named_with_their_arguments() {
        let data = IWavsServiceManager::InsufficientQuorum { signedWeight: U256::from(1), requiredWeight: U256::from(2) }.abi_encode();
        let text = decode_revert(&format!("0x{}", hex::encode(data))).unwrap();
        assert!(text.starts_with("InsufficientQuorum"), "{text}");
        assert!(text.contains('1') && text.contains('2'), "{text}");
    }

    #[test]
    fn a_replayed_signature_is_named_invalid_signature() {
        // What a handler reverts with when signatures were made for another destination.
        let data = IWavsServiceManager::InvalidSignature { index: U256::from(0) }.abi_encode();
        let text = decode_revert(&format!("0x{}", hex::encode(data))).unwrap();
        assert!(text.starts_with("InvalidSignature") && text.contains("index: 0"), "{text}");
    }

    #[test]
    fn bls_manager_errors_are_named() {
        let data = IWavsBlsServiceManager::NonSignerOutOfRange { index: 3, operatorCount: U256::from(2) }.abi_encode();
        let text = decode_revert(&format!("0x{}", hex::encode(data))).unwrap();
        assert!(text.starts_with("NonSignerOutOfRange") && text.contains("index: 3"), "{text}");
    }

    #[test]
    fn error_strings_and_unknown_data() {
        let mut data = vec![0x08, 0xc3, 0x79, 0xa0];
        data.extend(<sol_data::String as SolType>::abi_encode(&"boom".to_string()));
        assert_eq!(decode_revert(&hex::encode(&data)).unwrap(), "boom");
        assert!(decode_revert("0xdeadbeef00").unwrap().starts_with("unknown error"));
        assert_eq!(decode_revert("0x"), None);
    }
}
