//! BN254 BLS keys and points between the host's byte encodings (see the `curves` WIT)
//! and the BLS contracts' `G1Point`/`G2Point`, and the operator id the BLS manager gives
//! a key. Both sides put G2 coordinates imaginary part first, so a point's words are its
//! bytes in order.

use crate::abi::{G1Point, G2Point};
use alloy_primitives::{FixedBytes, U256, keccak256};

/// Bytes of a G1 point (`x || y`): a signature, a proof of possession, `pk1`.
pub const G1_LEN: usize = 64;
/// Bytes of a G2 point (`x-im || x-re || y-im || y-re`).
pub const G2_LEN: usize = 128;
/// Bytes of a BLS public key, `pk1 || pk2`.
pub const KEY_LEN: usize = G1_LEN + G2_LEN;

/// The 32-byte big-endian words of `bytes`, which must be `N` words long.
fn words<const N: usize>(bytes: &[u8], what: &str) -> Result<[U256; N], String> {
    if bytes.len() != N * 32 {
        return Err(format!("{what} must be {} bytes, got {}", N * 32, bytes.len()));
    }
    Ok(std::array::from_fn(|i| U256::from_be_slice(&bytes[i * 32..(i + 1) * 32])))
}

/// A 64-byte G1 point as the contracts take it.
pub fn g1(bytes: &[u8], what: &str) -> Result<G1Point, String> {
    let [x, y] = words::<2>(bytes, what)?;
    Ok(G1Point { X: x, Y: y })
}

/// A 128-byte G2 point as the contracts take it.
pub fn g2(bytes: &[u8], what: &str) -> Result<G2Point, String> {
    let [x_im, x_re, y_im, y_re] = words::<4>(bytes, what)?;
    Ok(G2Point { X: [x_im, x_re], Y: [y_im, y_re] })
}

/// A 192-byte public key's halves, `pk1` and `pk2`.
pub fn split_key(key: &[u8]) -> Result<(G1Point, G2Point), String> {
    if key.len() != KEY_LEN {
        return Err(format!("a bn254-bls public key must be {KEY_LEN} bytes (pk1 || pk2), got {}", key.len()));
    }
    Ok((g1(&key[..G1_LEN], "pk1")?, g2(&key[G1_LEN..], "pk2")?))
}

/// The manager's id of a key: keccak256(pk1.X || pk1.Y), which is the hash of the key's
/// first 64 bytes.
pub fn id_of(key: &[u8]) -> Result<FixedBytes<32>, String> {
    split_key(key)?;
    Ok(keccak256(&key[..G1_LEN]))
}

/// An id as the host names operators: 0x and 64 lowercase hex digits.
pub fn id_text(id: &FixedBytes<32>) -> String {
    format!("0x{}", hex::encode(id))
}

#[cfg(test)]
mod tests {
    use super::*;
    use wavs_curves::{Keypair, Scheme};

    fn key() -> Vec<u8> {
        Keypair::from_seed(Scheme::Bn254Bls, &[3; 32]).unwrap().public_key()
    }

    #[test]
    fn a_key_splits_into_words_in_byte_order() {
        let key = key();
        let (pk1, pk2) = split_key(&key).unwrap();
        assert_eq!(pk1.X, U256::from_be_slice(&key[..32]));
        assert_eq!(pk1.Y, U256::from_be_slice(&key[32..64]));
        assert_eq!(pk2.X, [U256::from_be_slice(&key[64..96]), U256::from_be_slice(&key[96..128])]);
        assert_eq!(pk2.Y, [U256::from_be_slice(&key[128..160]), U256::from_be_slice(&key[160..192])]);
    }

    #[test]
    fn the_id_hashes_pk1_as_the_manager_does() {
        let key = key();
        let (pk1, _) = split_key(&key).unwrap();
        let packed: Vec<u8> = [pk1.X.to_be_bytes::<32>(), pk1.Y.to_be_bytes::<32>()].concat();
        let text = id_text(&id_of(&key).unwrap());
        assert_eq!(text, format!("0x{}", hex::encode(keccak256(packed))));
        assert_eq!(text.len(), 66);
        assert_eq!(text, text.to_lowercase());
    }

    #[test]
    fn wrong_lengths_are_refused() {
        assert!(split_key(&[0; 191]).unwrap_err().contains("192 bytes"));
        assert!(g1(&[0; 65], "pop").unwrap_err().contains("pop must be 64 bytes"));
    }
}
