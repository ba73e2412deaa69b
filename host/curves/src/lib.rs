//! The host's native curve arithmetic. The node and the aggregator sign with it and
//! expose it to WASM chain adapters as an import, since verifying in WASM is slow. It
//! knows no chain: bytes in, bytes out.
//!
//! This documentation is the normative description of the encodings and formulas; the
//! WIT docs and the contracts follow it exactly.
//!
//! | scheme | secret from the 32-byte seed | public key | signature over the digest |
//! |---|---|---|---|
//! | `secp256k1-ecdsa` ([`secp256k1`]) | the seed is the scalar (0 or ≥ n refused) | 33 bytes SEC1 compressed (verify also takes 65) | 65 bytes `r ‖ s ‖ v`, low-s, v 0/1 (27/28 accepted); digest 32 bytes |
//! | `ed25519` ([`ed25519`]) | the seed is the RFC 8032 secret key | 32 bytes | 64 bytes, RFC 8032 over the digest bytes as the message; strict verification |
//! | `bn254-bls` ([`bn254::bls`]) | SHA-512("wavs/bn254-bls/sk/v1" ‖ seed) mod r | 192 bytes pk1 (G1) ‖ pk2 (G2) | 64 bytes σ = sk·hash_to_g1(digest); digest 32 bytes |
//!
//! BN254 points are encoded as the EVM precompiles take them ([`bn254::encoding`]);
//! hashing to G1 is try-and-increment ([`bn254::hash_to_g1`]).
//!
//! [`verify`] answers `Ok(false)` for a well-formed signature that does not check out,
//! and [`CurveError::Malformed`] for bytes that are not a key or signature of the scheme
//! at all; each module says which case is which.

pub mod bn254;
pub mod ed25519;
mod error;
mod keypair;
pub mod secp256k1;

pub use error::{CurveError, Result};
pub use keypair::Keypair;

/// The schemes, as the wire types name them (one enum for the node, the aggregator and
/// here; `FromStr` and `Display` use the WIT spelling).
pub use wavs_types::Scheme;

/// Whether `signature` is `public_key`'s over `digest` under `scheme`.
pub fn verify(scheme: Scheme, digest: &[u8], public_key: &[u8], signature: &[u8]) -> Result<bool> {
    match scheme {
        Scheme::Secp256k1Ecdsa => secp256k1::verify(digest, public_key, signature),
        Scheme::Ed25519 => ed25519::verify(digest, public_key, signature),
        Scheme::Bn254Bls => bn254::bls::verify(digest, public_key, signature),
    }
}

/// One signature standing for all of `signatures` (over the same digest); only BLS
/// aggregates, the others are `Unsupported`.
pub fn aggregate_signatures(scheme: Scheme, signatures: &[&[u8]]) -> Result<Vec<u8>> {
    match scheme {
        Scheme::Bn254Bls => Ok(bn254::bls::aggregate_signatures(signatures)?.to_vec()),
        other => Err(not_aggregatable(other)),
    }
}

/// One public key standing for all of `public_keys`; only BLS aggregates.
pub fn aggregate_public_keys(scheme: Scheme, public_keys: &[&[u8]]) -> Result<Vec<u8>> {
    match scheme {
        Scheme::Bn254Bls => Ok(bn254::bls::aggregate_public_keys(public_keys)?.to_vec()),
        other => Err(not_aggregatable(other)),
    }
}

fn not_aggregatable(scheme: Scheme) -> CurveError {
    CurveError::Unsupported(format!("{scheme} signatures do not aggregate"))
}

/// Lower-case hex, for `Debug` output of public keys.
pub(crate) fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
