//! Managers this node follows (services defined on chain), with the state of each, so a
//! restarted node follows them still and knows which definition runs.

use super::{Store, from_json, to_json};
use crate::error::Result;
use redb::{ReadableDatabase, ReadableTable, TableDefinition};
use wavs_types::followed::FollowedService;

/// (chain, manager) -> the followed service (JSON).
const FOLLOWED: TableDefinition<(&str, &str), &str> = TableDefinition::new("followed-services");

pub(super) fn create_tables(txn: &redb::WriteTransaction) -> Result<()> {
    txn.open_table(FOLLOWED)?;
    Ok(())
}

impl Store {
    /// Saves (or replaces) a followed manager's state.
    pub fn put_followed(&self, followed: &FollowedService) -> Result<()> {
        let json = to_json(followed)?;
        self.with_db(|db| {
            let txn = db.begin_write()?;
            txn.open_table(FOLLOWED)?.insert((followed.chain.as_str(), followed.manager.as_str()), json.as_str())?;
            txn.commit()?;
            Ok(())
        })
    }

    /// Stops following `manager` on `chain`; whether it was followed.
    pub fn remove_followed(&self, chain: &str, manager: &str) -> Result<bool> {
        self.with_db(|db| {
            let txn = db.begin_write()?;
            let removed = txn.open_table(FOLLOWED)?.remove((chain, manager))?.is_some();
            txn.commit()?;
            Ok(removed)
        })
    }

    /// Every followed manager.
    pub fn followed(&self) -> Result<Vec<FollowedService>> {
        self.with_db(|db| {
            let txn = db.begin_read()?;
            let table = txn.open_table(FOLLOWED)?;
            let mut out = Vec::new();
            for row in table.iter()? {
                let (key, json) = row?;
                let (chain, manager) = key.value();
                out.push(from_json(&format!("followed manager {manager} on {chain}"), json.value())?);
            }
            Ok(out)
        })
    }
}
