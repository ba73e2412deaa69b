//! secp256k1 ECDSA over 32-byte digests, as Ethereum and Cosmos use it.
//!
//! - Secret key: the 32-byte seed *is* the scalar (big-endian); 0 and values ≥ n are
//!   refused rather than reduced, so a key has one encoding.
//! - Public key: SEC1 compressed, 33 bytes ([`verify`] also takes 65-byte uncompressed).
//! - Signature: 65 bytes `r ‖ s ‖ v`, r and s 32-byte big-endian, `v` the recovery id
//!   0 or 1 (27/28 are accepted too, as Ethereum writes them). Signers here always
//!   produce low-s; [`verify`] treats a high-s signature as invalid (`false`), so each
//!   signature has one accepted form.

use k256::ecdsa::{RecoveryId, Signature, SigningKey, VerifyingKey};

use crate::error::{Result, expect_len, malformed};
use crate::hex;

/// Length of a signature with its recovery id.
pub const SIGNATURE_LEN: usize = 65;
/// Length of a compressed public key.
pub const PUBLIC_KEY_LEN: usize = 33;

/// A secp256k1 secret key. The inner key zeroizes itself on drop; `Debug` shows only the
/// public key.
pub struct Secret(SigningKey);

impl Secret {
    /// The seed is the secret scalar itself; `Malformed` if it is 0 or ≥ n.
    pub fn from_seed(seed: &[u8; 32]) -> Result<Self> {
        SigningKey::from_bytes(seed.into())
            .map(Self)
            .map_err(|_| malformed("secp256k1 seed is not a scalar in [1, n-1]"))
    }

    /// The compressed SEC1 public key.
    pub fn public_key(&self) -> [u8; PUBLIC_KEY_LEN] {
        compressed(self.0.verifying_key())
    }

    /// Signs a 32-byte digest: `r ‖ s ‖ recid`, low-s, deterministic (RFC 6979).
    pub fn sign(&self, digest: &[u8]) -> Result<[u8; SIGNATURE_LEN]> {
        expect_len(digest, 32, "secp256k1 digest")?;
        // k256 normalises s to the low half and adjusts the recovery id to match.
        let (signature, recid) = self
            .0
            .sign_prehash_recoverable(digest)
            .map_err(|e| malformed(format!("secp256k1 signing failed: {e}")))?;
        let mut out = [0u8; SIGNATURE_LEN];
        out[..64].copy_from_slice(&signature.to_bytes());
        out[64] = recid.to_byte();
        Ok(out)
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("secp256k1::Secret").field("public_key", &hex(&self.public_key())).finish()
    }
}

/// The compressed public key that signed `digest`, from a 65-byte `r ‖ s ‖ v` signature.
pub fn recover(digest: &[u8], signature: &[u8]) -> Result<[u8; PUBLIC_KEY_LEN]> {
    expect_len(digest, 32, "secp256k1 digest")?;
    expect_len(signature, SIGNATURE_LEN, "secp256k1 recoverable signature")?;
    let sig = parse_rs(&signature[..64])?;
    let recid = parse_v(signature[64])?;
    let key = VerifyingKey::recover_from_prehash(digest, &sig, recid)
        .map_err(|_| malformed("secp256k1 signature recovers no public key"))?;
    Ok(compressed(&key))
}

/// Whether `signature` (64 bytes `r ‖ s`, or 65 with `v`) is `public_key`'s over the
/// 32-byte `digest`. High-s → `false`. With 65 bytes `v` must also recover this key, as
/// an on-chain `ecrecover` would. Bad lengths, an r or s of 0 or ≥ n, an unknown `v`, a
/// public key not on the curve or with a tag other than 02/03 (33 bytes) or 04 (65
/// bytes) → `Malformed`.
pub fn verify(digest: &[u8], public_key: &[u8], signature: &[u8]) -> Result<bool> {
    expect_len(digest, 32, "secp256k1 digest")?;
    // Only 0x02/0x03 ‖ x and 0x04 ‖ x ‖ y: k256 would also take the non-standard
    // "compact" 0x05 ‖ x, a second encoding of the same key.
    match (public_key.len(), public_key.first()) {
        (33, Some(0x02 | 0x03)) | (65, Some(0x04)) => {}
        (33 | 65, tag) => return Err(malformed(format!("secp256k1 public key has a wrong SEC1 tag {tag:?}"))),
        (n, _) => return Err(malformed(format!("secp256k1 public key must be 33 or 65 bytes, got {n}"))),
    }
    let key = VerifyingKey::from_sec1_bytes(public_key)
        .map_err(|_| malformed("secp256k1 public key is not a point on the curve"))?;
    let sig = match signature.len() {
        64 | SIGNATURE_LEN => parse_rs(&signature[..64])?,
        n => return Err(malformed(format!("secp256k1 signature must be 64 or 65 bytes, got {n}"))),
    };
    if sig.normalize_s().is_some() {
        return Ok(false);
    }
    if signature.len() == SIGNATURE_LEN {
        let recid = parse_v(signature[64])?;
        let recovered = VerifyingKey::recover_from_prehash(digest, &sig, recid);
        return Ok(recovered.is_ok_and(|k| k == key));
    }
    use k256::ecdsa::signature::hazmat::PrehashVerifier;
    Ok(key.verify_prehash(digest, &sig).is_ok())
}

fn parse_rs(rs: &[u8]) -> Result<Signature> {
    Signature::from_slice(rs).map_err(|_| malformed("secp256k1 signature r or s is 0 or ≥ n"))
}

fn parse_v(v: u8) -> Result<RecoveryId> {
    match v {
        0 | 1 => Ok(RecoveryId::from_byte(v).expect("0 and 1 are recovery ids")),
        27 | 28 => Ok(RecoveryId::from_byte(v - 27).expect("0 and 1 are recovery ids")),
        _ => Err(malformed(format!("secp256k1 recovery id must be 0, 1, 27 or 28, got {v}"))),
    }
}

fn compressed(key: &VerifyingKey) -> [u8; PUBLIC_KEY_LEN] {
    let point = key.to_encoded_point(true);
    point.as_bytes().try_into().expect("a compressed SEC1 point is 33 bytes")
}
