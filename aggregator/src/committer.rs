//! Group commit for the aggregator's store. Every durable redb commit is an fsync;
//! one per signature, taken while holding the queue, capped intake near a thousand
//! signatures a second and stalled every other handler behind the disk. Here a handler
//! stages its change in memory (`DurableQueue::stage`), lets go of the queue and awaits
//! [`Committer::commit`]; a dedicated thread takes everything staged by then and writes
//! it in one transaction, so the signatures that arrive while one commit is on disk
//! share the next. A caller hears back only once a commit that holds its change is
//! durable (or failed: then nothing of it is acknowledged, and the change waits in
//! memory for the next commit, as with `DurableQueue::update`).
//!
//! Why a caller's change is in the commit it hears back from: it staged before it
//! asked, and the thread takes what is staged only after it received the request.
//! A change taken by an earlier commit was either written by it, or put back (on
//! failure) before the thread goes on.
//!
//! The thread and its queue are `wavs-group-commit`'s, as for the node's store
//! (`host/node/src/store/committer.rs`); what a group writes is the aggregator's own.

use crate::durable::{self, DurableQueue};
use crate::error::{AggregatorError, Result};
use parking_lot::Mutex;
use std::sync::Arc;
use wavs_group_commit::{GroupCommitter, GroupWriter};

/// The writer thread and the requests in front of it.
pub struct Committer(GroupCommitter<Writer>);

impl Committer {
    /// Starts the writer thread for `queue`.
    pub fn start(queue: Arc<Mutex<DurableQueue>>) -> Result<Self> {
        // No cap on a group: a request carries nothing, the staged changes are the work.
        GroupCommitter::start("wavs-aggregator-commit", usize::MAX, Writer { queue })
            .map(Committer)
            .map_err(|e| AggregatorError::Store(format!("cannot start the store's writer thread: {e}")))
    }

    /// Returns once everything staged before this call is on disk, or with the error
    /// that kept it from getting there.
    pub async fn commit(&self) -> Result<()> {
        self.0.call(()).await.map_err(|e| AggregatorError::Store(e.to_string()))?
    }

    /// Asks for a commit of what is staged without waiting for it (the batcher's
    /// outcomes: the next round waits for it before taking anything).
    pub fn nudge(&self) {
        let _ = self.0.send(());
    }
}

/// Writes what the queue has staged, once per group.
struct Writer {
    queue: Arc<Mutex<DurableQueue>>,
}

impl GroupWriter for Writer {
    type Request = ();
    type Answer = Result<()>;

    fn write(&mut self, group: Vec<()>) -> Vec<Result<()>> {
        let written = commit_staged(&self.queue);
        group.iter().map(|_| written.as_ref().map(|_| ()).map_err(AggregatorError::duplicate)).collect()
    }
}

/// Writes what is staged in one transaction, without holding the queue meanwhile.
fn commit_staged(queue: &Mutex<DurableQueue>) -> Result<()> {
    let mut locked = queue.lock();
    let store = locked.shared_store();
    // The store is locked while the queue is: writes reach it in the order staged.
    let mut store = store.lock();
    let (changes, touched) = locked.take_staged(&store);
    drop(locked);
    let written = durable::write(&mut store, changes);
    let fault = store.fault().map(str::to_string);
    // The queue is taken after the store is let go, never the other way round.
    drop(store);
    queue.lock().wrote(fault, touched, &written);
    written
}
