//! Entries put back until it is this node's turn to submit them (`crate::turns`).

use super::{Key, Queue};
use std::time::Instant;

impl Queue {
    /// Puts a taken entry back, not to be taken before `until`: another node is first in
    /// line. Not a failed attempt, so its backoff does not grow; `why` is shown in its
    /// status meanwhile.
    pub fn wait_turn(&mut self, key: &Key, until: Instant, why: String) {
        if let Some(entry) = self.entries.get_mut(key) {
            entry.in_flight = false;
            entry.not_before = Some(until);
            entry.last_error = Some(why);
        }
    }
}
