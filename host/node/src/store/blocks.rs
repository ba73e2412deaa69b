//! Hashes of the last blocks each chain's trigger reader read up to, so a reorg that
//! replaced them is noticed and the loop rewinds to the common ancestor.

use super::Store;
use crate::error::Result;
use redb::{ReadableDatabase, ReadableTable, TableDefinition, WriteTransaction};

const BLOCK_HASHES: TableDefinition<(&str, u64), &[u8]> = TableDefinition::new("block-hashes");

/// Hashes kept per chain: how deep a reorg can be and still be rewound exactly.
const KEEP: u64 = 256;

pub(super) fn create_tables(txn: &WriteTransaction) -> Result<()> {
    txn.open_table(BLOCK_HASHES)?;
    Ok(())
}

/// Records the hash of `chain`'s block `height` inside a larger transaction, forgetting
/// hashes too old to matter.
pub(super) fn record_hash(txn: &WriteTransaction, chain: &str, height: u64, hash: &[u8]) -> Result<()> {
    let mut table = txn.open_table(BLOCK_HASHES)?;
    table.insert((chain, height), hash)?;
    if height > KEEP {
        let old: Vec<u64> = table
            .range((chain, 0)..(chain, height - KEEP))?
            .map(|row| row.map(|(k, _)| k.value().1))
            .collect::<std::result::Result<_, _>>()?;
        for h in old {
            table.remove((chain, h))?;
        }
    }
    Ok(())
}

/// Forgets hashes of `chain` at `from` and above (blocks a reorg orphaned).
pub(super) fn forget_from(txn: &WriteTransaction, chain: &str, from: u64) -> Result<()> {
    let mut table = txn.open_table(BLOCK_HASHES)?;
    let orphaned: Vec<u64> = table
        .range((chain, from)..=(chain, u64::MAX))?
        .map(|row| row.map(|(k, _)| k.value().1))
        .collect::<std::result::Result<_, _>>()?;
    for h in orphaned {
        table.remove((chain, h))?;
    }
    Ok(())
}

impl Store {
    /// The stored hash of `chain`'s block `height`, if the loop recorded one.
    pub fn block_hash(&self, chain: &str, height: u64) -> Result<Option<Vec<u8>>> {
        self.with_db(|db| {
            let txn = db.begin_read()?;
            Ok(txn.open_table(BLOCK_HASHES)?.get((chain, height))?.map(|v| v.value().to_vec()))
        })
    }

    /// The stored (height, hash) pairs of `chain` below `below`, highest first.
    pub fn block_hashes_below(&self, chain: &str, below: u64) -> Result<Vec<(u64, Vec<u8>)>> {
        self.with_db(|db| {
            let txn = db.begin_read()?;
            let table = txn.open_table(BLOCK_HASHES)?;
            let mut out = Vec::new();
            for row in table.range((chain, 0)..(chain, below))?.rev() {
                let (k, v) = row?;
                out.push((k.value().1, v.value().to_vec()));
            }
            Ok(out)
        })
    }
}
