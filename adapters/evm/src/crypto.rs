//! What operators sign on EVM chains, and how keys and signatures are written there.

use crate::abi::Envelope;
use alloy_primitives::{Address, FixedBytes, eip191_hash_message, keccak256};
use alloy_sol_types::SolValue;

/// The envelope in ABI form; checks the fixed field lengths.
pub fn abi_envelope(event_id: &[u8], ordering: &[u8], payload: &[u8]) -> Result<Envelope, String> {
    if event_id.len() != 20 {
        return Err(format!("event-id must be 20 bytes, got {}", event_id.len()));
    }
    if ordering.len() != 12 {
        return Err(format!("ordering must be 12 bytes, got {}", ordering.len()));
    }
    Ok(Envelope {
        eventId: FixedBytes::<20>::from_slice(event_id),
        ordering: FixedBytes::<12>::from_slice(ordering),
        payload: payload.to_vec().into(),
    })
}

/// keccak256 of the EIP-191 message made of keccak256(abi.encode(envelope)): what the
/// service manager recovers signers from.
pub fn envelope_digest(envelope: &Envelope) -> [u8; 32] {
    let inner = keccak256(envelope.abi_encode());
    eip191_hash_message(inner.as_slice()).0
}

/// The EVM address of a SEC1 secp256k1 public key.
pub fn address_of(public_key: &[u8]) -> Result<Address, String> {
    let key = k256::ecdsa::VerifyingKey::from_sec1_bytes(public_key)
        .map_err(|_| format!("not a secp256k1 public key ({} bytes)", public_key.len()))?;
    Ok(Address::from_public_key(&key))
}

/// Lowercase 0x-hex, the form this adapter uses for addresses in text.
pub fn address_text(address: &Address) -> String {
    format!("0x{}", hex::encode(address.as_slice()))
}

/// Parses a 0x-hex address.
pub fn parse_address(text: &str) -> Result<Address, String> {
    text.trim().parse::<Address>().map_err(|_| format!("{text:?} is not an EVM address (0x + 40 hex digits)"))
}

/// `r || s || recovery-id` (host signer) to `r || s || v` with v = 27 + recovery-id.
pub fn to_eth_signature(signature: &[u8]) -> Result<Vec<u8>, String> {
    if signature.len() != 65 || signature[64] > 1 {
        return Err(format!("expected r || s || recovery-id (65 bytes, id 0 or 1), got {} bytes", signature.len()));
    }
    let mut out = signature.to_vec();
    out[64] += 27;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digest_is_eip191_over_keccak_of_the_abi_tuple() {
        let env = abi_envelope(&[1u8; 20], &[0u8; 12], &[0xab, 0xcd]).unwrap();
        // abi.encode(envelope): offset of the tuple, then eventId, ordering (left-aligned),
        // the payload's offset within the tuple, its length and padded bytes.
        let mut encoded = Vec::new();
        let word = |v: u64| { let mut w = [0u8; 32]; w[24..].copy_from_slice(&v.to_be_bytes()); w };
        encoded.extend(word(0x20));
        let mut id = [0u8; 32]; id[..20].copy_from_slice(&[1u8; 20]); encoded.extend(id);
        encoded.extend([0u8; 32]);
        encoded.extend(word(0x60));
        encoded.extend(word(2));
        let mut data = [0u8; 32]; data[..2].copy_from_slice(&[0xab, 0xcd]); encoded.extend(data);
        let inner = keccak256(&encoded);
        let mut message = b"\x19Ethereum Signed Message:\n32".to_vec();
        message.extend_from_slice(inner.as_slice());
        assert_eq!(envelope_digest(&env), keccak256(&message).0);
    }

    #[test]
    fn bad_field_lengths_are_named() {
        assert!(abi_envelope(&[1u8; 19], &[0u8; 12], &[]).unwrap_err().contains("event-id"));
        assert!(abi_envelope(&[1u8; 20], &[0u8; 11], &[]).unwrap_err().contains("ordering"));
    }

    #[test]
    fn address_of_the_first_dev_account() {
        let key = k256::ecdsa::SigningKey::from_slice(
            &hex::decode("ac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80").unwrap(),
        )
        .unwrap();
        let compressed = key.verifying_key().to_encoded_point(true);
        let address = address_of(compressed.as_bytes()).unwrap();
        assert_eq!(address_text(&address), "0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266");
        assert!(address_of(&[1, 2, 3]).is_err());
    }

    #[test]
    fn signatures_get_v_27_or_28() {
        let mut sig = vec![0u8; 65];
        sig[64] = 1;
        assert_eq!(to_eth_signature(&sig).unwrap()[64], 28);
        sig[64] = 2;
        assert!(to_eth_signature(&sig).is_err());
    }
}
