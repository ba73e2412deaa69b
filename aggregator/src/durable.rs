//! The queue with write-through persistence: the in-memory [`Queue`] is the working
//! copy, and every change is committed to the [`Store`] before the caller acknowledges
//! or submits anything. While a storage fault lasts, changes wait in memory and are
//! written once the store accepts writes again.

use crate::error::Result;
use crate::queue::{Batch, Queue};
use crate::store::Store;
use std::ops::Deref;
use std::path::Path;
use std::time::Instant;

/// A [`Queue`] whose changes are written to a [`Store`]. Reads go through `Deref`;
/// changes only through [`DurableQueue::update`], which persists them.
pub struct DurableQueue {
    queue: Queue,
    store: Store,
}

impl DurableQueue {
    /// Opens the store under `data_dir` and reloads the queue from it.
    pub fn open(data_dir: &Path) -> Result<Self> {
        let store = Store::open(data_dir)?;
        let queue = store.load(Instant::now())?;
        Ok(DurableQueue { queue, store })
    }

    /// The store.
    pub fn store(&self) -> &Store {
        &self.store
    }

    /// The store, to write what is not queue state (targets).
    pub fn store_mut(&mut self) -> &mut Store {
        &mut self.store
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

    /// Commits whatever is still pending from an earlier failed write; while the store
    /// has a fault, also proves it can write again (reopening it).
    pub fn flush(&mut self) -> Result<()> {
        let changes = self.queue.changes();
        if changes.is_empty() && self.store.fault().is_some() {
            self.store.probe(crate::now_ms())?;
        }
        self.store.write(changes)?;
        self.queue.clear_changes();
        Ok(())
    }

    /// Takes ready batches (see [`Queue::take_ready`]), but only once everything
    /// before is on disk: nothing is submitted whose state could be lost.
    pub fn take_ready(&mut self, max: usize, now: Instant) -> Result<Vec<Batch>> {
        self.flush()?;
        Ok(self.queue.take_ready(max, now))
    }
}

impl Deref for DurableQueue {
    type Target = Queue;

    fn deref(&self) -> &Queue {
        &self.queue
    }
}
