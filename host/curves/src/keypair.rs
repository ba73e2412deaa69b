//! A secret key of any scheme, behind one type the host can hold per chain.

use crate::error::{CurveError, Result};
use crate::{Scheme, bn254, ed25519, secp256k1};

/// A secret key and the scheme it belongs to. Each inner key zeroizes itself on drop;
/// `Debug` prints the scheme and public key, never the secret.
#[derive(Debug)]
pub struct Keypair(Secret);

#[derive(Debug)]
enum Secret {
    Secp256k1(secp256k1::Secret),
    Ed25519(ed25519::Secret),
    Bn254Bls(bn254::bls::Secret),
}

impl Keypair {
    /// The scheme's key for a 32-byte seed (how each scheme reads the seed: crate docs).
    pub fn from_seed(scheme: Scheme, seed: &[u8; 32]) -> Result<Keypair> {
        Ok(Keypair(match scheme {
            Scheme::Secp256k1Ecdsa => Secret::Secp256k1(secp256k1::Secret::from_seed(seed)?),
            Scheme::Ed25519 => Secret::Ed25519(ed25519::Secret::from_seed(seed)),
            Scheme::Bn254Bls => Secret::Bn254Bls(bn254::bls::Secret::from_seed(seed)?),
        }))
    }

    /// Which scheme this key signs with.
    pub fn scheme(&self) -> Scheme {
        match &self.0 {
            Secret::Secp256k1(_) => Scheme::Secp256k1Ecdsa,
            Secret::Ed25519(_) => Scheme::Ed25519,
            Secret::Bn254Bls(_) => Scheme::Bn254Bls,
        }
    }

    /// The public key in the scheme's encoding.
    pub fn public_key(&self) -> Vec<u8> {
        match &self.0 {
            Secret::Secp256k1(k) => k.public_key().to_vec(),
            Secret::Ed25519(k) => k.public_key().to_vec(),
            Secret::Bn254Bls(k) => k.public_key().to_vec(),
        }
    }

    /// Signs `digest` (for Ed25519: the message itself).
    pub fn sign(&self, digest: &[u8]) -> Result<Vec<u8>> {
        Ok(match &self.0 {
            Secret::Secp256k1(k) => k.sign(digest)?.to_vec(),
            Secret::Ed25519(k) => k.sign(digest).to_vec(),
            Secret::Bn254Bls(k) => k.sign(digest)?.to_vec(),
        })
    }

    /// The proof of possession a BLS key registers with; `Unsupported` for the others,
    /// which do not aggregate and need none.
    pub fn prove_possession(&self) -> Result<Vec<u8>> {
        match &self.0 {
            Secret::Bn254Bls(k) => Ok(k.prove_possession().to_vec()),
            _ => Err(CurveError::Unsupported(format!("{} keys have no proof of possession", self.scheme()))),
        }
    }
}
