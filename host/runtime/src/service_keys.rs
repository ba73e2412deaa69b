//! A service's own key on a chain: the hardened BIP-32 child, at the service's index, of
//! a master key made from the chain's key. A signature by one service's key says nothing
//! about another service, so a key leaked or a signature replayed from one service's
//! manager is worthless at every other manager. The node keeps each service's index in
//! its store and never hands one out twice; index 0 is the chain's key itself, which
//! services deployed before per-service keys keep signing with.

use crate::error::{Result, RuntimeError};
use crate::signer::Signer;

/// The index that means "the chain's own key": services deployed before per-service
/// keys sign with it, so their registered keys keep verifying after an upgrade.
pub const CHAIN_KEY_INDEX: u64 = 0;

/// The highest index a service can get: BIP-32 hardened children take 31 bits.
pub const MAX_SERVICE_KEY_INDEX: u64 = 0x7fff_ffff;

impl Signer {
    /// The key of the service at `index` on this key's chain (every scheme's key is
    /// derived from it as from a chain's). Index 0 is this key itself.
    pub fn for_service(&self, index: u64) -> Result<Signer> {
        if index == CHAIN_KEY_INDEX {
            return Ok(self.clone());
        }
        let index = u32::try_from(index)
            .ok()
            .filter(|i| u64::from(*i) <= MAX_SERVICE_KEY_INDEX)
            .ok_or_else(|| RuntimeError::Key(format!("service key index {index} is beyond the last one, {MAX_SERVICE_KEY_INDEX}")))?;
        Signer::from_seed_child(self.secret_bytes().as_slice(), index)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use wavs_types::Scheme;

    const KEY: &str = "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80";

    #[test]
    fn each_index_is_a_key_of_its_own_and_the_same_every_time() {
        let chain = Signer::from_hex(KEY).unwrap();
        assert_eq!(chain.for_service(CHAIN_KEY_INDEX).unwrap().public_key(), chain.public_key());
        let one = chain.for_service(1).unwrap();
        let two = chain.for_service(2).unwrap();
        assert_ne!(one.public_key(), chain.public_key());
        assert_ne!(one.public_key(), two.public_key());
        assert_eq!(one.public_key(), chain.for_service(1).unwrap().public_key());
        // The other schemes' keys follow the service's key, not the chain's.
        for scheme in [Scheme::Ed25519, Scheme::Bn254Bls] {
            assert_ne!(one.public_key_for(scheme).unwrap(), chain.public_key_for(scheme).unwrap(), "{scheme}");
        }
        // Another chain's key gives other service keys at the same index.
        let other = Signer::from_hex(&format!("{:064x}", 7)).unwrap();
        assert_ne!(other.for_service(1).unwrap().public_key(), one.public_key());
    }

    #[test]
    fn an_index_beyond_bip32_is_refused() {
        let chain = Signer::from_hex(KEY).unwrap();
        assert!(chain.for_service(MAX_SERVICE_KEY_INDEX).is_ok());
        let err = chain.for_service(MAX_SERVICE_KEY_INDEX + 1).unwrap_err().to_string();
        assert!(err.contains("beyond the last one"), "{err}");
    }
}
