//! Unit tests of BLS packing, with wavs-curves standing in for the host.

use super::*;
use crate::bindings::exports::wavs::adapter::adapter::{OperatorSignature, Signature};
use crate::bindings::wavs::types::types::Envelope;
use crate::test_support::rejected;
use wavs_curves::Keypair;

const BLS: wavs_curves::Scheme = wavs_curves::Scheme::Bn254Bls;

fn keys() -> Vec<Keypair> {
    (1..=3).map(|seed| Keypair::from_seed(BLS, &[seed; 32]).unwrap()).collect()
}

fn ids(keys: &[Keypair]) -> Vec<FixedBytes<32>> {
    keys.iter().map(|k| bls::id_of(&k.public_key()).unwrap()).collect()
}

fn digest(i: u8) -> [u8; 32] {
    [i + 10; 32]
}

/// Envelope `i` signed by `signers`, its digest standing for the EIP-712 one.
fn signed(i: u8, signers: &[&Keypair]) -> SignedEnvelope {
    let signatures = signers
        .iter()
        .map(|k| OperatorSignature {
            operator: bls::id_text(&bls::id_of(&k.public_key()).unwrap()),
            signature: Signature { scheme: Scheme::Bn254Bls, public_key: k.public_key(), bytes: k.sign(&digest(i)).unwrap() },
        })
        .collect();
    SignedEnvelope { envelope: Envelope { event_id: vec![i; 20], ordering: vec![0; 12], payload: vec![i] }, signatures }
}

fn sum_signatures(s: &[Vec<u8>]) -> Result<Vec<u8>, String> {
    let s: Vec<&[u8]> = s.iter().map(Vec::as_slice).collect();
    wavs_curves::aggregate_signatures(BLS, &s).map_err(|e| e.to_string())
}

fn sum_keys(k: &[Vec<u8>]) -> Result<Vec<u8>, String> {
    let k: Vec<&[u8]> = k.iter().map(Vec::as_slice).collect();
    wavs_curves::aggregate_public_keys(BLS, &k).map_err(|e| e.to_string())
}

/// Packs for the three keys, weight 1 each, threshold 2.
fn pack_for(keys: &[Keypair], envelopes: &[SignedEnvelope]) -> Result<Packed, AdapterError> {
    pack(&ids(keys), &[U256::from(1); 3], U256::from(2), envelopes, &sum_signatures, &sum_keys)
}

/// The 64 bytes of a packed G1 point.
fn g1_bytes(p: &G1Point) -> Vec<u8> {
    [p.X.to_be_bytes::<32>(), p.Y.to_be_bytes::<32>()].concat()
}

#[test]
fn the_operators_who_signed_everything_sign_the_batch_and_the_rest_are_named_by_index() {
    let keys = keys();
    let (a, c) = (&keys[0], &keys[2]);
    // The middle operator signed only the first envelope: it is not a signer of the batch.
    let batch = [signed(0, &[c, &keys[1], a]), signed(1, &[a, c])];
    let packed = pack_for(&keys, &batch).unwrap();
    assert_eq!(packed.non_signers, vec![1]);
    let apk = sum_keys(&[a.public_key(), c.public_key()]).unwrap();
    assert_eq!(packed.apk_g2, bls::g2(&apk[64..], "apk").unwrap());
    for (i, sigma) in packed.sigmas.iter().enumerate() {
        assert!(wavs_curves::verify(BLS, &digest(i as u8), &apk, &g1_bytes(sigma)).unwrap(), "sigma {i}");
    }
}

#[test]
fn everyone_signing_leaves_no_non_signers() {
    let keys = keys();
    let all: Vec<&Keypair> = keys.iter().collect();
    let packed = pack_for(&keys, &[signed(0, &all)]).unwrap();
    assert!(packed.non_signers.is_empty());
    assert_eq!(packed.sigmas.len(), 1);
}

#[test]
fn signer_sets_that_differ_make_the_batch_too_large_so_the_host_splits_it() {
    let keys = keys();
    let batch = [signed(0, &[&keys[0], &keys[1]]), signed(1, &[&keys[1], &keys[2]])];
    match pack_for(&keys, &batch) {
        Err(AdapterError::TooLarge(m)) => assert!(m.contains("one signer set") && m.contains("2 envelopes reach it alone"), "{m}"),
        other => panic!("expected too-large, got {other:?}"),
    }
}

#[test]
fn envelopes_that_cannot_reach_the_threshold_alone_are_rejected_naming_the_weights() {
    let keys = keys();
    let message = rejected(pack_for(&keys, &[signed(0, &[&keys[0]]), signed(1, &[])]));
    assert!(message.contains("[1, 0]") && message.contains("threshold 2"), "{message}");
}

#[test]
fn signatures_by_strangers_count_for_nothing() {
    let keys = keys();
    let stranger = Keypair::from_seed(BLS, &[9; 32]).unwrap();
    let message = rejected(pack_for(&keys, &[signed(0, &[&keys[0], &stranger])]));
    assert!(message.contains("[1]"), "{message}");
}
