//! Chain reads for intake, apart from submissions. Each chain's submitting adapter
//! instance is held for a whole call, and `submit` waits for inclusion, so reads that
//! shared it (the digest of every signature, the check of every signature) stalled
//! behind a pending transaction. Intake reads instead go to instances of their own (a small
//! pool per chain, each with the chain's public key only: they sign nothing; see
//! `crate::chains`), and what is the same for every operator is remembered:
//!
//! - the digest of an envelope for a target: every operator signs the same one, so
//!   the adapter is asked once per (target, envelope), not once per signature. A hit
//!   needs the envelope's SHA-256 fingerprint to be equal, so a different payload is
//!   never given the digest of another. Only digests of envelopes an operator's
//!   signature was counted for are remembered: posting bogus envelopes (unknown
//!   signers) fills nothing, and no payload is kept here.
//!
//! The cache is bounded: when full it is emptied (a miss costs one adapter call). Each
//! signature is checked by the adapter (`verify`), which is pure and answers the
//! operator the signature proves; nothing about it is remembered.

use crate::error::Result;
use crate::targets::Target;
use parking_lot::Mutex;
use std::collections::HashMap;
use crate::chain::SubmitChain;
use wavs_types::WireEnvelope;

/// Reading instances per chain: two cores can run two adapter calls at once.
pub const POOL: usize = 2;

/// Most digests remembered (~200 bytes each).
const MAX_DIGESTS: usize = 16_384;

/// (target, event id) -> (the envelope's fingerprint, its digest for the target).
type Digests = HashMap<(Target, Vec<u8>), ([u8; 32], Vec<u8>)>;

/// What the reading instances answered that is the same for every operator. (The
/// instances themselves are each chain's, in `crate::chains`.)
#[derive(Default)]
pub struct Readers {
    digests: Mutex<Digests>,
}

impl Readers {
    /// The chain's digest of `envelope` for `target`'s handler, remembered or asked.
    pub async fn digest(&self, target: &Target, chain: &dyn SubmitChain, envelope: &WireEnvelope) -> Result<Vec<u8>> {
        let key = (target.clone(), envelope.event_id.clone());
        if let Some((seen, digest)) = self.digests.lock().get(&key)
            && *seen == fingerprint(envelope)
        {
            return Ok(digest.clone());
        }
        Ok(chain.envelope_digest(&target.handler, &envelope.into()).await?)
    }

    /// Remembers `digest` of `envelope` for `target`, once an operator's signature over
    /// it was counted.
    pub fn remember_digest(&self, target: &Target, envelope: &WireEnvelope, digest: &[u8]) {
        let key = (target.clone(), envelope.event_id.clone());
        remember(&self.digests, MAX_DIGESTS, key, (fingerprint(envelope), digest.to_vec()));
    }
}

/// SHA-256 over the envelope's fields, each with its length, so no two envelopes share
/// one by moving bytes between fields.
fn fingerprint(envelope: &WireEnvelope) -> [u8; 32] {
    use sha2::{Digest, Sha256};
    let mut hash = Sha256::new();
    for field in [&envelope.event_id, &envelope.ordering, &envelope.payload] {
        hash.update((field.len() as u64).to_be_bytes());
        hash.update(field);
    }
    hash.finalize().into()
}

fn remember<K: std::hash::Hash + Eq, V>(cache: &Mutex<HashMap<K, V>>, max: usize, key: K, value: V) {
    let mut cache = cache.lock();
    if cache.len() >= max {
        cache.clear();
    }
    cache.insert(key, value);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn envelopes_that_differ_anywhere_have_different_fingerprints() {
        let e = WireEnvelope { event_id: vec![1; 32], ordering: vec![2; 12], payload: vec![3, 4] };
        let moved = WireEnvelope { event_id: vec![1; 32], ordering: [vec![2; 12], vec![3]].concat(), payload: vec![4] };
        let other = WireEnvelope { payload: vec![3, 5], ..e.clone() };
        assert_eq!(fingerprint(&e), fingerprint(&e.clone()));
        assert_ne!(fingerprint(&e), fingerprint(&moved), "bytes moved between fields");
        assert_ne!(fingerprint(&e), fingerprint(&other));
    }

    #[test]
    fn a_full_cache_starts_again_instead_of_growing() {
        let cache = Mutex::new(HashMap::new());
        for i in 0..10u32 {
            remember(&cache, 4, i, i);
        }
        assert!(cache.lock().len() <= 4);
        assert_eq!(cache.lock().get(&9), Some(&9));
    }
}
