//! The envelope digest operators sign on Cosmos and an operator's identity here.
//!
//! Digest: `sha256("wavs-envelope-v2" || u32be(len chain-id) || chain-id || u32be(len
//! handler) || handler || event-id(20) || ordering(12) || u32be(len payload) || payload)`,
//! with `handler` the handler contract's bech32 address as text. The chain-id and the
//! handler inside mean a signature made for one handler on one chain is worthless to every
//! other handler and on every other chain. The handler contract computes the same bytes
//! from `env.block.chain_id` and its own address, and its service manager checks each
//! signature with `secp256k1_verify` (contracts/cosmos).
//!
//! Identity: the lowercase hex of the operator's 33-byte compressed secp256k1 key.

use k256::ecdsa::VerifyingKey;
use sha2::{Digest, Sha256};

/// Starts every digest; `v1` digests (chain only, no handler) never verify any more.
const DOMAIN: &[u8] = b"wavs-envelope-v2";

/// The 32 bytes operators sign for an envelope to be handled by the handler contract at
/// `handler` (canonical bech32 text) on chain `chain_id`.
pub fn envelope_digest(chain_id: &str, handler: &str, event_id: &[u8], ordering: &[u8], payload: &[u8]) -> Result<[u8; 32], String> {
    check_envelope(event_id, ordering)?;
    let mut h = Sha256::new();
    h.update(DOMAIN);
    h.update(length_prefix("chain-id", chain_id.len())?);
    h.update(chain_id.as_bytes());
    h.update(length_prefix("handler", handler.len())?);
    h.update(handler.as_bytes());
    h.update(event_id);
    h.update(ordering);
    h.update(length_prefix("payload", payload.len())?);
    h.update(payload);
    Ok(h.finalize().into())
}

/// The 4-byte big-endian length of a field; a field too long for it has no digest.
fn length_prefix(field: &str, len: usize) -> Result<[u8; 4], String> {
    u32::try_from(len).map(u32::to_be_bytes).map_err(|_| format!("{field} is {len} bytes, more than a u32 length prefix can carry"))
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

    const HANDLER: &str = "wasm14hj2tavq8fpesdwxxcu44rty3hh90vhujrvcmstl4zr3txmfvw9s0phg4d";

    #[test]
    fn digest_is_sha256_over_the_documented_layout() {
        let digest = envelope_digest("wavs-local-1", HANDLER, &[1; 20], &[2; 12], b"hi").unwrap();
        let mut layout = b"wavs-envelope-v2".to_vec();
        layout.extend([0, 0, 0, 12]);
        layout.extend(b"wavs-local-1");
        layout.extend([0, 0, 0, 63]);
        layout.extend(HANDLER.as_bytes());
        layout.extend([1; 20]);
        layout.extend([2; 12]);
        layout.extend([0, 0, 0, 2]);
        layout.extend(b"hi");
        assert_eq!(digest.to_vec(), Sha256::digest(&layout).to_vec());
        // Computed outside Rust (Python hashlib) from the same layout.
        assert_eq!(hex::encode(digest), "1b0a1c3d8ccb59a36e2c11ceae8266e708a3657ec39564405b53c85aa27f60a4");
        assert!(envelope_digest("c", HANDLER, &[1; 19], &[2; 12], b"").unwrap_err().contains("20-byte"));
    }

    #[test]
    fn digest_matches_the_contracts_known_answer() {
        // The vector of contracts/cosmos/common/src/envelope.rs: adapter and contract agree.
        let event_id: Vec<u8> = (1..=20).collect();
        let ordering = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 7];
        let digest = envelope_digest("cosmos-testnet-14002", HANDLER, &event_id, &ordering, b"hello wavs").unwrap();
        assert_eq!(hex::encode(digest), "77b540226c9fdd369d8b653b23d00b57b77b0597954b268329b925083d71a704");
    }

    #[test]
    fn another_chain_or_handler_gives_another_digest() {
        let base = envelope_digest("wavs-local-1", HANDLER, &[1; 20], &[2; 12], b"hi").unwrap();
        let other = "wasm1suhgf5svhu4usrurvxzlgn54ksxmn8gljarjtxqnapv8kjnp4nrss5maay";
        assert_ne!(base, envelope_digest("other-1", HANDLER, &[1; 20], &[2; 12], b"hi").unwrap());
        assert_ne!(base, envelope_digest("wavs-local-1", other, &[1; 20], &[2; 12], b"hi").unwrap());
        // Length prefixes keep chain-id and handler apart.
        assert_ne!(envelope_digest("ab", "c", &[1; 20], &[2; 12], b"").unwrap(), envelope_digest("a", "bc", &[1; 20], &[2; 12], b"").unwrap());
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
