//! Ed25519 as RFC 8032 defines it (pure Ed25519, no prehash, no context).
//!
//! - Secret key: the 32-byte seed *is* the RFC 8032 secret key.
//! - Public key: 32 bytes. Signature: 64 bytes `R ‖ S`.
//! - The bytes passed as the "digest" are the message that is signed, as they are.
//! - [`verify`] is strict (`verify_strict`): a public key of small order, a
//!   non-canonical `S` or `R`, or any other failed check is `false`. Only inputs that
//!   are not an Ed25519 key or signature at all are `Malformed`: a wrong length, or a
//!   public key that does not decode to a curve point.

use ed25519_dalek::{Signature, Signer, SigningKey, VerifyingKey};

use crate::error::{Result, expect_len, malformed};
use crate::hex;

/// Length of a public key.
pub const PUBLIC_KEY_LEN: usize = 32;
/// Length of a signature.
pub const SIGNATURE_LEN: usize = 64;

/// An Ed25519 secret key; zeroized on drop (ed25519-dalek's `zeroize` feature). `Debug`
/// shows only the public key.
pub struct Secret(SigningKey);

impl Secret {
    /// The seed is the RFC 8032 secret key; every 32-byte value is one.
    pub fn from_seed(seed: &[u8; 32]) -> Self {
        Self(SigningKey::from_bytes(seed))
    }

    /// The 32-byte public key.
    pub fn public_key(&self) -> [u8; PUBLIC_KEY_LEN] {
        self.0.verifying_key().to_bytes()
    }

    /// Signs `message` (any length).
    pub fn sign(&self, message: &[u8]) -> [u8; SIGNATURE_LEN] {
        self.0.sign(message).to_bytes()
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ed25519::Secret").field("public_key", &hex(&self.public_key())).finish()
    }
}

/// Whether `signature` is `public_key`'s over `message`, by strict verification.
pub fn verify(message: &[u8], public_key: &[u8], signature: &[u8]) -> Result<bool> {
    expect_len(public_key, PUBLIC_KEY_LEN, "ed25519 public key")?;
    expect_len(signature, SIGNATURE_LEN, "ed25519 signature")?;
    let key_bytes: [u8; PUBLIC_KEY_LEN] = public_key.try_into().expect("length checked");
    let key = VerifyingKey::from_bytes(&key_bytes)
        .map_err(|_| malformed("ed25519 public key is not a curve point"))?;
    let sig = Signature::from_bytes(&signature.try_into().expect("length checked"));
    Ok(key.verify_strict(message, &sig).is_ok())
}
