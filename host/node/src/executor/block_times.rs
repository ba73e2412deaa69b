//! The seam between the executor and the chains triggers come from, for deterministic
//! workflows: the time of the trigger's block, which every operator reads the same from
//! its chain (through the adapter's optional `blocks` export). The node's chains answer
//! (`chains.rs`); the executor's tests use a fake.

use super::BoxFuture;
use crate::error::Result;

/// What the executor asks of a trigger's chain.
pub trait BlockTimes: Send + Sync + 'static {
    /// The time of the block at `height` on `chain` (this node's name for it), in ms
    /// since the Unix epoch. An adapter without `blocks` is refused for good; one that is
    /// down or restarting is retryable.
    fn block_time<'a>(&'a self, chain: &'a str, height: u64) -> BoxFuture<'a, Result<u64>>;
}
