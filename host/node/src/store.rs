//! The node's durable state in one redb database: deployed services, per-chain
//! cursors, pending jobs, signed envelopes (the outbox), finished executions, and what
//! the operator changed at runtime (added chains, paused services).
//! Component bytes live beside it as `<digest>.wasm` files (`components.rs`).
//!
//! redb rather than SQLite: pure Rust (no C toolchain for operators), ACID
//! transactions with a crash-safe commit, and typed key-value tables fit what the node
//! keeps — rows looked up by key, never joined.
//!
//! Every transaction leases the current database from a cell (`cell.rs`), so that after
//! a disk fault (redb then refuses the database for good) the file is reopened without
//! restarting the node (`reopen.rs`); meanwhile [`Store::fault`] says why writes fail.

use crate::error::{NodeError, Result};
use redb::{Database, ReadableDatabase, ReadableTable, TableDefinition};
use std::path::Path;
use std::sync::Arc;
use wavs_types::ServiceManifest;

mod admin;
mod blocks;
mod cell;
mod committer;
mod followed;
pub(crate) mod components;
mod history;
mod jobs;
mod outbox;
mod reopen;
mod schema;
mod service_keys;
#[cfg(test)]
mod durable_tests;
#[cfg(test)]
mod fault_tests;

pub use jobs::PendingJob;
pub use outbox::{OutboxEntry, OutboxState};
pub use schema::SCHEMA_VERSION;

const SERVICES: TableDefinition<&str, &str> = TableDefinition::new("services");
const CURSORS: TableDefinition<&str, u64> = TableDefinition::new("cursors");
/// Counters that must survive restarts (next job id, next execution number).
const META: TableDefinition<&str, u64> = TableDefinition::new("meta");

/// The on-disk store.
pub struct Store {
    // Dropped in this order: the threads first, so the database is closed (and its file
    // unlocked) when the store is.
    /// Group commits for the writes every job makes (see `committer.rs`).
    committer: committer::Committer,
    _reopener: reopen::Reopener,
    cell: Arc<cell::DbCell>,
    components: components::ComponentFiles,
}

impl Store {
    /// Opens (or creates) the store under `data_dir`.
    pub fn open(data_dir: &Path) -> Result<Self> {
        Self::open_with(data_dir, cell::Hooks::production())
    }

    fn open_with(data_dir: &Path, hooks: cell::Hooks) -> Result<Self> {
        std::fs::create_dir_all(data_dir)?;
        let components = components::ComponentFiles::open(data_dir.join("components"))?;
        let path = data_dir.join("node.redb");
        let db = (hooks.open)(&path, cell::OpenMode::Create)?;
        let txn = db.begin_write()?;
        txn.open_table(SERVICES)?;
        txn.open_table(CURSORS)?;
        txn.open_table(META)?;
        admin::create_tables(&txn)?;
        blocks::create_tables(&txn)?;
        jobs::create_tables(&txn)?;
        outbox::create_tables(&txn)?;
        history::create_tables(&txn)?;
        components::create_tables(&txn)?;
        followed::create_tables(&txn)?;
        service_keys::create_tables(&txn)?;
        schema::check(&txn)?;
        txn.commit()?;
        let cell = Arc::new(cell::DbCell::new(path, db, hooks));
        let committer = committer::Committer::start(cell.clone())?;
        let reopener = reopen::Reopener::start(cell.clone())?;
        Ok(Store { committer, _reopener: reopener, cell, components })
    }

    /// Runs `f` on the current database, for tables kept in other modules of the node.
    /// An I/O error from `f` makes the store reopen the database; while it does, this
    /// fails (retryably) without calling `f`.
    pub(crate) fn with_db<T>(&self, f: impl FnOnce(&Database) -> Result<T>) -> Result<T> {
        self.cell.with(f)
    }

    /// Why the store cannot write now (its disk failed and it is reopening the
    /// database), or `None` when it can.
    pub fn fault(&self) -> Option<String> {
        self.cell.fault_reason()
    }

    /// Saves (or replaces) a service, giving it a key index if it has none.
    pub fn put_service(&self, manifest: &ServiceManifest) -> Result<()> {
        let json = serde_json::to_string(manifest).map_err(|e| NodeError::store(e.to_string()))?;
        self.with_db(|db| {
            let txn = db.begin_write()?;
            txn.open_table(SERVICES)?.insert(manifest.id.as_str(), json.as_str())?;
            service_keys::assign(&txn, &manifest.id)?;
            txn.commit()?;
            Ok(())
        })
    }

    /// Removes a service and its key index; false if it did not exist.
    pub fn remove_service(&self, id: &str) -> Result<bool> {
        self.with_db(|db| {
            let txn = db.begin_write()?;
            let existed = txn.open_table(SERVICES)?.remove(id)?.is_some();
            service_keys::forget(&txn, id)?;
            txn.commit()?;
            Ok(existed)
        })
    }

    /// All saved services.
    pub fn services(&self) -> Result<Vec<ServiceManifest>> {
        self.with_db(|db| {
            let txn = db.begin_read()?;
            let table = txn.open_table(SERVICES)?;
            let mut out = Vec::new();
            for row in table.iter()? {
                let (id, json) = row?;
                let manifest = serde_json::from_str(json.value()).map_err(|e| {
                    NodeError::store(format!("stored service {} is unreadable: {e}", id.value()))
                })?;
                out.push(manifest);
            }
            Ok(out)
        })
    }

    /// The next height to read on `chain`, if one was stored.
    pub fn cursor(&self, chain: &str) -> Result<Option<u64>> {
        self.with_db(|db| {
            let txn = db.begin_read()?;
            Ok(txn.open_table(CURSORS)?.get(chain)?.map(|v| v.value()))
        })
    }

    /// Stores the next height to read on `chain`. Reading a range that produced jobs
    /// moves the cursor with [`Store::enqueue_jobs`] instead, in the same transaction.
    pub fn set_cursor(&self, chain: &str, next: u64) -> Result<()> {
        self.with_db(|db| {
            let txn = db.begin_write()?;
            txn.open_table(CURSORS)?.insert(chain, next)?;
            txn.commit()?;
            Ok(())
        })
    }
}

/// Takes the next value of counter `name` in `txn`.
fn next_id(txn: &redb::WriteTransaction, name: &str) -> Result<u64> {
    let mut meta = txn.open_table(META)?;
    let id = meta.get(name)?.map(|v| v.value()).unwrap_or(1);
    meta.insert(name, id + 1)?;
    Ok(id)
}

fn to_json<T: serde::Serialize>(value: &T) -> Result<String> {
    serde_json::to_string(value).map_err(|e| NodeError::store(format!("cannot encode: {e}")))
}

fn from_json<T: serde::de::DeserializeOwned>(what: &str, json: &str) -> Result<T> {
    serde_json::from_str(json).map_err(|e| NodeError::store(format!("stored {what} is unreadable: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn services_and_cursors_survive_reopening() {
        let dir = tempfile::tempdir().unwrap();
        let manifest = ServiceManifest::from_json(
            r#"{"id":"s","components":{},"workflows":{}}"#,
        )
        .unwrap();
        {
            let store = Store::open(dir.path()).unwrap();
            store.put_service(&manifest).unwrap();
            store.set_cursor("anvil", 42).unwrap();
            store.put_component(&"ab".repeat(32), b"bytes").unwrap();
        }
        let store = Store::open(dir.path()).unwrap();
        assert_eq!(store.services().unwrap(), vec![manifest]);
        assert_eq!(store.cursor("anvil").unwrap(), Some(42));
        assert_eq!(store.cursor("other").unwrap(), None);
        assert_eq!(store.component(&"ab".repeat(32)).unwrap(), b"bytes");
        assert!(store.component(&"cd".repeat(32)).unwrap_err().to_string().contains("not uploaded"));
        assert!(store.remove_service("s").unwrap());
        assert!(store.services().unwrap().is_empty());
    }
}
