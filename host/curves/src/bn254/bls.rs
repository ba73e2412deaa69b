//! BLS signatures over BN254, in the shape EVM contracts check with ECPAIRING:
//! signatures in G1, keys in both groups.
//!
//! - Secret key: sk = int(SHA-512("wavs/bn254-bls/sk/v1" ‖ seed), 64 bytes big-endian)
//!   mod r; a zero sk is refused.
//! - Public key, 192 bytes: pk1 ‖ pk2 = encode(sk·G1) ‖ encode(sk·G2). Contracts sum
//!   pk1 in G1 (cheap) and check against pk2 in G2, so [`verify`] insists the two
//!   halves share one secret.
//! - Signature over a 32-byte digest: σ = sk·H(digest), 64 bytes, H = [`hash_to_g1`].
//! - Verify: true iff e(σ, −G2)·e(H(digest), pk2) = 1 and e(pk1, −G2)·e(G1, pk2) = 1.
//!   A public key with either half at infinity is `Malformed` (no secret has it, and
//!   with σ = ∞ it would verify anything).
//! - Proof of possession (against rogue-key aggregates): pop_digest = SHA-256(
//!   "wavs/bn254-bls/pop/v1" ‖ pk1 ‖ pk2); the proof is sk·H(pop_digest), checked like a
//!   signature over that digest.
//! - Aggregation: signatures and pk1 add in G1, pk2 in G2; an aggregate key is again
//!   192 bytes and verifies an aggregate signature over one digest.
//!
//! [`hash_to_g1`]: super::hash_to_g1

use ark_bn254::{Fr, G1Affine, G2Affine};
use ark_ec::{AffineRepr, CurveGroup};
use ark_ff::{PrimeField, Zero};
use sha2::{Digest, Sha256, Sha512};
use std::collections::HashMap;
use std::sync::{LazyLock, Mutex};
use zeroize::Zeroize;

use super::encoding::{G1_LEN, G2_LEN, decode_g1, decode_g2, encode_g1, encode_g2};
use super::hash::{hash_point, hash_slice};
use super::ops::{product_is_one, sum_g1, sum_g2};
use crate::error::{Result, expect_len, malformed};
use crate::hex;

/// Length of a public key (pk1 ‖ pk2).
pub const PUBLIC_KEY_LEN: usize = G1_LEN + G2_LEN;
/// Length of a signature or proof of possession.
pub const SIGNATURE_LEN: usize = G1_LEN;

const SK_TAG: &[u8] = b"wavs/bn254-bls/sk/v1";
const POP_TAG: &[u8] = b"wavs/bn254-bls/pop/v1";

/// A BLS secret key; zeroized on drop. `Debug` shows only the public key.
pub struct Secret(Fr);

impl Secret {
    /// Derives sk from the seed by the SHA-512 rule above; `Malformed` if it is zero.
    pub fn from_seed(seed: &[u8; 32]) -> Result<Self> {
        let mut wide: [u8; 64] = Sha512::new().chain_update(SK_TAG).chain_update(seed).finalize().into();
        let sk = Fr::from_be_bytes_mod_order(&wide);
        wide.zeroize();
        if sk.is_zero() {
            return Err(malformed("BN254 BLS seed derives the zero secret key"));
        }
        Ok(Self(sk))
    }

    /// pk1 ‖ pk2, 192 bytes.
    pub fn public_key(&self) -> [u8; PUBLIC_KEY_LEN] {
        let mut out = [0u8; PUBLIC_KEY_LEN];
        out[..G1_LEN].copy_from_slice(&encode_g1(&(G1Affine::generator() * self.0).into_affine()));
        out[G1_LEN..].copy_from_slice(&encode_g2(&(G2Affine::generator() * self.0).into_affine()));
        out
    }

    /// σ = sk·H(digest) for a 32-byte digest.
    pub fn sign(&self, digest: &[u8]) -> Result<[u8; SIGNATURE_LEN]> {
        Ok(encode_g1(&(hash_slice(digest)? * self.0).into_affine()))
    }

    /// The proof of possession of this key: its signature over [`pop_digest`].
    pub fn prove_possession(&self) -> [u8; SIGNATURE_LEN] {
        let digest = pop_digest(&self.public_key()).expect("own key has the right length");
        encode_g1(&(hash_point(&digest) * self.0).into_affine())
    }
}

impl Drop for Secret {
    fn drop(&mut self) {
        self.0.zeroize();
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("bn254::bls::Secret").field("public_key", &hex(&self.public_key())).finish()
    }
}

/// A decoded, non-degenerate public key.
#[derive(Clone, Copy)]
struct PublicKey {
    pk1: G1Affine,
    pk2: G2Affine,
}

fn decode_public_key(bytes: &[u8]) -> Result<PublicKey> {
    expect_len(bytes, PUBLIC_KEY_LEN, "BN254 BLS public key")?;
    let pk1 = decode_g1(&bytes[..G1_LEN])?;
    let pk2 = decode_g2(&bytes[G1_LEN..])?;
    if pk1.is_zero() || pk2.is_zero() {
        return Err(malformed("BN254 BLS public key has a half at infinity"));
    }
    Ok(PublicKey { pk1, pk2 })
}

/// Whether `signature` is `public_key`'s over the 32-byte `digest` (rules above).
pub fn verify(digest: &[u8], public_key: &[u8], signature: &[u8]) -> Result<bool> {
    let message = hash_slice(digest)?;
    expect_len(signature, SIGNATURE_LEN, "BN254 BLS signature")?;
    let sigma = decode_g1(signature)?;
    let Some(key) = checked_key(public_key)? else { return Ok(false) };
    Ok(product_is_one(&[sigma, message], &[-G2Affine::generator(), key.pk2]))
}

/// Most keys [`checked_key`] remembers; an aggregator meets a few operator sets' worth.
const CHECKED_KEYS: usize = 4096;

/// Keys whose halves were found to share one secret. Operators sign with the same key
/// again and again; checking the halves is a second pairing product and the G2 subgroup
/// check, about half of a verify, so it is done once per key. Only keys that passed are
/// kept, and the set is emptied when full, so no input can grow or poison it.
static CHECKED: LazyLock<Mutex<HashMap<[u8; PUBLIC_KEY_LEN], PublicKey>>> = LazyLock::new(Default::default);

/// `public_key` decoded, if its halves share one secret; `None` if they do not.
fn checked_key(public_key: &[u8]) -> Result<Option<PublicKey>> {
    expect_len(public_key, PUBLIC_KEY_LEN, "BN254 BLS public key")?;
    let bytes: [u8; PUBLIC_KEY_LEN] = public_key.try_into().expect("length checked");
    if let Some(key) = CHECKED.lock().unwrap_or_else(|p| p.into_inner()).get(&bytes) {
        return Ok(Some(*key));
    }
    let key = decode_public_key(&bytes)?;
    if !product_is_one(&[key.pk1, G1Affine::generator()], &[-G2Affine::generator(), key.pk2]) {
        return Ok(None);
    }
    let mut checked = CHECKED.lock().unwrap_or_else(|p| p.into_inner());
    if checked.len() >= CHECKED_KEYS {
        checked.clear();
    }
    checked.insert(bytes, key);
    Ok(Some(key))
}

/// SHA-256("wavs/bn254-bls/pop/v1" ‖ pk1 ‖ pk2), the digest a proof of possession signs.
pub fn pop_digest(public_key: &[u8]) -> Result<[u8; 32]> {
    expect_len(public_key, PUBLIC_KEY_LEN, "BN254 BLS public key")?;
    Ok(Sha256::new().chain_update(POP_TAG).chain_update(public_key).finalize().into())
}

/// Whether `proof` proves possession of `public_key`'s secret.
pub fn verify_possession(public_key: &[u8], proof: &[u8]) -> Result<bool> {
    verify(&pop_digest(public_key)?, public_key, proof)
}

/// The sum of signatures in G1. `Malformed` for an empty list: an aggregate of nobody
/// is no signature.
pub fn aggregate_signatures(signatures: &[&[u8]]) -> Result<[u8; SIGNATURE_LEN]> {
    if signatures.is_empty() {
        return Err(malformed("no BN254 BLS signatures to aggregate"));
    }
    for signature in signatures {
        expect_len(signature, SIGNATURE_LEN, "BN254 BLS signature")?;
    }
    Ok(encode_g1(&sum_g1(signatures)?))
}

/// The sum of 192-byte public keys: pk1s in G1 ‖ pk2s in G2. `Malformed` for an empty
/// list. Safe against rogue keys only for keys whose possession was proven.
pub fn aggregate_public_keys(public_keys: &[&[u8]]) -> Result<[u8; PUBLIC_KEY_LEN]> {
    if public_keys.is_empty() {
        return Err(malformed("no BN254 BLS public keys to aggregate"));
    }
    for key in public_keys {
        expect_len(key, PUBLIC_KEY_LEN, "BN254 BLS public key")?;
    }
    let pk1s: Vec<&[u8]> = public_keys.iter().map(|k| &k[..G1_LEN]).collect();
    let pk2s: Vec<&[u8]> = public_keys.iter().map(|k| &k[G1_LEN..]).collect();
    let mut out = [0u8; PUBLIC_KEY_LEN];
    out[..G1_LEN].copy_from_slice(&encode_g1(&sum_g1(&pk1s)?));
    out[G1_LEN..].copy_from_slice(&encode_g2(&sum_g2(&pk2s)?));
    Ok(out)
}
