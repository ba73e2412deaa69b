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
//! The node has the same idea in `host/node/src/store/committer.rs`, built on the
//! node's store; they could share one crate once both stores are shaped alike.

use crate::durable::{self, DurableQueue};
use crate::error::{AggregatorError, Result};
use parking_lot::Mutex;
use std::sync::Arc;
use std::sync::mpsc;
use std::thread::JoinHandle;
use tokio::sync::oneshot;

type Reply = oneshot::Sender<Result<()>>;

/// The writer thread and the requests in front of it.
pub struct Committer {
    requests: Option<mpsc::Sender<Reply>>,
    thread: Option<JoinHandle<()>>,
}

impl Committer {
    /// Starts the writer thread for `queue`.
    pub fn start(queue: Arc<Mutex<DurableQueue>>) -> Result<Self> {
        let (requests, incoming) = mpsc::channel();
        let thread = std::thread::Builder::new()
            .name("wavs-aggregator-commit".into())
            .spawn(move || writer(&queue, &incoming))
            .map_err(|e| AggregatorError::Store(format!("cannot start the store's writer thread: {e}")))?;
        Ok(Committer { requests: Some(requests), thread: Some(thread) })
    }

    /// Returns once everything staged before this call is on disk, or with the error
    /// that kept it from getting there.
    pub async fn commit(&self) -> Result<()> {
        let (reply, answer) = oneshot::channel();
        let gone = || AggregatorError::Store("the store's writer thread stopped".into());
        self.requests.as_ref().ok_or_else(gone)?.send(reply).map_err(|_| gone())?;
        answer.await.map_err(|_| gone())?
    }

    /// Asks for a commit of what is staged without waiting for it (the batcher's
    /// outcomes: the next round waits for it before taking anything).
    pub fn nudge(&self) {
        let (reply, _) = oneshot::channel();
        if let Some(requests) = &self.requests {
            let _ = requests.send(reply);
        }
    }
}

impl Drop for Committer {
    /// Lets the thread write what is staged and let go of the store, so it can be
    /// opened again at once.
    fn drop(&mut self) {
        drop(self.requests.take());
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

fn writer(queue: &Mutex<DurableQueue>, incoming: &mpsc::Receiver<Reply>) {
    while let Ok(first) = incoming.recv() {
        let mut waiting = vec![first];
        waiting.extend(incoming.try_iter());
        let written = commit_staged(queue);
        for reply in waiting {
            let _ = reply.send(written.as_ref().map(|_| ()).map_err(AggregatorError::duplicate));
        }
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
