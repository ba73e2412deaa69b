//! The store's format version, kept under `schema-version` in the meta table. Every
//! value the store holds is a type of ours (manifests, jobs with `job/stored.rs`'s
//! trigger data, execution records, outbox entries), never generated bindings; changing
//! how one is written means a new version here and a migration from the one before.
//! A store written by a newer release is refused rather than misread.

use super::META;
use crate::error::{NodeError, Result};
use redb::{ReadableTable, WriteTransaction};

/// The format this release writes and reads.
pub const SCHEMA_VERSION: u64 = 1;

const KEY: &str = "schema-version";

/// Checks the version of the store being opened in `txn`, recording it on a new store
/// (or one written before versions were recorded, whose format is version 1).
pub(super) fn check(txn: &WriteTransaction) -> Result<()> {
    let mut meta = txn.open_table(META)?;
    let found = meta.get(KEY)?.map(|v| v.value());
    match found {
        None => {
            meta.insert(KEY, SCHEMA_VERSION)?;
            Ok(())
        }
        Some(SCHEMA_VERSION) => Ok(()),
        Some(newer) if newer > SCHEMA_VERSION => Err(NodeError::Invalid(format!(
            "the store in this data dir has format {newer}, written by a newer WAVS release; this one reads format \
             {SCHEMA_VERSION}: run that release again (or restore the data dir from a backup made before the upgrade)"
        ))),
        Some(older) => Err(NodeError::Invalid(format!(
            "the store in this data dir has format {older}, which this release cannot migrate (it reads format \
             {SCHEMA_VERSION})"
        ))),
    }
}
