//! The host's secp256k1 signer. Keys live here and never enter WASM: guests get a
//! signature over a digest, nothing more, and only where the process lets them
//! ([`AdapterSigner`]).

use crate::error::{Result, RuntimeError};
use k256::ecdsa::{RecoveryId, Signature, SigningKey, VerifyingKey};
use std::sync::Arc;

/// A secp256k1 signing key shared by the tasks of one process.
#[derive(Clone)]
pub struct Signer {
    key: Arc<SigningKey>,
}

impl std::fmt::Debug for Signer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Signer({})", hex::encode(self.public_key()))
    }
}

impl Signer {
    /// A key from 32 bytes of hex (with or without `0x`).
    pub fn from_hex(hex_key: &str) -> Result<Self> {
        let bytes = Self::hex_secret(hex_key)?;
        let key = SigningKey::from_slice(&bytes)
            .map_err(|_| RuntimeError::Key("private key is not a valid secp256k1 scalar".into()))?;
        Ok(Signer { key: Arc::new(key) })
    }

    /// A key derived from a BIP-39 mnemonic along a BIP-32 path such as
    /// `m/44'/60'/0'/0/0`.
    pub fn from_mnemonic(phrase: &str, path: &str) -> Result<Self> {
        let mnemonic = bip39::Mnemonic::parse_normalized(phrase.trim())
            .map_err(|e| RuntimeError::Key(format!("invalid mnemonic: {e}")))?;
        let seed = mnemonic.to_seed("");
        let path: bip32::DerivationPath = path
            .parse()
            .map_err(|e| RuntimeError::Key(format!("invalid derivation path {path:?}: {e}")))?;
        let xprv = bip32::XPrv::derive_from_path(seed, &path)
            .map_err(|e| RuntimeError::Key(format!("derivation failed: {e}")))?;
        let key = xprv.private_key().clone();
        Ok(Signer { key: Arc::new(key) })
    }

    /// 32 secret bytes from hex (with or without `0x`), as [`Signer::from_hex`] reads them.
    pub(crate) fn hex_secret(hex_key: &str) -> Result<zeroize::Zeroizing<Vec<u8>>> {
        let bytes = hex::decode(hex_key.trim().trim_start_matches("0x"))
            .map_err(|e| RuntimeError::Key(format!("private key is not hex: {e}")))?;
        Ok(zeroize::Zeroizing::new(bytes))
    }

    /// The hardened child `index` of the BIP-32 master key made from `seed`.
    pub(crate) fn from_seed_child(seed: &[u8], index: u32) -> Result<Self> {
        let master = bip32::XPrv::new(seed).map_err(|e| RuntimeError::Key(format!("derivation failed: {e}")))?;
        let child = bip32::ChildNumber::new(index, true).map_err(|e| RuntimeError::Key(format!("derivation failed: {e}")))?;
        let xprv = master.derive_child(child).map_err(|e| RuntimeError::Key(format!("derivation failed: {e}")))?;
        Ok(Signer { key: Arc::new(xprv.private_key().clone()) })
    }

    /// The compressed SEC1 public key (33 bytes).
    pub fn public_key(&self) -> Vec<u8> {
        self.key.verifying_key().to_encoded_point(true).as_bytes().to_vec()
    }

    /// Signs a 32-byte digest: returns `r || s || recovery-id` (65 bytes, low-s).
    pub fn sign_digest(&self, digest: &[u8]) -> Result<Vec<u8>> {
        if digest.len() != 32 {
            return Err(RuntimeError::Key(format!(
                "digest must be 32 bytes, got {}",
                digest.len()
            )));
        }
        let (sig, recid) = self
            .key
            .sign_prehash_recoverable(digest)
            .map_err(|e| RuntimeError::Key(format!("signing failed: {e}")))?;
        let mut out = sig.to_bytes().to_vec();
        out.push(recid.to_byte());
        Ok(out)
    }
}

/// What a chain's adapter may do with that chain's key. The aggregator's adapters submit
/// transactions and so sign with it; an operator node's adapters never send
/// transactions, and the node signs only envelopes it built itself, so there they get
/// the public key alone.
#[derive(Clone, Debug)]
pub enum AdapterSigner {
    /// The adapter signs (transactions) with this chain's key.
    Submitting(Signer),
    /// The adapter may read this public key (SEC1 compressed) but sign nothing.
    PublicOnly(Vec<u8>),
}

impl AdapterSigner {
    /// The chain's public key (SEC1 compressed).
    pub fn public_key(&self) -> Vec<u8> {
        match self {
            AdapterSigner::Submitting(signer) => signer.public_key(),
            AdapterSigner::PublicOnly(key) => key.clone(),
        }
    }

    /// Signs for the adapter, or says why this process lets adapters sign nothing.
    pub fn sign_digest(&self, digest: &[u8]) -> Result<Vec<u8>> {
        match self {
            AdapterSigner::Submitting(signer) => signer.sign_digest(digest),
            AdapterSigner::PublicOnly(_) => Err(RuntimeError::Key(
                "adapters sign nothing in an operator node: the node signs the envelopes it builds itself".into(),
            )),
        }
    }
}

/// Recovers the compressed public key that produced `signature` (`r || s || recovery-id`)
/// over `digest`.
pub fn recover_public_key(digest: &[u8], signature: &[u8]) -> Result<Vec<u8>> {
    if signature.len() != 65 || digest.len() != 32 {
        return Err(RuntimeError::Key(format!(
            "expected a 65-byte signature over a 32-byte digest, got {} and {} bytes",
            signature.len(),
            digest.len()
        )));
    }
    let sig = Signature::from_slice(&signature[..64])
        .map_err(|e| RuntimeError::Key(format!("malformed signature: {e}")))?;
    if sig.normalize_s().is_some() {
        return Err(RuntimeError::Key("signature has a high s value".into()));
    }
    let recid = RecoveryId::from_byte(signature[64])
        .ok_or_else(|| RuntimeError::Key(format!("bad recovery id {}", signature[64])))?;
    let key = VerifyingKey::recover_from_prehash(digest, &sig, recid)
        .map_err(|e| RuntimeError::Key(format!("signature does not recover: {e}")))?;
    Ok(key.to_encoded_point(true).as_bytes().to_vec())
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: &str = "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80";

    #[test]
    fn signature_recovers_to_the_signers_public_key() {
        let signer = Signer::from_hex(KEY).unwrap();
        let digest = [7u8; 32];
        let sig = signer.sign_digest(&digest).unwrap();
        assert_eq!(sig.len(), 65);
        assert_eq!(recover_public_key(&digest, &sig).unwrap(), signer.public_key());
        // The same signature over another digest names someone else.
        assert_ne!(recover_public_key(&[8u8; 32], &sig).unwrap(), signer.public_key());
    }

    #[test]
    fn mnemonic_derivation_matches_the_known_first_dev_account() {
        let phrase = "test test test test test test test test test test test junk";
        let derived = Signer::from_mnemonic(phrase, "m/44'/60'/0'/0/0").unwrap();
        assert_eq!(derived.public_key(), Signer::from_hex(KEY).unwrap().public_key());
    }

    #[test]
    fn bad_input_is_refused_with_a_reason() {
        assert!(Signer::from_hex("0xzz").unwrap_err().to_string().contains("not hex"));
        let signer = Signer::from_hex(KEY).unwrap();
        assert!(signer.sign_digest(&[1, 2]).unwrap_err().to_string().contains("32 bytes"));
        let err = recover_public_key(&[0u8; 32], &[0u8; 10]).unwrap_err();
        assert!(err.to_string().contains("65-byte"), "{err}");
        let public_only = AdapterSigner::PublicOnly(signer.public_key());
        assert!(public_only.sign_digest(&[0u8; 32]).unwrap_err().to_string().contains("adapters sign nothing"));
        assert_eq!(public_only.public_key(), signer.public_key());
    }
}
