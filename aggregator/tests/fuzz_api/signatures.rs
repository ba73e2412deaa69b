//! Signature recovery: what `POST /envelopes` does with the operator's bytes once a chain
//! is configured (not reachable through the API here, where no chain is). Called directly.

use crate::SUBMITTER_KEY;
use proptest::prelude::*;
use wavs_types::fuzzing::config;

proptest! {
    #![proptest_config(config())]

    /// Any digest and signature bytes: an error naming the problem, never a panic.
    #[test]
    fn signature_recovery_never_panics(
        digest in prop_oneof![prop::collection::vec(any::<u8>(), 32), prop::collection::vec(any::<u8>(), 0..40)],
        signature in prop_oneof![prop::collection::vec(any::<u8>(), 65), prop::collection::vec(any::<u8>(), 0..80)],
    ) {
        if let Err(e) = wavs_runtime::recover_public_key(&digest, &signature) {
            prop_assert!(e.to_string().starts_with("key: "), "{}", e);
        }
    }

    /// A real operator signature with some bytes changed never recovers to the operator
    /// (forgeries are never counted as the operator's); unchanged, it always does.
    #[test]
    fn altered_signatures_never_recover_to_the_signer(
        digest in prop::collection::vec(any::<u8>(), 32),
        flips in prop::collection::btree_map(0usize..65, 1u8..=255, 0..4),
    ) {
        let signer = wavs_runtime::Signer::from_hex(SUBMITTER_KEY).unwrap();
        let mut signature = signer.sign_digest(&digest).unwrap();
        for (at, xor) in &flips {
            signature[*at] ^= xor;
        }
        match wavs_runtime::recover_public_key(&digest, &signature) {
            Ok(key) if flips.is_empty() => prop_assert_eq!(key, signer.public_key()),
            Ok(key) => prop_assert_ne!(key, signer.public_key(), "an altered signature recovered to the signer"),
            Err(e) => prop_assert!(!flips.is_empty(), "the genuine signature was refused: {}", e),
        }
    }
}
