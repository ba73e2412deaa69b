//! Group commit. Every durable redb commit is an fdatasync, the one cost a task cannot
//! share; one commit per job capped the node near a thousand tasks per second per disk.
//! Writes that arrive while a commit is on disk wait in a queue; a dedicated thread then
//! applies all of them in one transaction and commits once, so N concurrent jobs pay one
//! sync instead of N (the thread and its queue are `wavs-group-commit`'s, shared with the
//! aggregator). Callers await their own result; async workers never block on disk.
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
use wavs_group_commit::{GroupCommitter, GroupWriter};

/// Most writes applied in one transaction: bounds how long one group holds the lock.
const MAX_GROUP: usize = 512;

type Output = Box<dyn Any + Send>;
type Apply = Box<dyn FnMut(&WriteTransaction) -> Result<Output> + Send>;

/// The store's writer thread (`wavs-group-commit`) and the queue in front of it.
pub(super) struct Committer(GroupCommitter<Writer>);

impl Committer {
    pub(super) fn start(cell: Arc<DbCell>) -> Result<Self> {
        GroupCommitter::start("wavs-store-commit", MAX_GROUP, Writer { cell })
            .map(Committer)
            .map_err(|e| NodeError::store(format!("cannot start the store's writer thread: {e}")))
    }

    /// Applies `apply` in the next group commit and returns its result once that commit
    /// is durable. `apply` may run twice (see the module docs); it must not have effects
    /// outside the transaction.
    pub(super) async fn write<R: Send + 'static>(
        &self,
        mut apply: impl FnMut(&WriteTransaction) -> Result<R> + Send + 'static,
    ) -> Result<R> {
        let apply: Apply = Box::new(move |txn| apply(txn).map(|r| Box::new(r) as Output));
        let output = self.0.call(apply).await.map_err(|e| NodeError::store(e.to_string()))??;
        Ok(*output.downcast::<R>().expect("a write answers with its own type"))
    }
}

/// Applies a group of writes to the database the cell holds.
struct Writer {
    cell: Arc<DbCell>,
}

impl GroupWriter for Writer {
    type Request = Apply;
    type Answer = Result<Output>;

    fn write(&mut self, mut group: Vec<Apply>) -> Vec<Result<Output>> {
        let cell = &self.cell;
        let db = match cell.lease() {
            Ok(db) => db,
            Err(e) => return fail_all(group.len(), &e),
        };
        if group.len() > 1 {
            match apply_all(&db, &mut group) {
                Ok(outputs) => return outputs.into_iter().map(Ok).collect(),
                Err(e) if matches!(e, NodeError::StoreIo(_)) => {
                    cell.check(&db, &e);
                    return fail_all(group.len(), &e);
                }
                Err(e) => tracing::debug!(size = group.len(), "a group commit failed ({e}); committing its writes one by one"),
            }
        }
        let mut answers = Vec::with_capacity(group.len());
        for apply in &mut group {
            let result = apply_all(&db, std::slice::from_mut(apply)).map(|mut o| o.remove(0));
            if let Err(e @ NodeError::StoreIo(_)) = &result {
                cell.check(&db, e);
                let rest = group.len() - answers.len() - 1;
                let failed = fail_all(rest, e);
                answers.push(result);
                answers.extend(failed);
                return answers;
            }
            answers.push(result);
        }
        answers
    }
}

/// `n` copies of `e`, one per write of the group: the disk failed, not them.
fn fail_all(n: usize, e: &NodeError) -> Vec<Result<Output>> {
    let copy = || match e {
        NodeError::StoreIo(m) => NodeError::StoreIo(m.clone()),
        NodeError::Store { message, .. } => NodeError::store(message.clone()),
        other => NodeError::store(other.to_string()),
    };
    (0..n).map(|_| Err(copy())).collect()
}

/// Applies every write of `group` in one transaction and commits; on any error nothing
/// is committed.
fn apply_all(db: &Lease, group: &mut [Apply]) -> Result<Vec<Output>> {
    let txn = db.begin_write()?;
    // A panicking write fails like an erring one, instead of ending the thread every
    // later write needs.
    let apply = |apply: &mut Apply| {
        std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| apply(&txn)))
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
