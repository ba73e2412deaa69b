//! Operator signatures: the one scheme the CosmWasm service manager checks (secp256k1
//! ECDSA, with `secp256k1_verify`) and how a signature proves which operator made it.
//! The curve arithmetic is the host's (`curves`), behind a trait so tests can run it
//! natively.

use crate::bindings::exports::wavs::adapter::adapter::{AdapterError, Scheme, Signature};
use crate::bindings::wavs::adapter::curves;
use crate::digest::{compressed, operator_id};

/// The scheme operators sign with for every Cosmos handler: the manager has no other.
pub const SCHEME: Scheme = Scheme::Secp256k1Ecdsa;

/// `unsupported` for any scheme but [`SCHEME`], naming `what` asked for it.
pub fn require_scheme(scheme: Scheme, what: &str) -> Result<(), AdapterError> {
    if scheme == SCHEME {
        return Ok(());
    }
    let name = match scheme {
        Scheme::Secp256k1Ecdsa => "secp256k1-ecdsa",
        Scheme::Ed25519 => "ed25519",
        Scheme::Bn254Bls => "bn254-bls",
    };
    Err(AdapterError::Unsupported(format!("{what}: the cosmos adapter's contracts verify secp256k1-ecdsa only, not {name}")))
}

/// The secp256k1 arithmetic `verify` needs.
pub trait Curves {
    /// Whether `signature` (64 or 65 bytes) is `public_key`'s signature of `digest`.
    fn verify(&self, digest: &[u8], public_key: &[u8], signature: &[u8]) -> Result<bool, String>;
    /// The compressed key whose 65-byte signature `signature` is over `digest`.
    fn recover(&self, digest: &[u8], signature: &[u8]) -> Result<Vec<u8>, String>;
}

/// The host's native curve code.
pub struct Host;

impl Curves for Host {
    fn verify(&self, digest: &[u8], public_key: &[u8], signature: &[u8]) -> Result<bool, String> {
        curves::verify(SCHEME, digest, public_key, signature)
    }

    fn recover(&self, digest: &[u8], signature: &[u8]) -> Result<Vec<u8>, String> {
        curves::secp256k1_recover(digest, signature)
    }
}

/// The operator id `signature` proves over `digest`: the key recovered from a 65-byte
/// signature (which must be the key given, if one is), or the key given, checked against
/// a 64-byte one. `rejected` when it proves nothing. Recovery alone is the fast path the
/// aggregator takes for every signature: it is about a fifth of a verification's cost.
pub fn verify(curves: &impl Curves, digest: &[u8], signature: &Signature) -> Result<String, AdapterError> {
    require_scheme(signature.scheme, "verify")?;
    let rejected = |why: String| AdapterError::Rejected(format!("signature over {}: {why}", hex::encode(digest)));
    let bytes = &signature.bytes;
    let key = if bytes.len() == 65 {
        let recovered = curves.recover(digest, bytes).map_err(|e| rejected(format!("no key recovers from it: {e}")))?;
        if !signature.public_key.is_empty()
            && compressed(&recovered).map_err(&rejected)? != compressed(&signature.public_key).map_err(&rejected)?
        {
            return Err(rejected("it recovers to another key than the one given".into()));
        }
        recovered
    } else if signature.public_key.is_empty() {
        return Err(rejected(format!("{} bytes and no public key; recovering the key takes 65 bytes r || s || recovery-id", bytes.len())));
    } else {
        if !curves.verify(digest, &signature.public_key, bytes).map_err(&rejected)? {
            return Err(rejected("not a valid signature of this digest by the key given".into()));
        }
        signature.public_key.clone()
    };
    operator_id(&key).map_err(rejected)
}

#[cfg(test)]
mod tests {
    use super::*;
    use k256::ecdsa::signature::hazmat::PrehashVerifier;
    use k256::ecdsa::{RecoveryId, SigningKey, VerifyingKey};

    /// The host's curves, done with k256.
    struct Native;

    impl Curves for Native {
        fn verify(&self, digest: &[u8], public_key: &[u8], signature: &[u8]) -> Result<bool, String> {
            let key = VerifyingKey::from_sec1_bytes(public_key).map_err(|e| e.to_string())?;
            let sig = k256::ecdsa::Signature::from_slice(&signature[..64]).map_err(|e| e.to_string())?;
            Ok(key.verify_prehash(digest, &sig).is_ok())
        }

        fn recover(&self, digest: &[u8], signature: &[u8]) -> Result<Vec<u8>, String> {
            let sig = k256::ecdsa::Signature::from_slice(&signature[..64]).map_err(|e| e.to_string())?;
            let id = RecoveryId::from_byte(signature[64]).ok_or("bad recovery id")?;
            let key = VerifyingKey::recover_from_prehash(digest, &sig, id).map_err(|e| e.to_string())?;
            Ok(key.to_encoded_point(true).as_bytes().to_vec())
        }
    }

    const DIGEST: [u8; 32] = [0x5a; 32];

    /// A key's compressed public key and its 65-byte signature of `DIGEST`.
    fn signed(secret: u8) -> (Vec<u8>, Vec<u8>) {
        let key = SigningKey::from_slice(&[secret; 32]).unwrap();
        let (sig, id) = key.sign_prehash_recoverable(&DIGEST).unwrap();
        let mut bytes = sig.to_bytes().to_vec();
        bytes.push(id.to_byte());
        (key.verifying_key().to_encoded_point(true).as_bytes().to_vec(), bytes)
    }

    fn check(public_key: &[u8], bytes: &[u8]) -> Result<String, AdapterError> {
        let signature = Signature { scheme: SCHEME, public_key: public_key.to_vec(), bytes: bytes.to_vec() };
        verify(&Native, &DIGEST, &signature)
    }

    #[test]
    fn a_signature_names_its_signer_recovered_or_given() {
        let (key, bytes) = signed(7);
        let id = hex::encode(&key);
        assert_eq!(check(&[], &bytes).unwrap(), id);
        assert_eq!(check(&key, &bytes).unwrap(), id);
        assert_eq!(check(&key, &bytes[..64]).unwrap(), id);
        // An uncompressed key names the same operator.
        let uncompressed = VerifyingKey::from_sec1_bytes(&key).unwrap().to_encoded_point(false).as_bytes().to_vec();
        assert_eq!(check(&uncompressed, &bytes).unwrap(), id);
    }

    #[test]
    fn a_signature_that_proves_nothing_is_rejected() {
        let (key, bytes) = signed(7);
        let (other, _) = signed(8);
        let rejected = |r: Result<String, AdapterError>, says: &str| {
            assert!(matches!(&r, Err(AdapterError::Rejected(m)) if m.contains(says)), "{says}: {r:?}");
        };
        rejected(check(&other, &bytes), "another key than the one given");
        rejected(check(&other, &bytes[..64]), "not a valid signature");
        rejected(check(&[], &bytes[..64]), "takes 65 bytes");
        let mut flipped = bytes.clone();
        flipped[64] ^= 1;
        rejected(check(&key, &flipped), "recover");
        rejected(check(&[1, 2, 3], &bytes), "signature over"); // no key: the curve refuses it
    }

    #[test]
    fn other_schemes_are_unsupported() {
        let (key, bytes) = signed(7);
        for scheme in [Scheme::Ed25519, Scheme::Bn254Bls] {
            let signature = Signature { scheme, public_key: key.clone(), bytes: bytes.clone() };
            assert!(matches!(verify(&Native, &DIGEST, &signature), Err(AdapterError::Unsupported(m)) if m.contains("secp256k1-ecdsa only")));
        }
    }
}
