//! Group commit. Every durable redb commit is an fdatasync, the one cost a task cannot
//! share; one commit per job capped the node near a thousand tasks per second per disk.
//! Writes that arrive while a commit is on disk wait in a queue; a dedicated thread then
//! applies all of them in one transaction and commits once, so N concurrent jobs pay one
//! sync instead of N. Callers await their own result; async workers never block on disk.
//!
//! Each write is a closure that may run twice: if one write of a group fails, the group
//! is dropped uncommitted and every write runs again in a transaction of its own, so a
//! bad write fails alone. An I/O error is the disk's, not a write's: the whole group
//! fails with it, and the store reopens the database (`cell.rs`). Each group leases the
//! database anew, so the thread never keeps a poisoned one.

use super::cell::{DbCell, Lease};
use crate::error::{NodeError, Result};
use redb::WriteTransaction;
use std::any::Any;
use std::sync::Arc;
use std::sync::mpsc;
use std::thread::JoinHandle;
use tokio::sync::oneshot;

/// Most writes applied in one transaction: bounds how long one group holds the lock.
const MAX_GROUP: usize = 512;

type Output = Box<dyn Any + Send>;
type Apply = Box<dyn FnMut(&WriteTransaction) -> Result<Output> + Send>;

struct Request {
    apply: Apply,
    reply: oneshot::Sender<Result<Output>>,
}

/// The writer thread and the queue in front of it.
pub(super) struct Committer {
    queue: Option<mpsc::Sender<Request>>,
    thread: Option<JoinHandle<()>>,
}

impl Committer {
    pub(super) fn start(cell: Arc<DbCell>) -> Result<Self> {
        let (queue, requests) = mpsc::channel();
        let thread = std::thread::Builder::new()
            .name("wavs-store-commit".into())
            .spawn(move || writer(&cell, &requests))
            .map_err(|e| NodeError::store(format!("cannot start the store's writer thread: {e}")))?;
        Ok(Committer { queue: Some(queue), thread: Some(thread) })
    }

    /// Applies `apply` in the next group commit and returns its result once that commit
    /// is durable. `apply` may run twice (see the module docs); it must not have effects
    /// outside the transaction.
    pub(super) async fn write<R: Send + 'static>(
        &self,
        mut apply: impl FnMut(&WriteTransaction) -> Result<R> + Send + 'static,
    ) -> Result<R> {
        let (reply, answer) = oneshot::channel();
        let apply: Apply = Box::new(move |txn| apply(txn).map(|r| Box::new(r) as Output));
        let gone = || NodeError::store("the store's writer thread stopped");
        self.queue.as_ref().ok_or_else(gone)?.send(Request { apply, reply }).map_err(|_| gone())?;
        let output = answer.await.map_err(|_| gone())??;
        Ok(*output.downcast::<R>().expect("a write answers with its own type"))
    }
}

impl Drop for Committer {
    /// Lets the thread finish what is queued and release the database, so the store can
    /// be opened again at once.
    fn drop(&mut self) {
        drop(self.queue.take());
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

fn writer(cell: &DbCell, requests: &mpsc::Receiver<Request>) {
    while let Ok(first) = requests.recv() {
        let mut group = vec![first];
        while group.len() < MAX_GROUP {
            match requests.try_recv() {
                Ok(request) => group.push(request),
                Err(_) => break,
            }
        }
        let db = match cell.lease() {
            Ok(db) => db,
            Err(e) => {
                fail_all(group, &e);
                continue;
            }
        };
        if group.len() > 1 {
            match apply_all(&db, &mut group) {
                Ok(outputs) => {
                    for (request, output) in group.into_iter().zip(outputs) {
                        let _ = request.reply.send(Ok(output));
                    }
                    continue;
                }
                Err(e) if matches!(e, NodeError::StoreIo(_)) => {
                    cell.check(&db, &e);
                    fail_all(group, &e);
                    continue;
                }
                Err(e) => tracing::debug!(size = group.len(), "a group commit failed ({e}); committing its writes one by one"),
            }
        }
        let mut group = group.into_iter();
        while let Some(mut request) = group.next() {
            let result = apply_all(&db, std::slice::from_mut(&mut request)).map(|mut o| o.remove(0));
            if let Err(e @ NodeError::StoreIo(_)) = &result {
                cell.check(&db, e);
                fail_all(group.by_ref().collect(), e);
            }
            let _ = request.reply.send(result);
        }
    }
}

/// Answers every request of `group` with (a copy of) `e`: the disk failed, not them.
fn fail_all(group: Vec<Request>, e: &NodeError) {
    for request in group {
        let copy = match e {
            NodeError::StoreIo(m) => NodeError::StoreIo(m.clone()),
            NodeError::Store { message, .. } => NodeError::store(message.clone()),
            other => NodeError::store(other.to_string()),
        };
        let _ = request.reply.send(Err(copy));
    }
}

/// Applies every write of `group` in one transaction and commits; on any error nothing
/// is committed.
fn apply_all(db: &Lease, group: &mut [Request]) -> Result<Vec<Output>> {
    let txn = db.begin_write()?;
    // A panicking write fails like an erring one, instead of ending the thread every
    // later write needs.
    let apply = |r: &mut Request| {
        std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| (r.apply)(&txn)))
            .unwrap_or_else(|_| Err(NodeError::store("a store write panicked; nothing of it was committed")))
    };
    let outputs = group.iter_mut().map(apply).collect::<Result<Vec<_>>>()?;
    txn.commit()?;
    Ok(outputs)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::cell::Hooks;
    use redb::{Database, ReadableDatabase, TableDefinition};

    const T: TableDefinition<u64, u64> = TableDefinition::new("t");

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn concurrent_writes_share_commits_and_a_failing_one_fails_alone() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("db");
        let cell = Arc::new(DbCell::new(path.clone(), Database::create(&path).unwrap(), Hooks::production()));
        let committer = Arc::new(Committer::start(cell.clone()).unwrap());
        let writes = (0..200u64).map(|i| {
            let committer = committer.clone();
            tokio::spawn(async move {
                committer
                    .write(move |txn| {
                        if i == 7 {
                            return Err(NodeError::Invalid("write 7 is refused".into()));
                        }
                        if i == 9 {
                            panic!("write 9 panics");
                        }
                        txn.open_table(T)?.insert(i, i * 2)?;
                        Ok(i)
                    })
                    .await
            })
        });
        let results: Vec<_> = futures_join(writes).await;
        assert_eq!(results[7].as_ref().unwrap_err().to_string(), "write 7 is refused");
        assert!(results[9].as_ref().unwrap_err().to_string().contains("panicked"));
        assert!(results.iter().enumerate().all(|(i, r)| i == 7 || i == 9 || *r.as_ref().unwrap() == i as u64));
        let txn = cell.lease().unwrap().begin_read().unwrap();
        let table = txn.open_table(T).unwrap();
        assert_eq!(table.get(199).unwrap().unwrap().value(), 398);
        assert!(table.get(7).unwrap().is_none(), "the refused write left nothing");
        assert!(table.get(9).unwrap().is_none(), "nor the one that panicked");
        assert_eq!(redb::ReadableTableMetadata::len(&table).unwrap(), 198);
    }

    async fn futures_join<T>(handles: impl Iterator<Item = tokio::task::JoinHandle<T>>) -> Vec<T> {
        let mut out = Vec::new();
        for handle in handles.collect::<Vec<_>>() {
            out.push(handle.await.unwrap());
        }
        out
    }
}
