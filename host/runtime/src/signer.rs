//! The host's secp256k1 signer. Keys live here and never enter WASM: guests get a
//! signature over a digest, nothing more.

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
        let bytes = hex::decode(hex_key.trim().trim_start_matches("0x"))
            .map_err(|e| RuntimeError::Key(format!("private key is not hex: {e}")))?;
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

/// How a configuration names a key: a hex private key, or a mnemonic with an HD path.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct KeyConfig {
    /// 32-byte private key in hex.
    pub private_key: Option<String>,
    /// BIP-39 mnemonic.
    pub mnemonic: Option<String>,
    /// BIP-32 path used with `mnemonic`. Required: the conventional path names a chain's
    /// coin type, and the host keeps no chain knowledge, so the operator states it.
    pub hd_path: Option<String>,
}

impl KeyConfig {
    /// A config holding just a hex private key.
    pub fn from_private_key(key: String) -> Self {
        KeyConfig { private_key: Some(key), ..KeyConfig::default() }
    }

    /// Builds the signer, or says what is missing.
    pub fn signer(&self) -> Result<Signer> {
        match (&self.private_key, &self.mnemonic) {
            (Some(key), None) => Signer::from_hex(key),
            (None, Some(phrase)) => match &self.hd_path {
                Some(path) => Signer::from_mnemonic(phrase, path),
                None => Err(RuntimeError::Key(
                    "mnemonic given without hd-path: add hd-path, e.g. \"m/44'/60'/0'/0/0\"".into(),
                )),
            },
            (Some(_), Some(_)) => Err(RuntimeError::Key("set either private-key or mnemonic, not both".into())),
            (None, None) => Err(RuntimeError::Key("no key configured: set private-key or mnemonic".into())),
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
        let no_path = KeyConfig { mnemonic: Some("test test test test test test test test test test test junk".into()), ..KeyConfig::default() };
        assert!(no_path.signer().unwrap_err().to_string().contains("add hd-path"));
    }
}
