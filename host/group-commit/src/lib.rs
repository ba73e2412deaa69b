//! Group commit. A durable commit costs an fsync, the one price a request cannot share
//! with others unless they are committed together. A [`GroupCommitter`] runs one writer
//! thread: requests that arrive while it is busy wait in a queue, and when it is free it
//! takes all of them (up to a maximum) and hands them to its [`GroupWriter`] as one
//! group, so N concurrent callers pay one sync instead of N. Callers await their own
//! answer; async tasks never block on the disk.
//!
//! What a group means is the writer's: the node applies each request's closure in one
//! transaction (`host/node/src/store/committer.rs`); the aggregator writes everything
//! staged in its queue by then (`aggregator/src/committer.rs`).

use std::sync::mpsc;
use std::thread::JoinHandle;
use tokio::sync::oneshot;

/// What the writer thread does with a group.
pub trait GroupWriter: Send + 'static {
    /// One caller's request.
    type Request: Send + 'static;
    /// What a caller hears back.
    type Answer: Send + 'static;

    /// Handles `group` (in arrival order) and answers each request, in the same order
    /// and exactly once: answers past the group's length are dropped, missing ones tell
    /// their callers the writer stopped.
    fn write(&mut self, group: Vec<Self::Request>) -> Vec<Self::Answer>;
}

type Queued<W> = (<W as GroupWriter>::Request, Option<oneshot::Sender<<W as GroupWriter>::Answer>>);

/// The writer thread and the queue in front of it. Dropping it lets the thread finish
/// what is queued, then joins it (so the store it holds can be opened again at once).
pub struct GroupCommitter<W: GroupWriter> {
    queue: Option<mpsc::Sender<Queued<W>>>,
    thread: Option<JoinHandle<()>>,
}

/// The writer thread is gone (it panicked, or the committer is being dropped).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Stopped;

impl std::fmt::Display for Stopped {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("the store's writer thread stopped")
    }
}

impl std::error::Error for Stopped {}

impl<W: GroupWriter> GroupCommitter<W> {
    /// Starts thread `name` writing groups of at most `max_group` requests with `writer`.
    pub fn start(name: &str, max_group: usize, mut writer: W) -> std::io::Result<Self> {
        let (queue, requests) = mpsc::channel::<Queued<W>>();
        let max_group = max_group.max(1);
        let thread = std::thread::Builder::new().name(name.to_string()).spawn(move || {
            while let Ok(first) = requests.recv() {
                let mut group = vec![first];
                while group.len() < max_group {
                    match requests.try_recv() {
                        Ok(next) => group.push(next),
                        Err(_) => break,
                    }
                }
                let (group, replies): (Vec<_>, Vec<_>) = group.into_iter().unzip();
                for (answer, reply) in writer.write(group).into_iter().zip(replies) {
                    if let Some(reply) = reply {
                        let _ = reply.send(answer);
                    }
                }
            }
        })?;
        Ok(GroupCommitter { queue: Some(queue), thread: Some(thread) })
    }

    /// Queues `request` for the next group and waits for its answer.
    pub async fn call(&self, request: W::Request) -> Result<W::Answer, Stopped> {
        let (reply, answer) = oneshot::channel();
        self.queue.as_ref().ok_or(Stopped)?.send((request, Some(reply))).map_err(|_| Stopped)?;
        answer.await.map_err(|_| Stopped)
    }

    /// Queues `request` for the next group without waiting for it.
    pub fn send(&self, request: W::Request) -> Result<(), Stopped> {
        self.queue.as_ref().ok_or(Stopped)?.send((request, None)).map_err(|_| Stopped)
    }
}

impl<W: GroupWriter> Drop for GroupCommitter<W> {
    fn drop(&mut self) {
        drop(self.queue.take());
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::time::Duration;

    /// Doubles each request; counts groups; sleeps like a sync.
    struct Doubler(Arc<AtomicUsize>);

    impl GroupWriter for Doubler {
        type Request = u64;
        type Answer = u64;
        fn write(&mut self, group: Vec<u64>) -> Vec<u64> {
            self.0.fetch_add(1, Ordering::Relaxed);
            std::thread::sleep(Duration::from_millis(5));
            group.into_iter().map(|r| r * 2).collect()
        }
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn concurrent_callers_share_groups_and_each_hears_its_own_answer() {
        let groups = Arc::new(AtomicUsize::new(0));
        let committer = Arc::new(GroupCommitter::start("test-commit", 64, Doubler(groups.clone())).unwrap());
        let calls: Vec<_> = (0..200u64)
            .map(|i| {
                let committer = committer.clone();
                tokio::spawn(async move { (i, committer.call(i).await) })
            })
            .collect();
        for call in calls {
            let (i, answer) = call.await.unwrap();
            assert_eq!(answer, Ok(i * 2));
        }
        let groups = groups.load(Ordering::Relaxed);
        assert!(groups < 200, "200 concurrent calls took {groups} groups: none were shared");
    }

    struct Short;

    impl GroupWriter for Short {
        type Request = u8;
        type Answer = u8;
        fn write(&mut self, _group: Vec<u8>) -> Vec<u8> {
            Vec::new()
        }
    }

    #[tokio::test]
    async fn a_request_the_writer_does_not_answer_hears_that_it_stopped_and_drop_waits_for_the_queue() {
        let committer = GroupCommitter::start("test-short", 8, Short).unwrap();
        assert_eq!(committer.call(1).await, Err(Stopped));
        let groups = Arc::new(AtomicUsize::new(0));
        let committer = GroupCommitter::start("test-drop", 1, Doubler(groups.clone())).unwrap();
        for i in 0..5 {
            committer.send(i).unwrap();
        }
        drop(committer);
        assert_eq!(groups.load(Ordering::Relaxed), 5, "every queued request was written before drop returned");
    }
}
