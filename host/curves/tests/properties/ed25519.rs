use proptest::prelude::*;
use wavs_curves::Scheme;

use super::check_signature;

proptest! {
    #[test]
    fn signatures_verify_only_where_they_belong(
        seed in any::<[u8; 32]>(), other in any::<[u8; 32]>(),
        message in proptest::collection::vec(any::<u8>(), 0..100),
        other_message in proptest::collection::vec(any::<u8>(), 0..100),
        index in 0usize..64, mask in 1u8..,
    ) {
        check_signature(Scheme::Ed25519, (&seed, &other), (&message, &other_message), (index, mask));
    }
}
