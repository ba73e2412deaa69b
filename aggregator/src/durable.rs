//! The queue with write-through persistence: the in-memory [`Queue`] is the working
//! copy, and every change is committed to the [`Store`] before the caller acknowledges
//! or submits anything. While a storage fault lasts, changes wait in memory and are
//! written once the store accepts writes again.
//!
//! Two ways to write. [`DurableQueue::update`] changes and commits at once, holding the
//! queue (tests, tools, rare paths). The API and the batcher instead [`stage`] a change
//! in memory, let go of the queue, and await the group committer
//! (`crate::committer`), which writes everything staged so far in one transaction:
//! no handler waits for the disk while holding the queue, and concurrent signatures
//! share one fsync. The store sits behind its own lock, always taken after the queue's,
//! so writes reach the disk in the order they were staged.
//!
//! [`stage`]: DurableQueue::stage

use crate::error::Result;
use crate::queue::{Batch, Changes, Queue, Touched};
use crate::store::Store;
use parking_lot::{Mutex, MutexGuard};
use std::ops::Deref;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

/// A [`Queue`] whose changes are written to a [`Store`]. Reads go through `Deref`;
/// changes through [`DurableQueue::update`] (written at once) or
/// [`DurableQueue::stage`] (written by the next group commit).
pub struct DurableQueue {
    queue: Queue,
    store: Arc<Mutex<Store>>,
    path: PathBuf,
    /// The store's fault as of its last write, so readers never wait for a commit to ask.
    fault: Option<String>,
    /// What the group committer is writing now: not submitted until it is on disk.
    writing: Touched,
}

impl DurableQueue {
    /// Opens the store under `data_dir` and reloads the queue from it.
    pub fn open(data_dir: &Path) -> Result<Self> {
        let store = Store::open(data_dir)?;
        let queue = store.load(Instant::now())?;
        let path = store.path().to_path_buf();
        Ok(DurableQueue { queue, store: Arc::new(Mutex::new(store)), path, fault: None, writing: Touched::default() })
    }

    /// The store, locked: waits while a group commit is on disk, so the hot paths read
    /// [`DurableQueue::fault`] and [`DurableQueue::path`] instead.
    pub fn store(&self) -> MutexGuard<'_, Store> {
        self.store.lock()
    }

    /// The store, to write what is not queue state (targets).
    pub fn store_mut(&mut self) -> MutexGuard<'_, Store> {
        self.store.lock()
    }

    /// The database file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The database file's size in bytes (0 if it cannot be read).
    pub fn file_size(&self) -> u64 {
        std::fs::metadata(&self.path).map(|m| m.len()).unwrap_or(0)
    }

    /// The I/O fault that kept the store from writing at its last write, if any.
    pub fn fault(&self) -> Option<&str> {
        self.fault.as_deref()
    }

    /// Checks that the database file is still there (see [`Store::check_file`]).
    pub fn check_file(&mut self) -> Result<()> {
        // The common case without waiting for a commit in flight.
        if self.fault.is_none() && self.path.exists() {
            return Ok(());
        }
        let store = self.store.clone();
        let mut store = store.lock();
        let checked = store.check_file();
        self.fault = store.fault().map(str::to_string);
        checked
    }

    /// Applies `change` to the queue and commits what it touched. On a store error the
    /// change stays in memory and pending (the next update or [`DurableQueue::flush`]
    /// writes it), and the caller must not acknowledge it.
    pub fn update<T>(&mut self, change: impl FnOnce(&mut Queue) -> T) -> Result<T> {
        let (out, written) = self.apply(change);
        written.map(|()| out)
    }

    /// Like [`DurableQueue::update`], but hands back what `change` returned even when
    /// the write failed (the change then waits in memory for the next write).
    pub fn apply<T>(&mut self, change: impl FnOnce(&mut Queue) -> T) -> (T, Result<()>) {
        let out = change(&mut self.queue);
        (out, self.flush())
    }

    /// Applies `change` in memory only; the caller awaits the group committer
    /// (`Committer::commit`) before acknowledging it.
    pub fn stage<T>(&mut self, change: impl FnOnce(&mut Queue) -> T) -> T {
        change(&mut self.queue)
    }

    /// Commits whatever is still pending from an earlier failed write; while the store
    /// has a fault, also proves it can write again (reopening it).
    pub fn flush(&mut self) -> Result<()> {
        let store = self.store.clone();
        let mut store = store.lock();
        let (changes, touched) = self.queue.take_changes();
        let written = write(&mut store, changes);
        self.wrote(store.fault().map(str::to_string), touched, &written);
        written
    }

    /// For the group committer: takes what is staged, with the store locked (the queue
    /// is locked too, so no other write can come between). The caller writes it
    /// without the queue, then hands the outcome to [`DurableQueue::wrote`].
    pub(crate) fn take_staged(&mut self, _locked: &Store) -> (Changes, Touched) {
        let (changes, touched) = self.queue.take_changes();
        self.writing = touched.clone();
        (changes, touched)
    }

    /// Records a write's outcome: the store's fault, and on failure the keys to write
    /// again with the next commit.
    pub(crate) fn wrote(&mut self, fault: Option<String>, touched: Touched, written: &Result<()>) {
        self.fault = fault;
        self.writing = Touched::default();
        if written.is_err() {
            self.queue.retouch(touched);
        }
    }

    /// The store, shared with the group committer.
    pub(crate) fn shared_store(&self) -> Arc<Mutex<Store>> {
        self.store.clone()
    }

    /// Takes ready batches (see [`Queue::take_ready`]), but only once everything
    /// before is on disk: nothing is submitted whose state could be lost.
    pub fn take_ready(&mut self, max: usize, now: Instant) -> Result<Vec<Batch>> {
        self.flush()?;
        Ok(self.queue.take_ready(max, now))
    }

    /// Takes ready batches without writing: entries whose latest change is not on disk
    /// yet (staged, or being written by the group committer) are left for a later round.
    pub fn take_written(&mut self, max: usize, now: Instant) -> Vec<Batch> {
        self.queue.take_ready_except(max, now, &self.writing)
    }
}

/// Writes `changes`; with nothing to write while the store has a fault, proves it can
/// write again.
pub(crate) fn write(store: &mut Store, changes: Changes) -> Result<()> {
    if changes.is_empty() && store.fault().is_some() {
        store.probe(crate::now_ms())?;
    }
    store.write(changes)
}

impl Deref for DurableQueue {
    type Target = Queue;

    fn deref(&self) -> &Queue {
        &self.queue
    }
}
