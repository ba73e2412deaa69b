use proptest::prelude::*;
use wavs_curves::bn254::bls;
use wavs_curves::{Keypair, Scheme, aggregate_public_keys, aggregate_signatures};

use super::{accepts, check_signature, keypair};

const SCHEME: Scheme = Scheme::Bn254Bls;

fn keys(seeds: &[[u8; 32]]) -> Vec<Keypair> {
    seeds.iter().filter_map(|seed| keypair(SCHEME, seed)).collect()
}

fn slices(owned: &[Vec<u8>]) -> Vec<&[u8]> {
    owned.iter().map(Vec::as_slice).collect()
}

proptest! {
    // Pairings are slow in a debug build; fewer cases keep the suite quick.
    #![proptest_config(ProptestConfig::with_cases(24))]

    #[test]
    fn signatures_verify_only_where_they_belong(
        seed in any::<[u8; 32]>(), other in any::<[u8; 32]>(),
        digest in any::<[u8; 32]>(), other_digest in any::<[u8; 32]>(),
        index in 0usize..64, mask in 1u8..,
    ) {
        check_signature(SCHEME, (&seed, &other), (&digest, &other_digest), (index, mask));
    }

    #[test]
    fn aggregate_verifies_with_every_signer_and_not_without_one(
        seeds in proptest::collection::hash_set(any::<[u8; 32]>(), 2..6),
        digest in any::<[u8; 32]>(), missing in any::<prop::sample::Index>(),
    ) {
        let seeds: Vec<[u8; 32]> = seeds.into_iter().collect();
        let keys = keys(&seeds);
        let public_keys: Vec<Vec<u8>> = keys.iter().map(Keypair::public_key).collect();
        let signatures: Vec<Vec<u8>> = keys.iter().map(|k| k.sign(&digest).unwrap()).collect();
        let aggregate_key = aggregate_public_keys(SCHEME, &slices(&public_keys)).unwrap();
        let aggregate = aggregate_signatures(SCHEME, &slices(&signatures)).unwrap();
        prop_assert!(accepts(SCHEME, &digest, &aggregate_key, &aggregate));

        let mut partial = signatures.clone();
        partial.remove(missing.index(partial.len()));
        let short = aggregate_signatures(SCHEME, &slices(&partial)).unwrap();
        prop_assert!(!accepts(SCHEME, &digest, &aggregate_key, &short));
    }

    #[test]
    fn key_halves_from_different_secrets_do_not_verify(
        seed in any::<[u8; 32]>(), other in any::<[u8; 32]>(), digest in any::<[u8; 32]>(),
    ) {
        prop_assume!(seed != other);
        let (key, other) = (keypair(SCHEME, &seed).unwrap(), keypair(SCHEME, &other).unwrap());
        let signature = key.sign(&digest).unwrap();
        // The genuine key first, so that its checked halves are remembered; the mixed
        // keys must still be checked on their own.
        prop_assert!(accepts(SCHEME, &digest, &key.public_key(), &signature));
        // pk1 of one secret with pk2 of the other, both ways round.
        let mixed = [key.public_key()[..64].to_vec(), other.public_key()[64..].to_vec()].concat();
        prop_assert!(!accepts(SCHEME, &digest, &mixed, &signature));
        let mixed = [other.public_key()[..64].to_vec(), key.public_key()[64..].to_vec()].concat();
        prop_assert!(!accepts(SCHEME, &digest, &mixed, &signature));
    }

    #[test]
    fn proof_of_possession_holds_for_its_key_only(seed in any::<[u8; 32]>(), other in any::<[u8; 32]>()) {
        prop_assume!(seed != other);
        let (key, other) = (keypair(SCHEME, &seed).unwrap(), keypair(SCHEME, &other).unwrap());
        let proof = key.prove_possession().unwrap();
        prop_assert_eq!(bls::verify_possession(&key.public_key(), &proof), Ok(true));
        prop_assert_eq!(bls::verify_possession(&other.public_key(), &proof), Ok(false));
        // Nor is the proof a signature over a plain digest of its key's bytes.
        prop_assert!(!accepts(SCHEME, &key.public_key()[..32], &key.public_key(), &proof));
    }
}
