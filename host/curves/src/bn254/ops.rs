//! Group operations and the pairing check on encoded points, the same operations the
//! EVM offers as precompiles (ECADD, ECMUL, ECPAIRING) plus negation and sums, so an
//! adapter can do natively what a contract will check.

use ark_bn254::{Bn254, G1Affine, G1Projective, G2Affine, G2Projective};
use ark_ec::pairing::Pairing;
use ark_ec::{AffineRepr, CurveGroup};
use ark_ff::Zero;

use super::encoding::{G1_LEN, G2_LEN, decode_g1, decode_g2, decode_scalar, encode_g1, encode_g2};
use crate::error::Result;

/// The G1 generator (1, 2).
pub fn g1_generator() -> [u8; G1_LEN] {
    encode_g1(&G1Affine::generator())
}

/// The G2 generator of EIP-197.
pub fn g2_generator() -> [u8; G2_LEN] {
    encode_g2(&G2Affine::generator())
}

/// a + b in G1.
pub fn g1_add(a: &[u8], b: &[u8]) -> Result<[u8; G1_LEN]> {
    g1_sum(&[a, b])
}

/// scalar · point in G1; the scalar is any 32-byte big-endian value, reduced mod r.
pub fn g1_mul(point: &[u8], scalar: &[u8]) -> Result<[u8; G1_LEN]> {
    let product = decode_g1(point)? * decode_scalar(scalar)?;
    Ok(encode_g1(&product.into_affine()))
}

/// −a in G1.
pub fn g1_neg(a: &[u8]) -> Result<[u8; G1_LEN]> {
    Ok(encode_g1(&-decode_g1(a)?))
}

/// a + b in G2.
pub fn g2_add(a: &[u8], b: &[u8]) -> Result<[u8; G2_LEN]> {
    g2_sum(&[a, b])
}

/// −a in G2.
pub fn g2_neg(a: &[u8]) -> Result<[u8; G2_LEN]> {
    Ok(encode_g2(&-decode_g2(a)?))
}

/// The sum of G1 points (infinity for none).
pub fn g1_sum(points: &[&[u8]]) -> Result<[u8; G1_LEN]> {
    Ok(encode_g1(&sum_g1(points)?))
}

/// The sum of G2 points (infinity for none).
pub fn g2_sum(points: &[&[u8]]) -> Result<[u8; G2_LEN]> {
    Ok(encode_g2(&sum_g2(points)?))
}

pub(super) fn sum_g1(points: &[&[u8]]) -> Result<G1Affine> {
    let mut total = G1Projective::zero();
    for point in points {
        total += decode_g1(point)?;
    }
    Ok(total.into_affine())
}

pub(super) fn sum_g2(points: &[&[u8]]) -> Result<G2Affine> {
    let mut total = G2Projective::zero();
    for point in points {
        total += decode_g2(point)?;
    }
    Ok(total.into_affine())
}

/// Whether the product of the pairings e(g1ᵢ, g2ᵢ) is 1, as ECPAIRING answers; an empty
/// list is `true`, as there.
pub fn pairing_check(pairs: &[(&[u8], &[u8])]) -> Result<bool> {
    let mut g1s = Vec::with_capacity(pairs.len());
    let mut g2s = Vec::with_capacity(pairs.len());
    for (g1, g2) in pairs {
        g1s.push(decode_g1(g1)?);
        g2s.push(decode_g2(g2)?);
    }
    Ok(product_is_one(&g1s, &g2s))
}

/// Whether ∏ e(g1ᵢ, g2ᵢ) = 1 on decoded points.
pub(super) fn product_is_one(g1s: &[G1Affine], g2s: &[G2Affine]) -> bool {
    Bn254::multi_pairing(g1s.iter().copied(), g2s.iter().copied()).is_zero()
}
