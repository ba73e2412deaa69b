//! The seam between the executor and the chains results go to: each computes the digest
//! an envelope is signed over (its adapter's `envelope-digest`, bound to that chain and
//! handler), and the node signs it with that chain's own key, which never enters WASM.
//! The node's chains answer (`chains.rs`); the executor's tests use a fake.

use crate::error::Result;
use std::future::Future;
use std::pin::Pin;
use wavs_types::WireEnvelope;

/// A boxed future, so that the trait can be used as `dyn`.
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// What the executor asks of the chain a result goes to.
pub trait SigningTargets: Send + Sync + 'static {
    /// The digest to sign for `envelope` at `handler` on `chain` (this node's name for
    /// it, or its `family:chain-id`). An unknown chain is refused for good; an adapter
    /// that is down or restarting is retryable.
    fn digest<'a>(&'a self, chain: &'a str, handler: &'a str, envelope: &'a WireEnvelope) -> BoxFuture<'a, Result<Vec<u8>>>;

    /// `digest` signed with this node's key for `chain`.
    fn sign(&self, chain: &str, digest: &[u8]) -> Result<Vec<u8>>;
}
