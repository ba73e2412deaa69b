//! The edges each module's docs promise: which inputs are `false`, which `Malformed`,
//! which `Unsupported`, and that secrets stay out of `Debug`.

use ark_bn254::{Fq2, G2Affine, g2};
use ark_ec::short_weierstrass::SWCurveConfig;
use ark_ff::{Field, One};
use wavs_curves::bn254::{self, bls, encoding};
use wavs_curves::{CurveError, Keypair, Scheme, aggregate_public_keys, aggregate_signatures, ed25519, secp256k1, verify};

fn is_malformed<T: std::fmt::Debug>(result: Result<T, CurveError>, needle: &str) -> bool {
    matches!(&result, Err(CurveError::Malformed(m)) if m.contains(needle)) || panic!("expected Malformed({needle}): {result:?}")
}

/// secp256k1's group order n, big-endian.
const N: &str = "fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141";

#[test]
fn secp256k1_refuses_seeds_outside_the_scalar_range() {
    assert!(is_malformed(secp256k1::Secret::from_seed(&[0; 32]), "scalar"));
    let n: [u8; 32] = hex::decode(N).unwrap().try_into().unwrap();
    assert!(is_malformed(secp256k1::Secret::from_seed(&n), "scalar"));
}

#[test]
fn secp256k1_high_s_is_false_and_bad_bytes_are_malformed() {
    let key = Keypair::from_seed(Scheme::Secp256k1Ecdsa, &[7; 32]).unwrap();
    let digest = [9u8; 32];
    let signature = key.sign(&digest).unwrap();
    // s' = n − s is the same signature's high-s twin, with the other recovery id.
    let s = num(&signature[32..64]);
    let mut high = signature.clone();
    high[32..64].copy_from_slice(&sub(&num(&hex::decode(N).unwrap()), &s));
    high[64] ^= 1;
    assert_eq!(secp256k1::verify(&digest, &key.public_key(), &high), Ok(false));
    assert_eq!(secp256k1::verify(&digest, &key.public_key(), &high[..64]), Ok(false));

    let mut bad_v = signature.clone();
    bad_v[64] = 2;
    assert!(is_malformed(secp256k1::recover(&digest, &bad_v), "recovery id"));
    assert!(is_malformed(secp256k1::verify(&digest[..31], &key.public_key(), &signature), "32 bytes"));
    assert!(is_malformed(secp256k1::verify(&digest, &key.public_key()[..32], &signature), "33 or 65"));
    let mut zero_r = signature.clone();
    zero_r[..32].fill(0);
    assert!(is_malformed(secp256k1::verify(&digest, &key.public_key(), &zero_r), "r or s"));
    // k256 alone would read tag 05 ("compact") as this same key.
    let mut compact = key.public_key();
    compact[0] = 0x05;
    assert!(is_malformed(secp256k1::verify(&digest, &compact, &signature), "tag"));
    // The generator (seed 1's key) with y + 1.
    let g = hex::decode(concat!(
        "0479be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798",
        "483ada7726a3c4655da4fbfc0e1108a8fd17b448a68554199c47d08ffb10d4b8"
    ))
    .unwrap();
    let one = Keypair::from_seed(Scheme::Secp256k1Ecdsa, &num_seed(1)).unwrap();
    assert!(secp256k1::verify(&digest, &g, &one.sign(&digest).unwrap()).unwrap());
    let mut off_curve = g.clone();
    off_curve[64] ^= 1;
    assert!(is_malformed(secp256k1::verify(&digest, &off_curve, &signature), "not a point"));
}

#[test]
fn ed25519_small_order_key_and_non_canonical_s_are_false() {
    // The identity point as key, R = identity, S = 0: cofactored or lax verifiers accept
    // this for every message; strict verification must not.
    let mut identity = [0u8; 32];
    identity[0] = 1;
    let signature = [identity.to_vec(), vec![0; 32]].concat();
    assert_eq!(ed25519::verify(b"anything", &identity, &signature), Ok(false));

    // S + ℓ is the same scalar, not in canonical form.
    let key = ed25519::Secret::from_seed(&[3; 32]);
    let mut signature = key.sign(b"message");
    let ell = hex::decode("edd3f55c1a631258d69cf7a2def9de1400000000000000000000000000000010").unwrap();
    add_le(&mut signature[32..], &ell);
    assert_eq!(ed25519::verify(b"message", &key.public_key(), &signature), Ok(false));
}

#[test]
fn ed25519_undecodable_key_and_bad_lengths_are_malformed() {
    // y = 2 has no x on the curve: (y² − 1) / (d·y² + 1) is not a square.
    let mut key = [0u8; 32];
    key[0] = 2;
    assert!(is_malformed(ed25519::verify(b"m", &key, &[0; 64]), "not a curve point"));
    assert!(is_malformed(ed25519::verify(b"m", &key[..31], &[0; 64]), "32 bytes"));
    assert!(is_malformed(ed25519::verify(b"m", &[0; 32], &[0; 63]), "64 bytes"));
}

#[test]
fn bn254_decoding_names_what_failed() {
    let g1 = bn254::g1_generator();
    let mut big_x = g1;
    big_x[..32].fill(0xff);
    assert!(is_malformed(encoding::decode_g1(&big_x), "G1 x is not below the field modulus"));
    let mut off_curve = g1;
    off_curve[63] = 3;
    assert!(is_malformed(encoding::decode_g1(&off_curve), "G1 point is not on the curve"));
    let mut g2 = bn254::g2_generator();
    g2[127] ^= 1;
    assert!(is_malformed(encoding::decode_g2(&g2), "G2 point is not on the curve"));
    assert!(is_malformed(encoding::decode_g2(&g1), "128 bytes"));
    assert!(is_malformed(encoding::decode_g2(&encoding::encode_g2(&twist_point_outside_subgroup())), "subgroup"));
}

#[test]
fn bn254_infinity_encodes_as_zeros_and_sums_to_it() {
    let g1 = bn254::g1_generator();
    let minus = bn254::g1_neg(&g1).unwrap();
    assert_eq!(bn254::g1_add(&g1, &minus).unwrap(), [0; 64]);
    let g2 = bn254::g2_generator();
    assert_eq!(bn254::g2_add(&g2, &bn254::g2_neg(&g2).unwrap()).unwrap(), [0; 128]);
    assert_eq!(bn254::g1_sum(&[]).unwrap(), [0; 64]);
    assert_eq!(bn254::g2_sum(&[&g2, &g2]).unwrap(), bn254::g2_add(&g2, &g2).unwrap());
    assert_eq!(bn254::g1_mul(&g1, &[0; 32]).unwrap(), [0; 64]);
}

#[test]
fn bls_refuses_a_key_at_infinity_that_would_verify_anything() {
    let zero_key = [0u8; bls::PUBLIC_KEY_LEN];
    assert!(is_malformed(bls::verify(&[1; 32], &zero_key, &[0; 64]), "infinity"));
    assert!(is_malformed(bls::verify(&[1; 31], &zero_key, &[0; 64]), "32 bytes"));
}

#[test]
fn only_bls_aggregates() {
    for scheme in [Scheme::Secp256k1Ecdsa, Scheme::Ed25519] {
        assert!(matches!(aggregate_signatures(scheme, &[]), Err(CurveError::Unsupported(_))));
        assert!(matches!(aggregate_public_keys(scheme, &[]), Err(CurveError::Unsupported(_))));
        let key = Keypair::from_seed(scheme, &[5; 32]).unwrap();
        assert!(matches!(key.prove_possession(), Err(CurveError::Unsupported(_))));
    }
    assert!(is_malformed(aggregate_signatures(Scheme::Bn254Bls, &[]), "no BN254"));
    assert!(is_malformed(aggregate_public_keys(Scheme::Bn254Bls, &[&[0; 64]]), "192 bytes"));
}

#[test]
fn scheme_names_round_trip() {
    for scheme in Scheme::ALL {
        assert_eq!(scheme.as_str().parse::<Scheme>(), Ok(scheme));
        assert_eq!(scheme.to_string(), scheme.as_str());
        assert_eq!(Keypair::from_seed(scheme, &[1; 32]).unwrap().scheme(), scheme);
    }
    assert!("bls12-381".parse::<Scheme>().unwrap_err().contains("unknown signature scheme"));
    assert!(matches!(verify(Scheme::Ed25519, b"", &[], &[]), Err(CurveError::Malformed(_))));
}

#[test]
fn debug_shows_the_public_key_never_the_secret() {
    let vector: serde_json::Value = serde_json::from_str(include_str!("vectors/bn254.json")).unwrap();
    let seed: [u8; 32] = hex::decode(vector["bls"]["seed"].as_str().unwrap()).unwrap().try_into().unwrap();
    let bls_secret = vector["bls"]["secret_key"].as_str().unwrap();
    for scheme in Scheme::ALL {
        let key = Keypair::from_seed(scheme, &seed).unwrap();
        let shown = format!("{key:?}");
        assert!(!shown.contains(&hex::encode(seed)), "{scheme} Debug shows the seed: {shown}");
        assert!(!shown.contains(bls_secret), "{scheme} Debug shows the BLS secret: {shown}");
        assert!(shown.contains(&hex::encode(key.public_key())), "{scheme} Debug lacks the public key");
    }
}

fn num_seed(n: u8) -> [u8; 32] {
    let mut seed = [0u8; 32];
    seed[31] = n;
    seed
}

/// A point on the twist y² = x³ + b' that is not in the order-r subgroup.
fn twist_point_outside_subgroup() -> G2Affine {
    let mut x = Fq2::one();
    loop {
        if let Some(y) = (x.square() * x + g2::Config::COEFF_B).sqrt() {
            let point = G2Affine::new_unchecked(x, y);
            if point.is_on_curve() && !point.is_in_correct_subgroup_assuming_on_curve() {
                return point;
            }
        }
        x += Fq2::one();
    }
}

/// Big-endian 32 bytes as four u64 limbs, most significant first.
fn num(bytes: &[u8]) -> [u64; 4] {
    std::array::from_fn(|i| u64::from_be_bytes(bytes[i * 8..i * 8 + 8].try_into().unwrap()))
}

/// a − b (a ≥ b) as 32 big-endian bytes.
fn sub(a: &[u64; 4], b: &[u64; 4]) -> [u8; 32] {
    let (mut out, mut borrow) = ([0u8; 32], false);
    for i in (0..4).rev() {
        let (d, b1) = a[i].overflowing_sub(b[i]);
        let (d, b2) = d.overflowing_sub(borrow as u64);
        borrow = b1 || b2;
        out[i * 8..i * 8 + 8].copy_from_slice(&d.to_be_bytes());
    }
    out
}

/// `value += addend`, both little-endian, carry out dropped.
fn add_le(value: &mut [u8], addend: &[u8]) {
    let mut carry = 0u16;
    for (v, a) in value.iter_mut().zip(addend) {
        let sum = *v as u16 + *a as u16 + carry;
        *v = sum as u8;
        carry = sum >> 8;
    }
}
