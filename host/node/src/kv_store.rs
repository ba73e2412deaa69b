//! The components' key-value store, in the node's redb database: one table of
//! `(service id, key) -> value`, and one of each service's total bytes so the quota
//! check reads one row instead of the whole namespace. Each write commits with redb's
//! default (immediate, fsync'd) durability, so a value is on disk when `set` returns.

use crate::error::{NodeError, Result};
use crate::store::Store;
use redb::{ReadableDatabase, ReadableTable, TableDefinition, TableError};
use std::ops::Bound;
use wavs_runtime::service::kv::{KvBackend, SetOutcome, entry_bytes};

/// `(namespace, key) -> value`. A tuple key keeps namespaces apart even when one
/// service id is a prefix of another.
const KV: TableDefinition<(&str, &str), &[u8]> = TableDefinition::new("kv");
/// `namespace -> total entry bytes`, kept in step with `KV` in the same transaction.
const KV_BYTES: TableDefinition<&str, u64> = TableDefinition::new("kv_bytes");

impl Store {
    fn kv_get(&self, ns: &str, key: &str) -> Result<Option<Vec<u8>>> {
        self.with_db(|db| {
            let txn = db.begin_read()?;
            let Some(table) = existing(txn.open_table(KV))? else { return Ok(None) };
            Ok(table.get((ns, key))?.map(|v| v.value().to_vec()))
        })
    }

    fn kv_set(&self, ns: &str, key: &str, value: &[u8], quota: u64) -> Result<SetOutcome> {
        self.with_db(|db| {
            let txn = db.begin_write()?;
            let outcome = {
                let mut entries = txn.open_table(KV)?;
                let mut totals = txn.open_table(KV_BYTES)?;
                let old = entries.get((ns, key))?.map_or(0, |v| entry_bytes(key, v.value().len()));
                let current = totals.get(ns)?.map_or(0, |v| v.value());
                let total = current.saturating_sub(old) + entry_bytes(key, value.len());
                if total > quota {
                    SetOutcome::OverQuota { total }
                } else {
                    entries.insert((ns, key), value)?;
                    totals.insert(ns, total)?;
                    SetOutcome::Stored
                }
            };
            match outcome {
                SetOutcome::Stored => txn.commit()?,
                SetOutcome::OverQuota { .. } => txn.abort()?,
            }
            Ok(outcome)
        })
    }

    fn kv_delete(&self, ns: &str, key: &str) -> Result<()> {
        self.with_db(|db| {
            let txn = db.begin_write()?;
            {
                let mut entries = txn.open_table(KV)?;
                let removed = entries.remove((ns, key))?.map(|v| entry_bytes(key, v.value().len()));
                if let Some(freed) = removed {
                    let mut totals = txn.open_table(KV_BYTES)?;
                    let left = totals.get(ns)?.map_or(0, |v| v.value()).saturating_sub(freed);
                    if left == 0 {
                        totals.remove(ns)?;
                    } else {
                        totals.insert(ns, left)?;
                    }
                }
            }
            txn.commit()?;
            Ok(())
        })
    }

    fn kv_list(&self, ns: &str, prefix: &str, start_after: Option<&str>, limit: usize) -> Result<Vec<String>> {
        self.with_db(|db| {
            let txn = db.begin_read()?;
            let Some(table) = existing(txn.open_table(KV))? else { return Ok(vec![]) };
            let from = match start_after {
                Some(after) if after >= prefix => Bound::Excluded((ns, after)),
                _ => Bound::Included((ns, prefix)),
            };
            let mut keys = Vec::new();
            for row in table.range::<(&str, &str)>((from, Bound::Unbounded))? {
                let (id, _) = row?;
                let (row_ns, key) = id.value();
                if row_ns != ns || !key.starts_with(prefix) || keys.len() == limit {
                    break;
                }
                keys.push(key.to_string());
            }
            Ok(keys)
        })
    }
}

/// A table no write has created yet reads as empty.
fn existing<T>(opened: std::result::Result<T, TableError>) -> Result<Option<T>> {
    match opened {
        Ok(table) => Ok(Some(table)),
        Err(TableError::TableDoesNotExist(_)) => Ok(None),
        Err(e) => Err(NodeError::from(e)),
    }
}

/// The runtime sees the message; the node's error prefix ("store: …") says where.
fn message(e: NodeError) -> String {
    e.to_string()
}

impl KvBackend for Store {
    fn get(&self, ns: &str, key: &str) -> std::result::Result<Option<Vec<u8>>, String> {
        self.kv_get(ns, key).map_err(message)
    }

    fn set(&self, ns: &str, key: &str, value: &[u8], quota: u64) -> std::result::Result<SetOutcome, String> {
        self.kv_set(ns, key, value, quota).map_err(message)
    }

    fn delete(&self, ns: &str, key: &str) -> std::result::Result<(), String> {
        self.kv_delete(ns, key).map_err(message)
    }

    fn list_keys(
        &self,
        ns: &str,
        prefix: &str,
        start_after: Option<&str>,
        limit: usize,
    ) -> std::result::Result<Vec<String>, String> {
        self.kv_list(ns, prefix, start_after, limit).map_err(message)
    }
}

#[cfg(test)]
mod tests;
