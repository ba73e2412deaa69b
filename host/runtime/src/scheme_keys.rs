//! A chain's keys for the schemes other than secp256k1 ECDSA. Each is derived from the
//! chain's secp256k1 key and a tag naming the scheme, so one configured key per chain
//! gives every scheme its own, unrelated key, and the operator backs up nothing new.
//! Derived on first use: most chains never sign with more than one scheme.

use crate::error::{Result, RuntimeError};
use sha2::{Digest, Sha256};
use std::sync::OnceLock;
use wavs_types::Scheme;

/// The derived keys of one chain, each made on first use.
pub(crate) struct SchemeKeys {
    /// The chain's secp256k1 secret, the root of the others.
    root: zeroize::Zeroizing<[u8; 32]>,
    ed25519: OnceLock<wavs_curves::Keypair>,
    bn254: OnceLock<wavs_curves::Keypair>,
}

impl SchemeKeys {
    pub(crate) fn new(root: [u8; 32]) -> Self {
        SchemeKeys { root: zeroize::Zeroizing::new(root), ed25519: OnceLock::new(), bn254: OnceLock::new() }
    }

    /// The keypair for `scheme` (not secp256k1, which the signer holds itself).
    pub(crate) fn keypair(&self, scheme: Scheme) -> Result<&wavs_curves::Keypair> {
        let slot = match scheme {
            Scheme::Ed25519 => &self.ed25519,
            Scheme::Bn254Bls => &self.bn254,
            Scheme::Secp256k1Ecdsa => return Err(RuntimeError::Key("secp256k1 is the chain's own key, not a derived one".into())),
        };
        if let Some(pair) = slot.get() {
            return Ok(pair);
        }
        let pair = wavs_curves::Keypair::from_seed(scheme, &self.seed(scheme))
            .map_err(|e| RuntimeError::Key(format!("cannot derive the {scheme} key: {e}")))?;
        Ok(slot.get_or_init(|| pair))
    }

    /// SHA-256 of a tag naming the scheme and the root: unrelated seeds per scheme.
    fn seed(&self, scheme: Scheme) -> zeroize::Zeroizing<[u8; 32]> {
        let mut hash = Sha256::new();
        hash.update(format!("wavs/chain-key/{}/v1", scheme.as_str()).as_bytes());
        hash.update(self.root.as_slice());
        zeroize::Zeroizing::new(hash.finalize().into())
    }
}
