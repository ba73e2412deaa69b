//! What this adapter does per signature scheme: which schemes it serves, the identity a
//! key gets, checking a signature, the scheme a service manager names, and how a
//! signature is packed for a handler.
//!
//! secp256k1 ECDSA: the ECDSA service manager (`contracts/evm`) recovers each signer's
//! address with `ecrecover`, so an operator is named by its address. BN254 BLS: the BLS
//! manager names an operator by keccak256 of its G1 key (see `bls.rs`) and checks one
//! aggregate signature per envelope (`submit_bls.rs` packs a batch).

use crate::bindings::exports::wavs::adapter::adapter::{AdapterError, OperatorSignature, Signature};
use crate::bindings::wavs::adapter::curves::Scheme;
use crate::bls;
use crate::crypto::{address_of, address_text, parse_address, to_eth_signature};
use alloy_primitives::Address;

/// The schemes this adapter serves, as `describe` lists them.
pub const SCHEMES: [Scheme; 2] = [Scheme::Secp256k1Ecdsa, Scheme::Bn254Bls];

/// Every scheme of the WIT, known or not to this adapter.
const ALL: [Scheme; 3] = [Scheme::Secp256k1Ecdsa, Scheme::Ed25519, Scheme::Bn254Bls];

/// The scheme's name as the WIT spells it, which is also what a service manager's
/// `signatureScheme()` answers.
pub fn name(scheme: Scheme) -> &'static str {
    match scheme {
        Scheme::Secp256k1Ecdsa => "secp256k1-ecdsa",
        Scheme::Ed25519 => "ed25519",
        Scheme::Bn254Bls => "bn254-bls",
    }
}

/// `unsupported` for `scheme` in `what`, naming the schemes this adapter serves.
fn unsupported(what: &str, scheme: Scheme) -> AdapterError {
    let served: Vec<&str> = SCHEMES.iter().map(|s| name(*s)).collect();
    AdapterError::Unsupported(format!("{what}: the EVM adapter does not serve scheme {} (only {})", name(scheme), served.join(", ")))
}

/// The identity this chain gives the holder of `public_key` under `scheme`: the
/// lowercase 0x address for secp256k1 (SEC1, compressed or not); for bn254-bls the BLS
/// manager's id, keccak256 of the key's G1 half, as 0x and 64 lowercase hex digits.
pub fn operator_id(scheme: Scheme, public_key: &[u8]) -> Result<String, AdapterError> {
    match scheme {
        Scheme::Secp256k1Ecdsa => address_of(public_key).map(|a| address_text(&a)).map_err(AdapterError::Rejected),
        Scheme::Bn254Bls => bls::id_of(public_key).map(|id| bls::id_text(&id)).map_err(AdapterError::Rejected),
        other => Err(unsupported("operator-id", other)),
    }
}

/// Checks `signature` over `digest` and answers the operator it proves, as `operator_id`
/// names it. `recover` is the host's `curves::secp256k1-recover` and `check` its
/// `curves::verify`: parameters so the unit tests can stand in for the host. Pure: no RPC.
pub fn verify(
    digest: &[u8],
    signature: &Signature,
    recover: impl Fn(&[u8], &[u8]) -> Result<Vec<u8>, String>,
    check: impl Fn(Scheme, &[u8], &[u8], &[u8]) -> Result<bool, String>,
) -> Result<String, AdapterError> {
    match signature.scheme {
        Scheme::Secp256k1Ecdsa => verify_secp256k1(digest, signature, recover).map(|a| address_text(&a)),
        Scheme::Bn254Bls => verify_bn254(digest, signature, check),
        other => Err(unsupported("verify", other)),
    }
}

/// The id of a BLS signature's key, once the host says the signature is that key's over
/// `digest`. BLS keys cannot be recovered, so the key must be given; bytes that are no
/// key or signature at all are `rejected` as a wrong signature is.
fn verify_bn254(digest: &[u8], signature: &Signature, check: impl Fn(Scheme, &[u8], &[u8], &[u8]) -> Result<bool, String>) -> Result<String, AdapterError> {
    let rejected = |m: String| AdapterError::Rejected(format!("bn254-bls signature: {m}"));
    let id = bls::id_of(&signature.public_key).map_err(rejected)?;
    match check(Scheme::Bn254Bls, digest, &signature.public_key, &signature.bytes) {
        Ok(true) => Ok(bls::id_text(&id)),
        Ok(false) => Err(rejected(format!("not the signature of {} over this digest", bls::id_text(&id)))),
        Err(m) => Err(rejected(format!("malformed: {m}"))),
    }
}

/// The address `signature` recovers to over `digest`. The bytes must be what `submit`
/// packs (65 bytes, recovery id 0 or 1); a `public-key` given must be the recovered key,
/// compared as addresses since the same point has a compressed and an uncompressed form.
fn verify_secp256k1(digest: &[u8], signature: &Signature, recover: impl Fn(&[u8], &[u8]) -> Result<Vec<u8>, String>) -> Result<Address, AdapterError> {
    let rejected = |m: String| AdapterError::Rejected(format!("secp256k1-ecdsa signature: {m}"));
    to_eth_signature(&signature.bytes).map_err(rejected)?;
    let key = recover(digest, &signature.bytes).map_err(|m| rejected(format!("recovers no key: {m}")))?;
    let signer = address_of(&key).map_err(|m| rejected(format!("recovered {m}")))?;
    // The host answers the compressed form, as a node's key is given: equal bytes are
    // the same key, and spare decompressing a second point in WASM (92 to 69 µs per
    // call measured). Any other form is compared as an address.
    if !signature.public_key.is_empty() && signature.public_key != key {
        let named = address_of(&signature.public_key).map_err(|m| rejected(format!("public-key is {m}")))?;
        if named != signer {
            return Err(rejected(format!(
                "made by {} but names the key of {}",
                address_text(&signer),
                address_text(&named)
            )));
        }
    }
    Ok(signer)
}

/// The scheme the service manager at `manager` says its operators sign with, from its
/// `signatureScheme()` answer: `None` (a manager from before the function, which
/// reverts or answers nothing) is secp256k1-ecdsa. A scheme this adapter does not serve
/// is `unsupported`; a name no scheme has is `rejected`.
pub fn of_manager(manager: &str, answer: Option<&str>) -> Result<Scheme, AdapterError> {
    let Some(text) = answer else { return Ok(Scheme::Secp256k1Ecdsa) };
    match ALL.into_iter().find(|s| name(*s) == text) {
        Some(scheme) if SCHEMES.contains(&scheme) => Ok(scheme),
        Some(scheme) => Err(unsupported(&format!("service manager {manager}"), scheme)),
        None => {
            let known: Vec<&str> = ALL.iter().map(|s| name(*s)).collect();
            Err(AdapterError::Rejected(format!(
                "service manager {manager} names signature scheme {text:?}, none of {}",
                known.join(", ")
            )))
        }
    }
}

/// One operator's secp256k1 signature as the ECDSA manager takes it: the signer's
/// address and `r || s || v` with v = 27 + recovery id.
pub fn ecdsa_signer(signature: &OperatorSignature) -> Result<(Address, Vec<u8>), AdapterError> {
    if signature.signature.scheme != Scheme::Secp256k1Ecdsa {
        return Err(unsupported(&format!("signature of {}", signature.operator), signature.signature.scheme));
    }
    let signer = parse_address(&signature.operator).map_err(AdapterError::Rejected)?;
    Ok((signer, to_eth_signature(&signature.signature.bytes).map_err(AdapterError::Rejected)?))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::rejected;
    use k256::ecdsa::{RecoveryId, SigningKey, VerifyingKey};

    const DEV_KEY: &str = "ac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80";
    const DEV_ADDRESS: &str = "0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266";
    const DIGEST: [u8; 32] = [7u8; 32];

    fn key(hex_key: &str) -> SigningKey {
        SigningKey::from_slice(&hex::decode(hex_key).unwrap()).unwrap()
    }

    /// What the host's signer answers: `r || s || recovery-id`.
    fn sign(key: &SigningKey, digest: &[u8]) -> Vec<u8> {
        let (sig, id) = key.sign_prehash_recoverable(digest).unwrap();
        let mut out = sig.to_bytes().to_vec();
        out.push(id.to_byte());
        out
    }

    /// What the host's `secp256k1-recover` answers, done here with k256.
    fn recover(digest: &[u8], signature: &[u8]) -> Result<Vec<u8>, String> {
        let sig = k256::ecdsa::Signature::from_slice(&signature[..64]).map_err(|e| e.to_string())?;
        let id = RecoveryId::from_byte(signature[64]).ok_or("bad recovery id")?;
        let key = VerifyingKey::recover_from_prehash(digest, &sig, id).map_err(|e| e.to_string())?;
        Ok(key.to_encoded_point(true).as_bytes().to_vec())
    }

    /// What the host's `curves::verify` answers, done here with wavs-curves.
    fn host_verify(scheme: Scheme, digest: &[u8], key: &[u8], signature: &[u8]) -> Result<bool, String> {
        assert!(scheme == Scheme::Bn254Bls, "only BLS is checked through the host here");
        wavs_curves::verify(wavs_curves::Scheme::Bn254Bls, digest, key, signature).map_err(|e| e.to_string())
    }

    fn bls_key(seed: u8) -> wavs_curves::Keypair {
        wavs_curves::Keypair::from_seed(wavs_curves::Scheme::Bn254Bls, &[seed; 32]).unwrap()
    }

    fn ecdsa(public_key: Vec<u8>, bytes: Vec<u8>) -> Signature {
        Signature { scheme: Scheme::Secp256k1Ecdsa, public_key, bytes }
    }

    #[test]
    fn a_signature_proves_its_signer_with_or_without_its_key_in_either_form() {
        let key = key(DEV_KEY);
        let bytes = sign(&key, &DIGEST);
        let compressed = key.verifying_key().to_encoded_point(true).as_bytes().to_vec();
        let uncompressed = key.verifying_key().to_encoded_point(false).as_bytes().to_vec();
        for public_key in [vec![], compressed, uncompressed] {
            assert_eq!(verify(&DIGEST, &ecdsa(public_key, bytes.clone()), recover, host_verify).unwrap(), DEV_ADDRESS);
        }
        assert_eq!(operator_id(Scheme::Secp256k1Ecdsa, key.verifying_key().to_encoded_point(true).as_bytes()).unwrap(), DEV_ADDRESS);
    }

    #[test]
    fn a_signature_by_another_key_or_of_another_length_is_rejected() {
        let signer = key(DEV_KEY);
        let other = key("59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d");
        let bytes = sign(&signer, &DIGEST);
        let other_key = other.verifying_key().to_encoded_point(true).as_bytes().to_vec();
        let message = rejected(verify(&DIGEST, &ecdsa(other_key, bytes.clone()), recover, host_verify));
        assert!(message.contains(DEV_ADDRESS), "{message}");
        assert!(rejected(verify(&DIGEST, &ecdsa(vec![], bytes[..64].to_vec()), recover, host_verify)).contains("65 bytes"));
        let mut high_id = bytes.clone();
        high_id[64] = 27;
        assert!(rejected(verify(&DIGEST, &ecdsa(vec![], high_id), recover, host_verify)).contains("id 0 or 1"));
        // Over another digest the same bytes recover a stranger, which names no key given.
        assert_ne!(verify(&[8u8; 32], &ecdsa(vec![], bytes), recover, host_verify).unwrap(), DEV_ADDRESS);
    }

    #[test]
    fn a_bls_signature_names_its_keys_id_and_nothing_else_verifies() {
        let (one, two) = (bls_key(1), bls_key(2));
        let honest = Signature { scheme: Scheme::Bn254Bls, public_key: one.public_key(), bytes: one.sign(&DIGEST).unwrap() };
        let id = operator_id(Scheme::Bn254Bls, &one.public_key()).unwrap();
        assert_eq!(verify(&DIGEST, &honest, recover, host_verify).unwrap(), id);
        assert!(rejected(verify(&[8u8; 32], &honest, recover, host_verify)).contains(&id));
        let as_two = Signature { public_key: two.public_key(), ..honest.clone() };
        assert!(rejected(verify(&DIGEST, &as_two, recover, host_verify)).contains("not the signature"));
        let mut flipped = honest.clone();
        flipped.bytes[4] ^= 0x40;
        rejected(verify(&DIGEST, &flipped, recover, host_verify));
        let keyless = Signature { public_key: vec![], ..honest };
        assert!(rejected(verify(&DIGEST, &keyless, recover, host_verify)).contains("192 bytes"));
    }

    #[test]
    fn other_schemes_are_unsupported() {
        let ed = Signature { scheme: Scheme::Ed25519, public_key: vec![0; 32], bytes: vec![0; 64] };
        assert!(matches!(verify(&DIGEST, &ed, recover, host_verify), Err(AdapterError::Unsupported(m)) if m.contains("ed25519")));
        assert!(matches!(operator_id(Scheme::Ed25519, &[0; 32]), Err(AdapterError::Unsupported(m)) if m.contains("ed25519")));
    }

    #[test]
    fn a_manager_names_its_scheme_or_is_an_ecdsa_manager_from_before() {
        let manager = "0xe7f1725e7734ce288f8367e1bb143e90bb3f0512";
        assert!(of_manager(manager, None).unwrap() == Scheme::Secp256k1Ecdsa);
        assert!(of_manager(manager, Some("secp256k1-ecdsa")).unwrap() == Scheme::Secp256k1Ecdsa);
        assert!(of_manager(manager, Some("bn254-bls")).unwrap() == Scheme::Bn254Bls);
        assert!(matches!(of_manager(manager, Some("ed25519")), Err(AdapterError::Unsupported(_))));
        let message = rejected(of_manager(manager, Some("schnorr")));
        assert!(message.contains("\"schnorr\"") && message.contains(manager), "{message}");
    }

    #[test]
    fn only_ecdsa_signatures_are_packed_for_the_ecdsa_manager() {
        let mut signature = OperatorSignature { operator: DEV_ADDRESS.into(), signature: ecdsa(vec![], sign(&key(DEV_KEY), &DIGEST)) };
        let (signer, packed) = ecdsa_signer(&signature).unwrap();
        assert_eq!((address_text(&signer).as_str(), packed[64] >= 27), (DEV_ADDRESS, true));
        signature.signature.scheme = Scheme::Bn254Bls;
        assert!(matches!(ecdsa_signer(&signature), Err(AdapterError::Unsupported(_))));
    }
}
