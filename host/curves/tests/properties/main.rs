//! Property tests per scheme: a signature verifies for its digest and key, and for no
//! other digest, key or altered byte.

mod bn254;
mod ed25519;
mod secp256k1;

use wavs_curves::{Keypair, Scheme, verify};

/// A keypair for `seed`, or `None` for the rare seed the scheme refuses.
pub fn keypair(scheme: Scheme, seed: &[u8; 32]) -> Option<Keypair> {
    Keypair::from_seed(scheme, seed).ok()
}

/// Whether `verify` accepts; `Malformed` counts as not accepting.
pub fn accepts(scheme: Scheme, digest: &[u8], public_key: &[u8], signature: &[u8]) -> bool {
    verify(scheme, digest, public_key, signature).unwrap_or(false)
}

/// The four properties every scheme shares, for one key, digest and altered byte.
pub fn check_signature(scheme: Scheme, seeds: (&[u8; 32], &[u8; 32]), digests: (&[u8], &[u8]), flip: (usize, u8)) {
    let (Some(key), Some(other)) = (keypair(scheme, seeds.0), keypair(scheme, seeds.1)) else { return };
    let signature = key.sign(digests.0).unwrap();
    assert_eq!(verify(scheme, digests.0, &key.public_key(), &signature), Ok(true));
    if digests.0 != digests.1 {
        assert!(!accepts(scheme, digests.1, &key.public_key(), &signature), "accepted over another digest");
    }
    if seeds.0 != seeds.1 {
        assert!(!accepts(scheme, digests.0, &other.public_key(), &signature), "accepted from another key");
    }
    let mut altered = signature.clone();
    let index = flip.0 % altered.len();
    altered[index] ^= flip.1;
    if altered != signature {
        assert!(!accepts(scheme, digests.0, &key.public_key(), &altered), "accepted an altered signature");
    }
}
