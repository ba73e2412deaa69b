//! Reorg safety for the trigger readers. Triggers are read only `confirmations` blocks
//! behind the head; beyond that, the loop remembers the hash of the last block of every
//! range it read. If that block is no longer on the chain, the loop walks back to the
//! newest remembered block that is (the common ancestor), drops the pending jobs of the
//! orphaned blocks and reads again from there.

use super::chain::seen;
use super::{ChainReader, TriggerReader};
use crate::error::Result;

impl<C: ChainReader> TriggerReader<C> {
    /// Checks the block before `cursor` against the chain. Returns the height the loop
    /// rewound to, if a reorg replaced blocks it had read.
    pub(crate) async fn check_reorg(&self, cursor: u64) -> Result<Option<u64>> {
        let (name, chain) = (&self.name, &self.chain);
        let Some(last) = cursor.checked_sub(1) else { return Ok(None) };
        let Some(stored) = self.store.block_hash(name, last)? else { return Ok(None) };
        if seen(chain.block_status(last).await?).as_deref() == Some(stored.as_slice()) {
            return Ok(None);
        }
        let known = self.store.block_hashes_below(name, last)?;
        let mut from = known.last().map_or(last, |(h, _)| *h);
        for (height, hash) in &known {
            if seen(chain.block_status(*height).await?).as_deref() == Some(hash.as_slice()) {
                from = height + 1;
                break;
            }
        }
        let dropped = self.store.rewind(name, from)?;
        tracing::warn!(
            chain = %name,
            replaced_from = from,
            was_read_up_to = last,
            dropped_jobs = dropped,
            "reorg: blocks the node had read were replaced; reading again from the common ancestor \
             (raise `confirmations` if this happens often)"
        );
        Ok(Some(from))
    }
}
