//! What an operator changed on a running node and expects to find after a restart:
//! chains added through the API, and paused services.

use super::{Store, from_json, to_json};
use crate::error::Result;
use redb::{ReadableDatabase, ReadableTable, TableDefinition};
use std::collections::BTreeMap;
use wavs_types::ChainSpec;

/// Chain name -> its spec (JSON), for chains added through the API.
const ADDED_CHAINS: TableDefinition<&str, &str> = TableDefinition::new("added-chains");
/// Service id -> when it was paused (unix ms).
const PAUSED: TableDefinition<&str, u64> = TableDefinition::new("paused-services");

pub(super) fn create_tables(txn: &redb::WriteTransaction) -> Result<()> {
    txn.open_table(ADDED_CHAINS)?;
    txn.open_table(PAUSED)?;
    Ok(())
}

impl Store {
    /// Saves a chain added through the API.
    pub fn put_added_chain(&self, name: &str, spec: &ChainSpec) -> Result<()> {
        let json = to_json(spec)?;
        self.with_db(|db| {
            let txn = db.begin_write()?;
            txn.open_table(ADDED_CHAINS)?.insert(name, json.as_str())?;
            txn.commit()?;
            Ok(())
        })
    }

    /// Chains added through the API, by name.
    pub fn added_chains(&self) -> Result<BTreeMap<String, ChainSpec>> {
        self.with_db(|db| {
            let txn = db.begin_read()?;
            let table = txn.open_table(ADDED_CHAINS)?;
            let mut out = BTreeMap::new();
            for row in table.iter()? {
                let (name, json) = row?;
                out.insert(name.value().to_string(), from_json(&format!("chain {}", name.value()), json.value())?);
            }
            Ok(out)
        })
    }

    /// Marks a service paused (`Some(unix ms)`) or running (`None`).
    pub fn set_paused(&self, service: &str, since_ms: Option<u64>) -> Result<()> {
        self.with_db(|db| {
            let txn = db.begin_write()?;
            {
                let mut table = txn.open_table(PAUSED)?;
                match since_ms {
                    Some(ms) => drop(table.insert(service, ms)?),
                    None => drop(table.remove(service)?),
                }
            }
            txn.commit()?;
            Ok(())
        })
    }

    /// Paused services and since when (unix ms).
    pub fn paused_services(&self) -> Result<BTreeMap<String, u64>> {
        self.with_db(|db| {
            let txn = db.begin_read()?;
            let table = txn.open_table(PAUSED)?;
            let mut out = BTreeMap::new();
            for row in table.iter()? {
                let (id, ms) = row?;
                out.insert(id.value().to_string(), ms.value());
            }
            Ok(out)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn added_chains_and_pauses_survive_reopening() {
        let dir = tempfile::tempdir().unwrap();
        let spec: ChainSpec =
            serde_json::from_str(r#"{"family": "evm", "chain-id": "31337", "rpc-urls": ["http://127.0.0.1:8545"]}"#).unwrap();
        {
            let store = Store::open(dir.path()).unwrap();
            store.put_added_chain("anvil-2", &spec).unwrap();
            store.set_paused("a", Some(5)).unwrap();
            store.set_paused("b", Some(6)).unwrap();
            store.set_paused("b", None).unwrap();
        }
        let store = Store::open(dir.path()).unwrap();
        assert_eq!(store.added_chains().unwrap(), BTreeMap::from([("anvil-2".to_string(), spec)]));
        assert_eq!(store.paused_services().unwrap(), BTreeMap::from([("a".to_string(), 5)]));
    }
}
