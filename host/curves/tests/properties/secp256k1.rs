use proptest::prelude::*;
use wavs_curves::{Scheme, secp256k1};

use super::{accepts, check_signature, keypair};

proptest! {
    #[test]
    fn signatures_verify_only_where_they_belong(
        seed in any::<[u8; 32]>(), other in any::<[u8; 32]>(),
        digest in any::<[u8; 32]>(), other_digest in any::<[u8; 32]>(),
        // r ‖ s only: v = 0 and v = 27 are the same recovery id by design.
        index in 0usize..64, mask in 1u8..,
    ) {
        check_signature(Scheme::Secp256k1Ecdsa, (&seed, &other), (&digest, &other_digest), (index, mask));
    }

    #[test]
    fn recover_finds_the_signer_and_the_other_recovery_id_does_not(seed in any::<[u8; 32]>(), digest in any::<[u8; 32]>()) {
        let Some(key) = keypair(Scheme::Secp256k1Ecdsa, &seed) else { return Ok(()) };
        let mut signature = key.sign(&digest).unwrap();
        prop_assert_eq!(secp256k1::recover(&digest, &signature).unwrap().to_vec(), key.public_key());
        signature[64] += 27;
        prop_assert_eq!(secp256k1::recover(&digest, &signature).unwrap().to_vec(), key.public_key());
        signature[64] = 28 - (signature[64] - 27);
        prop_assert!(!accepts(Scheme::Secp256k1Ecdsa, &digest, &key.public_key(), &signature));
    }

    #[test]
    fn signatures_are_low_s(seed in any::<[u8; 32]>(), digest in any::<[u8; 32]>()) {
        let Some(key) = keypair(Scheme::Secp256k1Ecdsa, &seed) else { return Ok(()) };
        let signature = key.sign(&digest).unwrap();
        // n / 2 = 7fffffff ffffffff ffffffff ffffffff 5d576e73 57a4501d dfe92f46 681b20a0
        let half_n = hex::decode("7fffffffffffffffffffffffffffffff5d576e7357a4501ddfe92f46681b20a0").unwrap();
        prop_assert!(signature[32..64] <= half_n[..]);
    }
}
