//! Byte encodings of BN254 points and scalars, the ones the EVM precompiles take
//! (EIP-196/197), so a contract can hand our bytes straight to them.
//!
//! - Field element: 32 bytes big-endian, must be < p.
//! - G1: 64 bytes `x ‖ y`. The point at infinity is 64 zero bytes.
//! - G2: 128 bytes `x_im ‖ x_re ‖ y_im ‖ y_re` (for x = x_re + x_im·u). The point at
//!   infinity is 128 zero bytes.
//! - Scalar: 32 bytes big-endian.
//!
//! Decoding checks each coordinate < p, the point on the curve and, for G2, in the
//! prime-order subgroup (G1's cofactor is 1, so on the curve is enough). (0, 0) is on
//! neither curve, so the all-zero encoding of infinity is unambiguous.

use ark_bn254::{Fq, Fq2, Fr, G1Affine, G2Affine};
use ark_ec::AffineRepr;
use ark_ec::short_weierstrass::{Affine, SWCurveConfig};
use ark_ff::{BigInt, BigInteger, PrimeField};

use crate::error::{Result, expect_len, malformed};

/// Length of an encoded G1 point.
pub const G1_LEN: usize = 64;
/// Length of an encoded G2 point.
pub const G2_LEN: usize = 128;

/// Decodes a 32-byte big-endian field element, refusing values ≥ p.
fn fq_from_be(bytes: &[u8], what: &str) -> Result<Fq> {
    let mut limbs = [0u64; 4];
    for (i, chunk) in bytes.chunks_exact(8).enumerate() {
        limbs[3 - i] = u64::from_be_bytes(chunk.try_into().expect("8-byte chunk"));
    }
    Fq::from_bigint(BigInt::new(limbs)).ok_or_else(|| malformed(format!("{what} is not below the field modulus p")))
}

fn fq_to_be(value: &Fq, out: &mut [u8]) {
    out.copy_from_slice(&value.into_bigint().to_bytes_be());
}

/// Decodes a G1 point (64 bytes `x ‖ y`).
pub fn decode_g1(bytes: &[u8]) -> Result<G1Affine> {
    decode_point(bytes, G1_LEN, "G1", |b| Ok((fq_from_be(&b[..32], "G1 x")?, fq_from_be(&b[32..], "G1 y")?)))
}

/// Encodes a G1 point (64 bytes; infinity as zeros).
pub fn encode_g1(point: &G1Affine) -> [u8; G1_LEN] {
    let mut out = [0u8; G1_LEN];
    if let Some((x, y)) = point.xy() {
        fq_to_be(&x, &mut out[..32]);
        fq_to_be(&y, &mut out[32..]);
    }
    out
}

/// Decodes a G2 point (128 bytes, EIP-197 order), checking the subgroup.
pub fn decode_g2(bytes: &[u8]) -> Result<G2Affine> {
    decode_point(bytes, G2_LEN, "G2", |b| {
        let x = Fq2::new(fq_from_be(&b[32..64], "G2 x_re")?, fq_from_be(&b[..32], "G2 x_im")?);
        let y = Fq2::new(fq_from_be(&b[96..], "G2 y_re")?, fq_from_be(&b[64..96], "G2 y_im")?);
        Ok((x, y))
    })
}

/// Encodes a G2 point (128 bytes, EIP-197 order; infinity as zeros).
pub fn encode_g2(point: &G2Affine) -> [u8; G2_LEN] {
    let mut out = [0u8; G2_LEN];
    if let Some((x, y)) = point.xy() {
        fq_to_be(&x.c1, &mut out[..32]);
        fq_to_be(&x.c0, &mut out[32..64]);
        fq_to_be(&y.c1, &mut out[64..96]);
        fq_to_be(&y.c0, &mut out[96..]);
    }
    out
}

/// The checks both groups share: length, all zeros = infinity, on the curve, in the
/// subgroup (arkworks: trivially true for G1; for G2 the ψ-endomorphism test).
fn decode_point<P: SWCurveConfig>(
    bytes: &[u8],
    len: usize,
    group: &str,
    coordinates: impl FnOnce(&[u8]) -> Result<(P::BaseField, P::BaseField)>,
) -> Result<Affine<P>> {
    expect_len(bytes, len, &format!("{group} point"))?;
    if bytes.iter().all(|b| *b == 0) {
        return Ok(Affine::identity());
    }
    let (x, y) = coordinates(bytes)?;
    let point = Affine::<P>::new_unchecked(x, y);
    if !point.is_on_curve() {
        return Err(malformed(format!("{group} point is not on the curve")));
    }
    if !point.is_in_correct_subgroup_assuming_on_curve() {
        return Err(malformed(format!("{group} point is not in the prime-order subgroup")));
    }
    Ok(point)
}

/// Decodes a 32-byte big-endian scalar, reduced mod r as the EVM precompile does.
pub fn decode_scalar(bytes: &[u8]) -> Result<Fr> {
    expect_len(bytes, 32, "scalar")?;
    Ok(Fr::from_be_bytes_mod_order(bytes))
}
