//! The seam between the executor and the chains results go to: each computes the digest
//! an envelope is signed over (its adapter's `envelope-digest`, bound to that chain and
//! handler), and the node signs it with the service's own key on that chain, which never
//! enters WASM.
//! The node's chains answer (`chains.rs`); the executor's tests use a fake.

use crate::error::Result;
use std::future::Future;
use std::pin::Pin;
use wavs_types::{Scheme, WireEnvelope};

/// What to sign for a destination.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ToSign {
    /// The digest the destination's handler verifies.
    pub digest: Vec<u8>,
    /// The scheme its operators sign with (a property of the handler's manager).
    pub scheme: Scheme,
}

/// A signature with the public key that checks it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Signed {
    /// The signature, encoded for its scheme.
    pub signature: Vec<u8>,
    /// This node's public key for the chain and scheme.
    pub public_key: Vec<u8>,
}

/// A boxed future, so that the trait can be used as `dyn`.
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// What the executor asks of the chain a result goes to.
pub trait SigningTargets: Send + Sync + 'static {
    /// The digest to sign for `envelope` at `handler` on `chain` (this node's name for
    /// it, or its `family:chain-id`), and the scheme to sign it with. An unknown chain is
    /// refused for good; an adapter that is down or restarting is retryable.
    fn digest<'a>(&'a self, chain: &'a str, handler: &'a str, envelope: &'a WireEnvelope) -> BoxFuture<'a, Result<ToSign>>;

    /// The digest signed with the key of the service at `key_index` (the store's) on
    /// `chain`, for the scheme.
    fn sign(&self, chain: &str, key_index: u64, to_sign: &ToSign) -> Result<Signed>;
}
