//! The component store as an owned stage: uploads (compiled off the API's threads, at
//! most `max-concurrent-compiles` at once), the `[storage]` caps, and the sweep of
//! components no deployed service uses. It sees the deployed services through the shared
//! [`Deployed`](crate::deployed::Deployed) map and nothing else of the node.

mod caps;
mod compiles;

pub use caps::{SweepPlan, plan_sweep};
pub use compiles::CompileState;

use crate::config::storage::StorageConfig;
use crate::deployed::Deployed;
use crate::store::Store;
use parking_lot::{Mutex, MutexGuard};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use wavs_runtime::ComponentRunner;

/// Where the engine keeps compiled artifacts (the node gives it this directory), so that
/// removing a component removes them too.
pub(crate) fn cache_dir(data_dir: &Path) -> PathBuf {
    data_dir.join("cache")
}

/// Stored components, their compiles and their caps.
pub struct Components {
    store: Arc<Store>,
    runner: Arc<ComponentRunner>,
    deployed: Deployed,
    storage: StorageConfig,
    cache_dir: PathBuf,
    max_compiles: usize,
    /// Held so that a sweep never runs between a deploy's check and its commit (nor
    /// between an upload's cap check and its write).
    lock: Mutex<()>,
    /// Components removed since start, for `/metrics`.
    removed: AtomicU64,
    compiles: compiles::Compiles,
}

impl Components {
    pub(crate) fn new(
        store: Arc<Store>,
        runner: Arc<ComponentRunner>,
        deployed: Deployed,
        storage: StorageConfig,
        data_dir: &Path,
        max_compiles: usize,
    ) -> Components {
        Components {
            store,
            runner,
            deployed,
            storage,
            cache_dir: cache_dir(data_dir),
            max_compiles,
            lock: Mutex::new(()),
            removed: AtomicU64::new(0),
            compiles: Default::default(),
        }
    }

    /// No sweep runs while the guard is held: a deploy holds it from its check that its
    /// components are stored to its commit, after which they count as used.
    pub(crate) fn hold(&self) -> MutexGuard<'_, ()> {
        self.lock.lock()
    }

    /// Components removed by sweeps since start.
    pub fn removed(&self) -> u64 {
        self.removed.load(Ordering::Relaxed)
    }

    /// Loads a stored component into the runner if it is not loaded yet.
    pub(crate) fn ensure_loaded(&self, digest: &str) -> crate::error::Result<()> {
        if !self.runner.is_loaded(digest) {
            let bytes = self.store.component(digest)?;
            self.runner.load(&bytes)?;
        }
        Ok(())
    }

    /// The `[storage]` caps.
    pub fn storage(&self) -> &StorageConfig {
        &self.storage
    }
}
