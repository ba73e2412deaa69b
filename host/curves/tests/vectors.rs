//! Our outputs against vectors computed by independent implementations (coincurve,
//! OpenSSL via `cryptography`, py_ecc): see `vectors/generate.py`.

use serde_json::Value;
use wavs_curves::bn254::{self, bls};
use wavs_curves::{Keypair, Scheme, secp256k1, verify};

fn load(json: &str) -> Value {
    serde_json::from_str(json).expect("vector file is JSON")
}

fn bytes(v: &Value) -> Vec<u8> {
    hex::decode(v.as_str().expect("hex string")).expect("valid hex")
}

fn seed(v: &Value) -> [u8; 32] {
    bytes(v).try_into().expect("32-byte seed")
}

fn list(v: &Value) -> &Vec<Value> {
    v.as_array().expect("array")
}

#[test]
fn secp256k1_matches_libsecp256k1() {
    let vectors = load(include_str!("vectors/secp256k1.json"));
    for v in list(&vectors) {
        let key = Keypair::from_seed(Scheme::Secp256k1Ecdsa, &seed(&v["seed"])).unwrap();
        let (digest, signature) = (bytes(&v["digest"]), bytes(&v["signature"]));
        assert_eq!(key.public_key(), bytes(&v["public_key"]));
        // Both sides sign by RFC 6979 with low-s, so the bytes are the same.
        assert_eq!(key.sign(&digest).unwrap(), signature);
        assert_eq!(secp256k1::recover(&digest, &signature).unwrap().to_vec(), bytes(&v["public_key"]));
        assert!(secp256k1::verify(&digest, &bytes(&v["public_key"]), &signature).unwrap());
        assert!(secp256k1::verify(&digest, &bytes(&v["public_key_uncompressed"]), &signature).unwrap());
        assert!(secp256k1::verify(&digest, &bytes(&v["public_key"]), &signature[..64]).unwrap());
    }
}

#[test]
fn ed25519_matches_rfc8032_section_7_1() {
    let vectors = load(include_str!("vectors/ed25519.json"));
    assert_eq!(list(&vectors).len(), 3);
    for v in list(&vectors) {
        let key = Keypair::from_seed(Scheme::Ed25519, &seed(&v["seed"])).unwrap();
        let (message, signature) = (bytes(&v["message"]), bytes(&v["signature"]));
        assert_eq!(key.public_key(), bytes(&v["public_key"]));
        assert_eq!(key.sign(&message).unwrap(), signature);
        assert!(verify(Scheme::Ed25519, &message, &bytes(&v["public_key"]), &signature).unwrap());
    }
}

#[test]
fn bn254_generators_match_eip197() {
    let v = load(include_str!("vectors/bn254.json"));
    assert_eq!(bn254::g1_generator().to_vec(), bytes(&v["g1_generator"]));
    assert_eq!(bn254::g2_generator().to_vec(), bytes(&v["g2_generator"]));
}

#[test]
fn bn254_g1_add_and_mul_match_py_ecc() {
    let v = load(include_str!("vectors/bn254.json"));
    for case in list(&v["g1_add"]) {
        let sum = bn254::g1_add(&bytes(&case["a"]), &bytes(&case["b"])).unwrap();
        assert_eq!(sum.to_vec(), bytes(&case["sum"]));
    }
    for case in list(&v["g1_mul"]) {
        let product = bn254::g1_mul(&bytes(&case["point"]), &bytes(&case["scalar"])).unwrap();
        assert_eq!(product.to_vec(), bytes(&case["product"]));
    }
}

#[test]
fn bn254_pairing_check_matches_py_ecc() {
    let v = load(include_str!("vectors/bn254.json"));
    for case in list(&v["pairing_check"]) {
        let owned: Vec<(Vec<u8>, Vec<u8>)> =
            list(&case["pairs"]).iter().map(|pair| (bytes(&pair[0]), bytes(&pair[1]))).collect();
        let pairs: Vec<(&[u8], &[u8])> = owned.iter().map(|(a, b)| (a.as_slice(), b.as_slice())).collect();
        assert_eq!(bn254::pairing_check(&pairs).unwrap(), case["result"].as_bool().unwrap());
    }
}

#[test]
fn bn254_hash_to_g1_matches_plain_integers() {
    let v = load(include_str!("vectors/bn254.json"));
    for case in list(&v["hash_to_g1"]) {
        let digest: [u8; 32] = bytes(&case["digest"]).try_into().unwrap();
        assert_eq!(bn254::hash_to_g1(&digest).to_vec(), bytes(&case["point"]));
    }
}

#[test]
fn bn254_bls_key_signature_and_pop_match_py_ecc() {
    let v = &load(include_str!("vectors/bn254.json"))["bls"];
    let key = Keypair::from_seed(Scheme::Bn254Bls, &seed(&v["seed"])).unwrap();
    let (public_key, digest) = (bytes(&v["public_key"]), bytes(&v["digest"]));
    assert_eq!(key.public_key(), public_key);
    assert_eq!(key.sign(&digest).unwrap(), bytes(&v["signature"]));
    assert!(bls::verify(&digest, &public_key, &bytes(&v["signature"])).unwrap());
    assert_eq!(bls::pop_digest(&public_key).unwrap().to_vec(), bytes(&v["pop_digest"]));
    assert_eq!(key.prove_possession().unwrap(), bytes(&v["pop"]));
    assert!(bls::verify_possession(&public_key, &bytes(&v["pop"])).unwrap());
}
