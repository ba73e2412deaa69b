//! Uploaded component bytes, as `<data-dir>/components/<digest>.wasm` files, and when
//! each one stopped being used (the start of its grace period before removal).
//!
//! The files stay outside the database: they are large, written once and read at
//! deploy or start-up. The "unused since" stamps are in the database, not in the files'
//! mtimes: a copy or restore of the data dir that resets or back-dates mtimes must not
//! make a component look unused for longer than it was, and a stamp is written in the
//! same crash-safe way as everything else the node keeps.

use super::Store;
use crate::error::{NodeError, Result};
use parking_lot::Mutex;
use redb::{ReadableDatabase, ReadableTable, TableDefinition};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Component digest -> since when no deployed service uses it (unix ms). Set at upload
/// and whenever a service that used it is removed or replaced; read by the sweep.
const UNUSED_SINCE: TableDefinition<&str, u64> = TableDefinition::new("component-unused-since");

pub(super) fn create_tables(txn: &redb::WriteTransaction) -> Result<()> {
    txn.open_table(UNUSED_SINCE)?;
    Ok(())
}

/// The components directory and the size of each file in it, so that the total can be
/// checked on every upload without listing the directory.
pub(super) struct ComponentFiles {
    dir: PathBuf,
    sizes: Mutex<BTreeMap<String, u64>>,
}

impl ComponentFiles {
    /// Opens (creating) `dir` and indexes the files in it.
    pub(super) fn open(dir: PathBuf) -> Result<Self> {
        std::fs::create_dir_all(&dir)?;
        let files = ComponentFiles { dir, sizes: Mutex::default() };
        files.rescan()?;
        Ok(files)
    }

    /// Rebuilds the index from the directory (files added or deleted by hand count too);
    /// removes half-written `.tmp` files an interrupted upload left.
    fn rescan(&self) -> Result<()> {
        let mut sizes = BTreeMap::new();
        for entry in std::fs::read_dir(&self.dir)? {
            let entry = entry?;
            let path = entry.path();
            match path.extension().and_then(|e| e.to_str()) {
                Some("wasm") => {
                    if let Some(digest) = path.file_stem().and_then(|s| s.to_str()).filter(|d| is_digest(d)) {
                        sizes.insert(digest.to_string(), entry.metadata()?.len());
                    }
                }
                Some("tmp") => {
                    // Gone or not, it is not a component; a later rescan tries again.
                    let _ = std::fs::remove_file(&path);
                }
                _ => {}
            }
        }
        *self.sizes.lock() = sizes;
        Ok(())
    }

    fn path(&self, digest: &str) -> PathBuf {
        self.dir.join(format!("{digest}.wasm"))
    }
}

/// Whether `s` can name a component (a hex sha256), so no path is ever built from
/// anything else.
pub(crate) fn is_digest(s: &str) -> bool {
    s.len() == 64 && s.bytes().all(|b| b.is_ascii_hexdigit())
}

impl Store {
    /// Saves component bytes under their digest (once: the same digest is the same bytes).
    pub fn put_component(&self, digest: &str, bytes: &[u8]) -> Result<()> {
        let path = self.components.path(digest);
        if !path.exists() {
            let tmp = path.with_extension("tmp");
            std::fs::write(&tmp, bytes)?;
            std::fs::rename(tmp, &path)?;
        }
        self.components.sizes.lock().insert(digest.to_string(), bytes.len() as u64);
        Ok(())
    }

    /// The bytes of component `digest`.
    pub fn component(&self, digest: &str) -> Result<Vec<u8>> {
        std::fs::read(self.components.path(digest)).map_err(|_| {
            NodeError::NotFound(format!("component {digest} was not uploaded: POST it to /components first"))
        })
    }

    /// The size of stored component `digest`, if it is stored.
    pub fn component_size(&self, digest: &str) -> Option<u64> {
        self.components.sizes.lock().get(digest).copied()
    }

    /// Every stored component and its size in bytes.
    pub fn stored_components(&self) -> BTreeMap<String, u64> {
        self.components.sizes.lock().clone()
    }

    /// How many components are stored and their bytes together.
    pub fn component_totals(&self) -> (usize, u64) {
        let sizes = self.components.sizes.lock();
        (sizes.len(), sizes.values().sum())
    }

    /// Re-reads the components directory (see [`ComponentFiles::rescan`]).
    pub(crate) fn rescan_components(&self) -> Result<()> {
        self.components.rescan()
    }

    /// Deletes component `digest`'s file and its stamp; returns the bytes freed (0 if it
    /// was not stored). The file goes first: a stamp left behind is dropped by the next
    /// sweep, whereas a file left without a stamp would only start a new grace period.
    pub(crate) fn remove_component(&self, digest: &str) -> Result<u64> {
        let freed = self.components.sizes.lock().remove(digest).unwrap_or(0);
        match std::fs::remove_file(self.components.path(digest)) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => {
                // Still there: keep it counted.
                self.components.sizes.lock().insert(digest.to_string(), freed);
                return Err(e.into());
            }
        }
        self.forget_unused_since(&[digest])?;
        Ok(freed)
    }

    /// When each stamped component stopped being used (unix ms).
    pub(crate) fn unused_since(&self) -> Result<BTreeMap<String, u64>> {
        self.with_db(|db| {
            let txn = db.begin_read()?;
            let table = txn.open_table(UNUSED_SINCE)?;
            let mut out = BTreeMap::new();
            for row in table.iter()? {
                let (digest, ms) = row?;
                out.insert(digest.value().to_string(), ms.value());
            }
            Ok(out)
        })
    }

    /// Stamps `digests` unused since `ms` (their grace period starts again).
    pub(crate) fn mark_unused_since(&self, digests: &[&str], ms: u64) -> Result<()> {
        self.with_db(|db| {
            let txn = db.begin_write()?;
            {
                let mut table = txn.open_table(UNUSED_SINCE)?;
                for digest in digests {
                    table.insert(*digest, ms)?;
                }
            }
            txn.commit()?;
            Ok(())
        })
    }

    /// Drops the stamps of `digests`.
    pub(crate) fn forget_unused_since(&self, digests: &[&str]) -> Result<()> {
        self.with_db(|db| {
            let txn = db.begin_write()?;
            {
                let mut table = txn.open_table(UNUSED_SINCE)?;
                for digest in digests {
                    table.remove(*digest)?;
                }
            }
            txn.commit()?;
            Ok(())
        })
    }
}

/// Removes the compiled artifacts of component `digest` from the engine's cache
/// (`<cache>/<digest>-<compat>.cwasm`, one per engine configuration that compiled it);
/// returns how many were removed. The engine keeps no index of them, so they are found
/// by name.
pub(crate) fn remove_artifacts(cache_dir: &Path, digest: &str) -> usize {
    if !is_digest(digest) {
        return 0;
    }
    let prefix = format!("{digest}-");
    let Ok(entries) = std::fs::read_dir(cache_dir) else { return 0 };
    entries
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_str().is_some_and(|n| n.starts_with(&prefix) && n.ends_with(".cwasm")))
        .filter(|e| match std::fs::remove_file(e.path()) {
            Ok(()) => true,
            Err(err) => {
                tracing::warn!(%digest, path = %e.path().display(), "cannot remove compiled artifact: {err}");
                false
            }
        })
        .count()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn files_stamps_and_artifacts_are_kept_and_removed_together() {
        let dir = tempfile::tempdir().unwrap();
        let (a, b) = ("a".repeat(64), "b".repeat(64));
        {
            let store = Store::open(dir.path()).unwrap();
            store.put_component(&a, &[0; 10]).unwrap();
            store.put_component(&b, &[0; 5]).unwrap();
            store.put_component(&b, &[0; 5]).unwrap();
            store.mark_unused_since(&[&a, &b], 7).unwrap();
        }
        std::fs::write(dir.path().join("components").join(format!("{a}.tmp")), b"half").unwrap();
        let store = Store::open(dir.path()).unwrap();
        assert_eq!(store.component_totals(), (2, 15), "counted once each, found again after reopening");
        assert!(!dir.path().join("components").join(format!("{a}.tmp")).exists(), "a half-written upload is dropped");
        assert_eq!(store.unused_since().unwrap(), BTreeMap::from([(a.clone(), 7), (b.clone(), 7)]));

        let cache = dir.path().join("cache");
        std::fs::create_dir_all(&cache).unwrap();
        for name in [format!("{a}-0011.cwasm"), format!("{a}-2233.cwasm"), format!("{b}-0011.cwasm"), "other".into()] {
            std::fs::write(cache.join(name), b"x").unwrap();
        }
        assert_eq!(store.remove_component(&a).unwrap(), 10);
        assert_eq!(remove_artifacts(&cache, &a), 2);
        assert_eq!(remove_artifacts(&cache, "../x"), 0, "only digests name files");
        assert_eq!(std::fs::read_dir(&cache).unwrap().count(), 2, "the other component's artifact stays");
        assert_eq!(store.component_totals(), (1, 5));
        assert_eq!(store.unused_since().unwrap(), BTreeMap::from([(b.clone(), 7)]));
        assert!(store.component(&a).unwrap_err().to_string().contains("not uploaded"));
        assert_eq!(store.remove_component(&a).unwrap(), 0, "removing twice is harmless");
    }
}
