//! The first send of fresh envelopes. The executor hands each signed envelope over and
//! waits for the outcome (a manual task's answer shows it); one task takes what is
//! queued, up to a batch, and delivers it in one request. Alone, an envelope goes at
//! once; under load, envelopes signed meanwhile share the next request and commit.

use super::{BATCH, Send, Sender};
use crate::store::OutboxState;
use std::sync::Weak;
use tokio::sync::{mpsc, oneshot};

/// A send waiting in the queue, with where its outcome goes.
pub(crate) struct Queued {
    send: Send,
    reply: oneshot::Sender<OutboxState>,
}

/// Queues `send` and waits for its outcome.
pub(super) async fn send_queued(queue: &mpsc::UnboundedSender<Queued>, send: Send) -> OutboxState {
    // Should the queue be gone (the node stopping), the envelope stays in the outbox,
    // and the outbox loop sends it.
    let unsent = OutboxState::Pending { attempts: send.attempts, not_before_ms: 0, last_error: None };
    let (reply, outcome) = oneshot::channel();
    if queue.send(Queued { send, reply }).is_err() {
        return unsent;
    }
    outcome.await.unwrap_or(unsent)
}

/// Delivers what is queued, a batch at a time, until the sender is dropped.
pub(super) async fn deliver_queued(sender: Weak<Sender>, mut queued: mpsc::UnboundedReceiver<Queued>) {
    while let Some(first) = queued.recv().await {
        let mut batch = vec![first];
        while batch.len() < BATCH {
            match queued.try_recv() {
                Ok(next) => batch.push(next),
                Err(_) => break,
            }
        }
        let Some(sender) = sender.upgrade() else { return };
        let (sends, replies): (Vec<Send>, Vec<_>) = batch.into_iter().map(|q| (q.send, q.reply)).unzip();
        for (state, reply) in sender.deliver(sends).await.into_iter().zip(replies) {
            let _ = reply.send(state);
        }
    }
}
