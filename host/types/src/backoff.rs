//! Retry schedules for what may pass (RPC outages, adapter restarts, an aggregator or
//! a chain down), on the `backon` crate: delays doubling from a first to a longest one,
//! each stretched by a random jitter of up to its own length, so that the retries of
//! many jobs, envelopes or chains that failed together do not all fire together again.
//! The node's reader and sender and the aggregator's submission queue use them.

use backon::{BackoffBuilder, ExponentialBackoff, ExponentialBuilder};
use std::time::Duration;

/// Milliseconds since the Unix epoch: retry and expiry times are stored as wall-clock
/// times because they must mean the same after a restart.
pub fn unix_ms() -> u64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_millis() as u64)
}

/// Doubling delays from `first` up to `longest`, each with up to as much jitter again:
/// a delay is in `[d, 2d)` where `d` is `first * 2^n`, at most `longest`.
#[derive(Debug, Clone, Copy)]
pub struct Schedule {
    first: Duration,
    longest: Duration,
}

impl Schedule {
    /// The schedule from `first` to `longest` (before jitter).
    pub const fn new(first: Duration, longest: Duration) -> Self {
        Schedule { first, longest }
    }

    /// The delays of a loop that retries until it works; start a new one after a success.
    pub fn delays(&self) -> ExponentialBackoff {
        ExponentialBuilder::new()
            .with_min_delay(self.first)
            .with_max_delay(self.longest)
            .with_jitter()
            .without_max_times()
            .build()
    }

    /// The delay before retry number `retry` (0 for the first) of something whose
    /// count of failures is stored rather than held in a loop.
    pub fn delay(&self, retry: u32) -> Duration {
        // Past the doubling, every delay is the longest: no need to walk further.
        let steps = retry.min(32) as usize;
        self.delays().nth(steps).unwrap_or(self.longest)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delays_double_up_to_the_longest_with_jitter_below_their_own_length() {
        let schedule = Schedule::new(Duration::from_millis(100), Duration::from_millis(400));
        for _ in 0..50 {
            let seen: Vec<u128> = schedule.delays().take(5).map(|d| d.as_millis()).collect();
            for (delay, base) in seen.iter().zip([100, 200, 400, 400, 400]) {
                assert!((base..2 * base).contains(delay), "{seen:?}");
            }
            let third = schedule.delay(2).as_millis();
            assert!((400..800).contains(&third), "{third}");
            assert!((400..800).contains(&schedule.delay(u32::MAX).as_millis()));
        }
        // Jitter spreads retries that start together.
        let firsts: std::collections::BTreeSet<u128> = (0..20).map(|_| schedule.delay(0).as_millis()).collect();
        assert!(firsts.len() > 1, "{firsts:?}");
    }
}
