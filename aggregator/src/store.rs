//! The aggregator's durable state in one redb database, `<data-dir>/aggregator.redb`:
//! queue entries as JSON keyed by (chain, manager, handler, event id, digest), their
//! payloads as raw bytes under the same key (written once, dropped when the entry is
//! final: a signature added rewrites only the small JSON), finished
//! (target, event id)s with the digest of their final entry, and the targets and chains
//! added at runtime. Each write is one transaction, committed (fsynced) before the caller goes
//! on, so a crash loses nothing that was acknowledged.
//!
//! Storage faults: after an I/O error (a full disk, say) redb refuses every later write
//! until the database is closed and opened again. So on an I/O error the store drops
//! its database and reports the fault ([`Store::fault`]); the next write (or
//! [`Store::probe`]) opens it again and carries on once the disk accepts writes. What
//! failed to commit was never acknowledged, and the queue keeps it in memory to write
//! then. A database file that is gone or corrupt cannot be reopened without losing what
//! was acknowledged: that is fatal ([`AggregatorError::StoreFatal`]).

use crate::config::AggregatorChain;
use crate::error::{AggregatorError, Result};
use crate::queue::{Changes, Entry, Key, Queue};
use crate::targets::{Source, Target};
use redb::{Database, ReadTransaction, ReadableDatabase, ReadableTable, ReadableTableMetadata, TableDefinition, WriteTransaction};
use serde::{Deserialize, Serialize};
use wavs_types::ChainSpec;
use std::path::{Path, PathBuf};
use std::time::Instant;

type EntryKey<'a> = (&'a str, &'a str, &'a str, &'a [u8], &'a [u8]);
const ENTRIES: TableDefinition<EntryKey, &str> = TableDefinition::new("entries-v2");
const PAYLOADS: TableDefinition<EntryKey, &[u8]> = TableDefinition::new("payloads-v2");
const FINISHED: TableDefinition<(&str, &str, &str, &[u8]), &[u8]> = TableDefinition::new("finished-v2");
const TARGETS: TableDefinition<(&str, &str, &str), &str> = TableDefinition::new("targets");
/// Chains added with `POST /chains`: name -> [`StoredChain`] as JSON.
const CHAINS: TableDefinition<&str, &str> = TableDefinition::new("chains");
const META: TableDefinition<&str, u64> = TableDefinition::new("meta");
/// Tables of the format before entries were keyed by target; read only to say they are
/// ignored.
const LEGACY_ENTRIES: TableDefinition<(&[u8], &[u8]), &str> = TableDefinition::new("queue-entries");

/// A chain added at runtime, as stored.
#[derive(Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
struct StoredChain {
    spec: ChainSpec,
    accept_verified_targets: bool,
}

/// The file name under the data directory.
pub const FILE_NAME: &str = "aggregator.redb";

/// The on-disk store.
pub struct Store {
    /// `None` while a fault keeps it closed.
    db: Option<Database>,
    path: PathBuf,
    /// The I/O fault that closed the database, until a write succeeds again.
    fault: Option<String>,
    /// Set once reopening failed for good.
    fatal: Option<String>,
}

/// What a redb error means for the store.
enum Kind {
    /// Passing I/O trouble (disk full, EIO): reopen and try again later.
    Io,
    /// The file cannot be used again without losing data.
    Fatal,
    /// Anything else: this write failed, the database is fine.
    Other,
}

fn kind(e: &redb::Error) -> Kind {
    match e {
        redb::Error::Io(_) | redb::Error::PreviousIo => Kind::Io,
        redb::Error::Corrupted(_) | redb::Error::UpgradeRequired(_) | redb::Error::RepairAborted => Kind::Fatal,
        _ => Kind::Other,
    }
}

fn key<'a>(k: &'a Key) -> EntryKey<'a> {
    (&k.target.chain, &k.target.manager, &k.target.handler, &k.event_id, &k.digest)
}

fn json_error(what: &str, e: serde_json::Error) -> redb::Error {
    redb::Error::Corrupted(format!("cannot encode {what}: {e}"))
}

impl Store {
    /// Opens (or creates) `<data_dir>/aggregator.redb`.
    pub fn open(data_dir: &Path) -> Result<Self> {
        std::fs::create_dir_all(data_dir)?;
        let path = data_dir.join(FILE_NAME);
        let db = Database::create(&path).map_err(|e| {
            AggregatorError::Store(format!(
                "cannot open {}: {e}; if another aggregator uses this data-dir, stop it or give this one its own data-dir",
                path.display()
            ))
        })?;
        let mut store = Store { db: Some(db), path, fault: None, fatal: None };
        store.transact(|txn| {
            txn.open_table(ENTRIES)?;
            txn.open_table(PAYLOADS)?;
            txn.open_table(FINISHED)?;
            txn.open_table(TARGETS)?;
            txn.open_table(CHAINS)?;
            txn.open_table(META)?;
            Ok(())
        })?;
        Ok(store)
    }

    /// The database file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The database file's size in bytes (0 if it cannot be read).
    pub fn file_size(&self) -> u64 {
        std::fs::metadata(&self.path).map(|m| m.len()).unwrap_or(0)
    }

    /// The I/O fault that keeps the store from writing, if any.
    pub fn fault(&self) -> Option<&str> {
        self.fault.as_deref().or(self.fatal.as_deref())
    }

    /// Why the store can never be written again, if so.
    pub fn fatal(&self) -> Option<&str> {
        self.fatal.as_deref()
    }

    /// Checks that the database file is still there: deleted under a running process,
    /// writes would go to a file no later start can read.
    pub fn check_file(&mut self) -> Result<()> {
        if self.fatal.is_none() && !self.path.exists() {
            self.fatal = Some(format!(
                "the store {} is gone: what this aggregator acknowledged is lost with it; restore the file from a backup, or start again with an empty data-dir",
                self.path.display()
            ));
            self.db = None;
        }
        match &self.fatal {
            Some(why) => Err(AggregatorError::StoreFatal(why.clone())),
            None => Ok(()),
        }
    }

    /// Opens the database again after a fault.
    fn reopen(&mut self) -> Result<()> {
        self.check_file()?;
        if self.db.is_some() {
            return Ok(());
        }
        match Database::create(&self.path) {
            Ok(db) => {
                tracing::debug!(store = %self.path.display(), "store reopened after an I/O error");
                self.db = Some(db);
                Ok(())
            }
            Err(e) => Err(self.failed(e.into())),
        }
    }

    /// Classifies a failed write: an I/O error closes the database until it can be
    /// reopened; a corrupt one is fatal.
    fn failed(&mut self, e: redb::Error) -> AggregatorError {
        match kind(&e) {
            Kind::Io => {
                if self.fault.is_none() {
                    tracing::error!(store = %self.path.display(), "store write failed ({e}); closing it, and reopening once the disk accepts writes");
                }
                self.db = None;
                let why = format!("{e} (writing {})", self.path.display());
                self.fault = Some(why.clone());
                AggregatorError::StoreUnavailable(why)
            }
            Kind::Fatal => {
                let why = format!(
                    "the store {} cannot be used: {e}; move it aside and restore a backup (an empty store forgets every pending envelope)",
                    self.path.display()
                );
                self.db = None;
                self.fatal = Some(why.clone());
                AggregatorError::StoreFatal(why)
            }
            Kind::Other => AggregatorError::Store(format!(
                "{e}; nothing was acknowledged: send again, and if this persists check the disk under data-dir"
            )),
        }
    }

    /// Runs `write` in one write transaction and commits it, reopening the database
    /// first if a fault closed it.
    fn transact(&mut self, write: impl FnOnce(&WriteTransaction) -> Result<(), redb::Error>) -> Result<()> {
        self.reopen()?;
        let db = self.db.as_ref().ok_or_else(|| AggregatorError::StoreUnavailable("the store is closed".into()))?;
        let outcome = db.begin_write().map_err(redb::Error::from).and_then(|txn| {
            write(&txn)?;
            txn.commit().map_err(redb::Error::from)
        });
        match outcome {
            Ok(()) => {
                if let Some(fault) = self.fault.take() {
                    tracing::info!(store = %self.path.display(), "the store accepts writes again (after: {fault})");
                }
                Ok(())
            }
            Err(e) => Err(self.failed(e)),
        }
    }

    /// Proves the store can write: reopens it if needed and commits a tiny write.
    pub fn probe(&mut self, now_ms: u64) -> Result<()> {
        self.transact(|txn| {
            txn.open_table(META)?.insert("last-probe-ms", now_ms)?;
            Ok(())
        })
    }

    /// Writes `changes` in one transaction.
    pub fn write(&mut self, changes: Changes) -> Result<()> {
        if changes.is_empty() && self.fault.is_none() {
            return Ok(());
        }
        let Changes { put, delete, finished: newly_finished, unfinished } = changes;
        self.transact(move |txn| {
            let mut entries = txn.open_table(ENTRIES)?;
            let mut payloads = txn.open_table(PAYLOADS)?;
            for (k, mut entry) in put {
                // The payload of an open entry never changes (the digest in its key
                // covers it): stored once; gone with the entry's final state.
                let payload = std::mem::take(&mut entry.envelope.payload);
                if !entry.is_open() {
                    payloads.remove(key(&k))?;
                } else if payloads.get(key(&k))?.is_none() {
                    payloads.insert(key(&k), payload.as_slice())?;
                }
                let json = serde_json::to_string(&entry).map_err(|e| json_error("a queue entry", e))?;
                entries.insert(key(&k), json.as_str())?;
            }
            for k in &delete {
                entries.remove(key(k))?;
                payloads.remove(key(k))?;
            }
            let mut finished = txn.open_table(FINISHED)?;
            for k in &newly_finished {
                let t = &k.target;
                finished.insert((t.chain.as_str(), t.manager.as_str(), t.handler.as_str(), k.event_id.as_slice()), k.digest.as_slice())?;
            }
            for (t, event_id) in &unfinished {
                finished.remove((t.chain.as_str(), t.manager.as_str(), t.handler.as_str(), event_id.as_slice()))?;
            }
            Ok(())
        })
    }

    /// Stores a target registered at runtime.
    pub fn put_target(&mut self, target: &Target, source: Source) -> Result<()> {
        let json = serde_json::to_string(&source).map_err(|e| AggregatorError::Store(e.to_string()))?;
        self.transact(|txn| {
            txn.open_table(TARGETS)?.insert((target.chain.as_str(), target.manager.as_str(), target.handler.as_str()), json.as_str())?;
            Ok(())
        })
    }

    /// Forgets a stored target.
    pub fn delete_target(&mut self, target: &Target) -> Result<()> {
        self.transact(|txn| {
            txn.open_table(TARGETS)?.remove((target.chain.as_str(), target.manager.as_str(), target.handler.as_str()))?;
            Ok(())
        })
    }

    /// Reads `what` (for the message) in one read transaction.
    fn read<T>(&self, what: &str, read: impl FnOnce(&ReadTransaction) -> Result<T, redb::Error>) -> Result<T> {
        let db = self.db.as_ref().ok_or_else(|| AggregatorError::StoreUnavailable("the store is closed".into()))?;
        let outcome = db.begin_read().map_err(redb::Error::from).and_then(|txn| read(&txn));
        outcome.map_err(|e| AggregatorError::Store(format!("cannot read the {what} in {}: {e}", self.path.display())))
    }

    /// The targets registered at runtime.
    pub fn targets(&self) -> Result<Vec<(Target, Source)>> {
        self.read("targets", |txn| {
            let mut out = Vec::new();
            for row in txn.open_table(TARGETS)?.iter()? {
                let (k, v) = row?;
                let (chain, manager, handler) = k.value();
                let source = serde_json::from_str(v.value()).map_err(|e| json_error("a target", e))?;
                out.push((Target::new(chain, manager, handler), source));
            }
            Ok(out)
        })
    }

    /// Stores a chain added at runtime.
    pub fn put_chain(&mut self, name: &str, chain: &AggregatorChain) -> Result<()> {
        let stored = StoredChain { spec: chain.spec.clone(), accept_verified_targets: chain.accept_verified_targets };
        let json = serde_json::to_string(&stored).map_err(|e| AggregatorError::Store(e.to_string()))?;
        self.transact(|txn| {
            txn.open_table(CHAINS)?.insert(name, json.as_str())?;
            Ok(())
        })
    }

    /// The chains added at runtime, by name.
    pub fn chains(&self) -> Result<Vec<(String, AggregatorChain)>> {
        self.read("chains", |txn| {
            let mut out = Vec::new();
            for row in txn.open_table(CHAINS)?.iter()? {
                let (name, json) = row?;
                let stored: StoredChain = serde_json::from_str(json.value()).map_err(|e| json_error("a chain", e))?;
                out.push((name.value().to_string(), AggregatorChain { spec: stored.spec, accept_verified_targets: stored.accept_verified_targets }));
            }
            Ok(out)
        })
    }

    /// Rebuilds the queue as last written; see [`Queue::restore`] for what `now` means.
    pub fn load(&self, now: Instant) -> Result<Queue> {
        let db = self.db.as_ref().ok_or_else(|| AggregatorError::StoreUnavailable("the store is closed".into()))?;
        let txn = db.begin_read().map_err(redb::Error::from).map_err(|e| AggregatorError::Store(e.to_string()))?;
        let unreadable = |e: redb::Error| AggregatorError::Store(format!("cannot read {}: {e}", self.path.display()));
        let mut entries: Vec<(Key, Entry)> = Vec::new();
        let table = txn.open_table(ENTRIES).map_err(|e| unreadable(e.into()))?;
        let payloads = txn.open_table(PAYLOADS).map_err(|e| unreadable(e.into()))?;
        for row in table.iter().map_err(|e| unreadable(e.into()))? {
            let (k, json) = row.map_err(|e| unreadable(e.into()))?;
            let (chain, manager, handler, event_id, digest) = k.value();
            let mut entry: Entry = serde_json::from_str(json.value()).map_err(|e| {
                AggregatorError::Store(format!(
                    "queue entry for event id {} in {} is unreadable: {e}; move the file aside to start with an empty queue",
                    wavs_types::hex_bytes::encode(event_id),
                    self.path.display()
                ))
            })?;
            if let Some(payload) = payloads.get(k.value()).map_err(|e| unreadable(e.into()))? {
                entry.envelope.payload = payload.value().to_vec();
            }
            let target = Target { chain: chain.into(), manager: manager.into(), handler: handler.into() };
            entries.push((Key { target, event_id: event_id.to_vec(), digest: digest.to_vec() }, entry));
        }
        let mut finished = Vec::new();
        let table = txn.open_table(FINISHED).map_err(|e| unreadable(e.into()))?;
        for row in table.iter().map_err(|e| unreadable(e.into()))? {
            let (k, digest) = row.map_err(|e| unreadable(e.into()))?;
            let (chain, manager, handler, event_id) = k.value();
            let target = Target { chain: chain.into(), manager: manager.into(), handler: handler.into() };
            finished.push(Key { target, event_id: event_id.to_vec(), digest: digest.value().to_vec() });
        }
        // Entries of the format before targets keyed them carry digests no 0.2 handler
        // accepts: they are left where they are, and said so.
        if let Ok(legacy) = txn.open_table(LEGACY_ENTRIES)
            && let Ok(n) = legacy.len()
            && n > 0
        {
            tracing::warn!(store = %self.path.display(), entries = n, "ignoring queue entries from before entries were keyed by target (their digests are of the old adapter format and cannot land)");
        }
        Ok(Queue::restore(entries, finished, now))
    }
}
