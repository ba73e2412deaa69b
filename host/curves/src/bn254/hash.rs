//! Hashing a 32-byte digest to G1 by try-and-increment, the algorithm EVM BLS libraries
//! run with the modexp precompile, so a contract computes the same point:
//!
//! ```text
//! x = int(digest, big-endian) mod p
//! loop:
//!     β = x³ + 3 mod p
//!     y = β^((p+1)/4) mod p        (p ≡ 3 mod 4, so this is a square root if one exists)
//!     if y² == β: return (x, y)    (this y as computed, no sign normalisation)
//!     x = x + 1 mod p
//! ```
//!
//! G1's cofactor is 1, so every curve point found is in the subgroup. It is not
//! constant-time; digests are public.

use ark_bn254::{Fq, G1Affine};
use ark_ff::{BigInt, BigInteger, Field, One, PrimeField};

use super::encoding::{G1_LEN, encode_g1};
use crate::error::{Result, expect_len};

/// The curve constant b of y² = x³ + 3.
const B: u64 = 3;

/// hash_to_g1 of a 32-byte digest, encoded.
pub fn hash_to_g1(digest: &[u8; 32]) -> [u8; G1_LEN] {
    encode_g1(&hash_point(digest))
}

/// hash_to_g1 on a digest given as a slice: `Malformed` unless it is 32 bytes.
pub(super) fn hash_slice(digest: &[u8]) -> Result<G1Affine> {
    expect_len(digest, 32, "BN254 digest")?;
    Ok(hash_point(digest.try_into().expect("length checked")))
}

pub(super) fn hash_point(digest: &[u8; 32]) -> G1Affine {
    let exponent = sqrt_exponent();
    let b = Fq::from(B);
    let mut x = Fq::from_be_bytes_mod_order(digest);
    loop {
        let beta = x * x * x + b;
        let y = beta.pow(exponent);
        if y.square() == beta {
            return G1Affine::new_unchecked(x, y);
        }
        x += Fq::one();
    }
}

/// (p + 1) / 4; p < 2²⁵⁴ so p + 1 does not overflow.
fn sqrt_exponent() -> BigInt<4> {
    let mut e = Fq::MODULUS;
    e.add_with_carry(&BigInt::from(1u64));
    e.div2();
    e.div2();
    e
}
