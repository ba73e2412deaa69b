//! The host's signer: a chain's secp256k1 key and the keys of the other schemes derived
//! from it (`scheme_keys.rs`). Keys live here and never enter WASM: guests get a
//! signature over a digest, nothing more, and only where the process lets them
//! ([`AdapterSigner`]).

use crate::error::{Result, RuntimeError};
use crate::scheme_keys::SchemeKeys;
use k256::ecdsa::{RecoveryId, Signature, SigningKey};
use std::collections::BTreeMap;
use std::sync::Arc;
use wavs_types::Scheme;

/// A chain's signing keys, one per scheme, shared by the tasks of one process.
#[derive(Clone)]
pub struct Signer {
    key: Arc<SigningKey>,
    derived: Arc<SchemeKeys>,
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
        Ok(Signer::of(key))
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
        Ok(Signer::of(key))
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
        Ok(Signer::of(xprv.private_key().clone()))
    }

    /// The secp256k1 secret, for deriving a service's key from this one (`service_keys.rs`).
    pub(crate) fn secret_bytes(&self) -> zeroize::Zeroizing<[u8; 32]> {
        zeroize::Zeroizing::new(self.key.to_bytes().into())
    }

    fn of(key: SigningKey) -> Self {
        let derived = Arc::new(SchemeKeys::new(key.to_bytes().into()));
        Signer { key: Arc::new(key), derived }
    }

    /// The public key for `scheme`, encoded as the adapter world's `curves` says.
    pub fn public_key_for(&self, scheme: Scheme) -> Result<Vec<u8>> {
        match scheme {
            Scheme::Secp256k1Ecdsa => Ok(self.public_key()),
            other => Ok(self.derived.keypair(other)?.public_key()),
        }
    }

    /// Signs a 32-byte digest with the key for `scheme`.
    pub fn sign_for(&self, scheme: Scheme, digest: &[u8]) -> Result<Vec<u8>> {
        match scheme {
            Scheme::Secp256k1Ecdsa => self.sign_digest(digest),
            other => {
                if digest.len() != 32 {
                    return Err(RuntimeError::Key(format!("digest must be 32 bytes, got {}", digest.len())));
                }
                self.derived.keypair(other)?.sign(digest).map_err(|e| RuntimeError::Key(format!("{other} signing failed: {e}")))
            }
        }
    }

    /// Proof that this chain's key for `scheme` is held here, for schemes whose
    /// contracts refuse keys without one (bn254-bls); empty for the others.
    pub fn possession_proof(&self, scheme: Scheme) -> Result<Vec<u8>> {
        match scheme {
            Scheme::Bn254Bls => self.derived.keypair(scheme)?.prove_possession().map_err(|e| RuntimeError::Key(e.to_string())),
            _ => Ok(vec![]),
        }
    }

    /// The public keys of every scheme.
    pub fn public_keys(&self) -> Result<PublicKeys> {
        let keys = Scheme::ALL.iter().map(|s| Ok((*s, self.public_key_for(*s)?))).collect::<Result<_>>()?;
        Ok(PublicKeys(Arc::new(keys)))
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

/// A chain's public keys, one per scheme.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PublicKeys(Arc<BTreeMap<Scheme, Vec<u8>>>);

impl PublicKeys {
    /// The public key for `scheme`.
    pub fn get(&self, scheme: Scheme) -> Vec<u8> {
        self.0.get(&scheme).cloned().unwrap_or_default()
    }
}

/// What a chain's adapter may do with that chain's keys. The aggregator's adapters submit
/// transactions and so sign with them; an operator node's adapters never send
/// transactions, and the node signs only envelopes it built itself, so there they get
/// the public keys alone.
#[derive(Clone, Debug)]
pub enum AdapterSigner {
    /// The adapter signs (transactions) with this chain's keys.
    Submitting(Signer),
    /// The adapter may read these public keys but sign nothing.
    PublicOnly(PublicKeys),
}

impl AdapterSigner {
    /// The public keys of `signer`, and no signing.
    pub fn public_only(signer: &Signer) -> Result<Self> {
        Ok(AdapterSigner::PublicOnly(signer.public_keys()?))
    }

    /// The chain's public key for `scheme`.
    pub fn public_key(&self, scheme: Scheme) -> Result<Vec<u8>> {
        match self {
            AdapterSigner::Submitting(signer) => signer.public_key_for(scheme),
            AdapterSigner::PublicOnly(keys) => Ok(keys.get(scheme)),
        }
    }

    /// Signs for the adapter, or says why this process lets adapters sign nothing.
    pub fn sign_digest(&self, scheme: Scheme, digest: &[u8]) -> Result<Vec<u8>> {
        match self {
            AdapterSigner::Submitting(signer) => signer.sign_for(scheme, digest),
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
    recover_with_libsecp256k1(digest, &signature[..64], recid.to_byte())
}

/// The recovery itself, on libsecp256k1 (measured 40 µs against k256's 223; the
/// signature was parsed and checked above, so both libraries see the same input).
fn recover_with_libsecp256k1(digest: &[u8], compact: &[u8], recid: u8) -> Result<Vec<u8>> {
    use secp256k1::ecdsa::{RecoverableSignature, RecoveryId as LibRecoveryId};
    // One verification context for the process: building one allocates and randomizes.
    static CONTEXT: std::sync::LazyLock<secp256k1::Secp256k1<secp256k1::VerifyOnly>> =
        std::sync::LazyLock::new(secp256k1::Secp256k1::verification_only);
    let recid = LibRecoveryId::try_from(i32::from(recid)).map_err(|e| RuntimeError::Key(format!("bad recovery id: {e}")))?;
    let sig = RecoverableSignature::from_compact(compact, recid)
        .map_err(|e| RuntimeError::Key(format!("malformed signature: {e}")))?;
    let digest: [u8; 32] = digest.try_into().map_err(|_| RuntimeError::Key("digest must be 32 bytes".into()))?;
    let message = secp256k1::Message::from_digest(digest);
    let key = CONTEXT
        .recover_ecdsa(message, &sig)
        .map_err(|e| RuntimeError::Key(format!("signature does not recover: {e}")))?;
    Ok(key.serialize().to_vec())
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

    /// k256's own recovery, as `recover_public_key` did it before libsecp256k1.
    fn recover_with_k256(digest: &[u8], signature: &[u8]) -> Option<Vec<u8>> {
        let sig = Signature::from_slice(&signature[..64]).ok()?;
        let recid = RecoveryId::from_byte(signature[64])?;
        let key = k256::ecdsa::VerifyingKey::recover_from_prehash(digest, &sig, recid).ok()?;
        Some(key.to_encoded_point(true).as_bytes().to_vec())
    }

    #[test]
    fn libsecp256k1_recovers_what_k256_recovers_and_refuses_what_it_refuses() {
        for i in 1u8..=20 {
            let signer = Signer::from_hex(&format!("{:064x}", 0x5eed_0000u64 + u64::from(i))).unwrap();
            let digest = [i; 32];
            let sig = signer.sign_digest(&digest).unwrap();
            assert_eq!(recover_public_key(&digest, &sig).unwrap(), signer.public_key());
            // Every one-bit change of r, s or the recovery id: both libraries agree on
            // the key, or both refuse.
            for bit in (0..65 * 8).step_by(7) {
                let mut bad = sig.clone();
                bad[bit / 8] ^= 1 << (bit % 8);
                let ours = recover_public_key(&digest, &bad).ok();
                let k256 = recover_with_k256(&digest, &bad).filter(|_| Signature::from_slice(&bad[..64]).unwrap().normalize_s().is_none());
                assert_eq!(ours, k256, "key {i}, bit {bit}");
                assert_ne!(ours, Some(signer.public_key()), "a changed signature never names the signer");
            }
        }
        let sig = Signer::from_hex(KEY).unwrap().sign_digest(&[1; 32]).unwrap();
        for recid in [4u8, 27, 255] {
            let mut bad = sig.clone();
            bad[64] = recid;
            assert!(recover_public_key(&[1; 32], &bad).is_err(), "recovery id {recid}");
        }
    }

    #[test]
    fn each_scheme_has_its_own_key_which_verifies_what_it_signs() {
        let signer = Signer::from_hex(KEY).unwrap();
        let other = Signer::from_hex(&"22".repeat(32)).unwrap();
        let digest = [9u8; 32];
        let mut keys = std::collections::BTreeSet::new();
        for scheme in Scheme::ALL {
            let public_key = signer.public_key_for(scheme).unwrap();
            assert_eq!(public_key, signer.public_key_for(scheme).unwrap(), "{scheme}: derived the same each time");
            assert_ne!(public_key, other.public_key_for(scheme).unwrap(), "{scheme}: another chain key, another key");
            keys.insert(public_key.clone());
            let signature = signer.sign_for(scheme, &digest).unwrap();
            assert!(wavs_curves::verify(scheme, &digest, &public_key, &signature).unwrap(), "{scheme}");
            assert!(!wavs_curves::verify(scheme, &[8u8; 32], &public_key, &signature).unwrap_or(false), "{scheme}: another digest");
            assert!(signer.sign_for(scheme, &[1, 2]).is_err(), "{scheme}: a digest must be 32 bytes");
        }
        assert_eq!(keys.len(), 3, "three schemes, three unrelated keys");
        // Only BLS needs a proof of possession, and it is one of the key's.
        let proof = signer.possession_proof(Scheme::Bn254Bls).unwrap();
        let bls_key = signer.public_key_for(Scheme::Bn254Bls).unwrap();
        assert!(wavs_curves::bn254::bls::verify_possession(&bls_key, &proof).unwrap());
        assert!(!wavs_curves::bn254::bls::verify_possession(&other.public_key_for(Scheme::Bn254Bls).unwrap(), &proof).unwrap());
        assert!(signer.possession_proof(Scheme::Ed25519).unwrap().is_empty());
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
        let public_only = AdapterSigner::public_only(&signer).unwrap();
        for scheme in Scheme::ALL {
            let err = public_only.sign_digest(scheme, &[0u8; 32]).unwrap_err();
            assert!(err.to_string().contains("adapters sign nothing"), "{err}");
            assert_eq!(public_only.public_key(scheme).unwrap(), signer.public_key_for(scheme).unwrap());
        }
    }
}
