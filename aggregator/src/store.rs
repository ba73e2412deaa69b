//! The aggregator's durable state in one redb database, `<data-dir>/aggregator.redb`:
//! queue entries as JSON keyed by (event id, digest), and finished event ids with the
//! digest of their final entry. Each write is one transaction, committed (fsynced)
//! before the caller goes on, so a crash loses nothing that was acknowledged.

use crate::error::{AggregatorError, Result};
use crate::queue::{Changes, Entry, Key, Queue};
use redb::{Database, ReadableDatabase, ReadableTable, TableDefinition};
use std::path::{Path, PathBuf};
use std::time::Instant;

const ENTRIES: TableDefinition<(&[u8], &[u8]), &str> = TableDefinition::new("queue-entries");
const FINISHED: TableDefinition<&[u8], &[u8]> = TableDefinition::new("finished-event-ids");

/// The file name under the data directory.
pub const FILE_NAME: &str = "aggregator.redb";

/// The on-disk store.
pub struct Store {
    db: Database,
    path: PathBuf,
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
        let txn = db.begin_write()?;
        txn.open_table(ENTRIES)?;
        txn.open_table(FINISHED)?;
        txn.commit()?;
        Ok(Store { db, path })
    }

    /// The database file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Writes `changes` in one transaction.
    pub fn write(&self, changes: &Changes) -> Result<()> {
        if changes.is_empty() {
            return Ok(());
        }
        let txn = self.db.begin_write()?;
        {
            let mut entries = txn.open_table(ENTRIES)?;
            for ((event_id, digest), entry) in &changes.put {
                let json = serde_json::to_string(entry)
                    .map_err(|e| AggregatorError::Store(format!("cannot encode a queue entry: {e}")))?;
                entries.insert((event_id.as_slice(), digest.as_slice()), json.as_str())?;
            }
            for (event_id, digest) in &changes.delete {
                entries.remove((event_id.as_slice(), digest.as_slice()))?;
            }
            let mut finished = txn.open_table(FINISHED)?;
            for (event_id, (_, digest)) in &changes.finished {
                finished.insert(event_id.as_slice(), digest.as_slice())?;
            }
        }
        txn.commit()?;
        Ok(())
    }

    /// Rebuilds the queue as last written; see [`Queue::restore`] for what `now` means.
    pub fn load(&self, now: Instant) -> Result<Queue> {
        let txn = self.db.begin_read()?;
        let mut entries: Vec<(Key, Entry)> = Vec::new();
        for row in txn.open_table(ENTRIES)?.iter()? {
            let (key, json) = row?;
            let (event_id, digest) = key.value();
            let entry = serde_json::from_str(json.value()).map_err(|e| {
                AggregatorError::Store(format!(
                    "queue entry for event id {} in {} is unreadable: {e}; move the file aside to start with an empty queue",
                    wavs_types::hex_bytes::encode(event_id),
                    self.path.display()
                ))
            })?;
            entries.push(((event_id.to_vec(), digest.to_vec()), entry));
        }
        let mut finished = Vec::new();
        for row in txn.open_table(FINISHED)?.iter()? {
            let (event_id, digest) = row?;
            let event_id = event_id.value().to_vec();
            finished.push((event_id.clone(), (event_id, digest.value().to_vec())));
        }
        Ok(Queue::restore(entries, finished, now))
    }
}
