//! The envelope digest operators sign on Cosmos and an operator's identity here.
//!
//! Digest: `sha256("wavs-envelope-v1" || u32be(len chain-id) || chain-id || event-id(20)
//! || ordering(12) || u32be(len payload) || payload)`. The chain-id inside means a
//! signature for one chain is worthless on another. The service manager contract
//! computes the same bytes and checks each signature with `secp256k1_verify`.
//!
//! Identity: the lowercase hex of the operator's 33-byte compressed secp256k1 key. The
//! same key is the operator's Ethereum address on EVM chains: one key, valid on both.

use k256::ecdsa::VerifyingKey;
use sha2::{Digest, Sha256};

const DOMAIN: &[u8] = b"wavs-envelope-v1";

/// The 32 bytes operators sign for an envelope on chain `chain_id`.
pub fn envelope_digest(chain_id: &str, event_id: &[u8], ordering: &[u8], payload: &[u8]) -> Result<[u8; 32], String> {
    check_envelope(event_id, ordering)?;
    let mut h = Sha256::new();
    h.update(DOMAIN);
    h.update((chain_id.len() as u32).to_be_bytes());
    h.update(chain_id.as_bytes());
    h.update(event_id);
    h.update(ordering);
    h.update((payload.len() as u32).to_be_bytes());
    h.update(payload);
    Ok(h.finalize().into())
}

/// Event ids are 20 bytes and orderings 12, as on every chain.
pub fn check_envelope(event_id: &[u8], ordering: &[u8]) -> Result<(), String> {
    if event_id.len() != 20 || ordering.len() != 12 {
        return Err(format!(
            "an envelope needs a 20-byte event-id and a 12-byte ordering, got {} and {} bytes",
            event_id.len(),
            ordering.len()
        ));
    }
    Ok(())
}

/// A SEC1 public key (compressed or not) as the chain's operator identity.
pub fn operator_id(public_key: &[u8]) -> Result<String, String> {
    Ok(hex::encode(compressed(public_key)?))
}

/// The 33-byte compressed form of a SEC1 public key.
pub fn compressed(public_key: &[u8]) -> Result<Vec<u8>, String> {
    let key = VerifyingKey::from_sec1_bytes(public_key).map_err(|_| format!("{} bytes are not a secp256k1 public key", public_key.len()))?;
    Ok(key.to_encoded_point(true).as_bytes().to_vec())
}

/// An operator id back to its compressed key; the error names the bad id.
pub fn parse_operator_id(id: &str) -> Result<Vec<u8>, String> {
    let bytes = hex::decode(id).map_err(|_| format!("operator {id:?} is not hex"))?;
    if bytes.len() != 33 {
        return Err(format!("operator {id:?} is not a 33-byte compressed public key"));
    }
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;
    use k256::elliptic_curve::sec1::ToEncodedPoint;

    #[test]
    fn digest_is_sha256_over_the_documented_layout() {
        let digest = envelope_digest("wavs-local-1", &[1; 20], &[2; 12], b"hi").unwrap();
        let mut layout = b"wavs-envelope-v1".to_vec();
        layout.extend([0, 0, 0, 12]);
        layout.extend(b"wavs-local-1");
        layout.extend([1; 20]);
        layout.extend([2; 12]);
        layout.extend([0, 0, 0, 2]);
        layout.extend(b"hi");
        assert_eq!(digest.to_vec(), Sha256::digest(&layout).to_vec());
        // Another chain, another digest.
        assert_ne!(digest, envelope_digest("other-1", &[1; 20], &[2; 12], b"hi").unwrap());
        assert!(envelope_digest("c", &[1; 19], &[2; 12], b"").unwrap_err().contains("20-byte"));
    }

    #[test]
    fn identity_is_the_compressed_key_in_hex() {
        let secret = k256::SecretKey::from_slice(&[7; 32]).unwrap();
        let public = secret.public_key();
        let uncompressed = public.to_encoded_point(false);
        let id = operator_id(uncompressed.as_bytes()).unwrap();
        assert_eq!(id.len(), 66);
        assert_eq!(id, operator_id(public.to_encoded_point(true).as_bytes()).unwrap());
        assert_eq!(parse_operator_id(&id).unwrap(), hex::decode(&id).unwrap());
        assert!(operator_id(&[1, 2, 3]).unwrap_err().contains("not a secp256k1"));
        assert!(parse_operator_id("0xabc").is_err());
    }
}
