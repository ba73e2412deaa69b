//! Where the trigger readers and following meet. A reader that sees a followed manager's
//! URI change at height `h` wakes following at once and holds its chain's triggers from
//! `h` on until a look that started after it saw the change has completed: the trigger at
//! `h` and every later one then run the definition in force at their height (or the old
//! one, if the new one was refused), on every operator alike. A module of its own, so
//! that neither the readers nor following depends on the other.

use std::sync::atomic::{AtomicU64, Ordering};
use tokio::sync::Notify;

/// Rounds of looks at the followed managers, counted as they start and complete.
#[derive(Default)]
pub struct FollowRounds {
    wake: Notify,
    started: AtomicU64,
    completed: AtomicU64,
}

impl FollowRounds {
    /// Says a followed manager's URI changed and wakes following; returns the ticket a
    /// look must pass ([`FollowRounds::looked_since`]).
    pub(crate) fn changed(&self) -> u64 {
        let ticket = self.started.load(Ordering::SeqCst);
        self.wake.notify_one();
        ticket
    }

    /// Whether a look that started after `ticket` was taken has completed.
    pub(crate) fn looked_since(&self, ticket: u64) -> bool {
        self.completed.load(Ordering::SeqCst) > ticket
    }

    /// Waits until a reader says a URI changed (at once if one did since the last wait).
    pub(crate) async fn woken(&self) {
        self.wake.notified().await
    }

    /// A look starts: its round number.
    pub(crate) fn start(&self) -> u64 {
        self.started.fetch_add(1, Ordering::SeqCst) + 1
    }

    /// The look of `round` completed (well or not: a failed look must not hold the
    /// readers for good).
    pub(crate) fn complete(&self, round: u64) {
        self.completed.fetch_max(round, Ordering::SeqCst);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_look_started_after_the_change_releases_it() {
        let rounds = FollowRounds::default();
        let running = rounds.start();
        let ticket = rounds.changed();
        rounds.complete(running);
        assert!(!rounds.looked_since(ticket), "that look may have read the URI before the change");
        let next = rounds.start();
        assert!(!rounds.looked_since(ticket), "started, not completed");
        rounds.complete(next);
        assert!(rounds.looked_since(ticket));
    }
}
