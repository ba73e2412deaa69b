//! Exponential backoff for retrying what may pass (RPC outages, aggregator restarts).

use std::time::Duration;

/// Milliseconds since the Unix epoch: retry times are stored as wall-clock times
/// because they must mean the same after a restart.
pub fn unix_ms() -> u64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_millis() as u64)
}

/// Doubling delays between `min` and `max`.
#[derive(Debug, Clone)]
pub struct Backoff {
    min: Duration,
    max: Duration,
    next: Duration,
}

impl Backoff {
    /// Starts at `min`, never waits longer than `max`.
    pub fn new(min: Duration, max: Duration) -> Self {
        Backoff { min, max, next: min }
    }

    /// The delay to wait now; the following one doubles.
    pub fn next_delay(&mut self) -> Duration {
        let now = self.next;
        self.next = (self.next * 2).min(self.max);
        now
    }

    /// Back to the shortest delay after a success.
    pub fn reset(&mut self) {
        self.next = self.min;
    }
}

/// Runs `op` until it succeeds, fails for good (`retryable` false), or `attempts` ran out.
pub async fn retry<T, E, F, Fut>(attempts: usize, mut backoff: Backoff, retryable: impl Fn(&E) -> bool, mut op: F) -> Result<T, E>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T, E>>,
{
    let mut left = attempts.max(1);
    loop {
        match op().await {
            Ok(v) => return Ok(v),
            Err(e) if left > 1 && retryable(&e) => {
                left -= 1;
                tokio::time::sleep(backoff.next_delay()).await;
            }
            Err(e) => return Err(e),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delays_double_up_to_the_cap_and_reset() {
        let mut b = Backoff::new(Duration::from_millis(100), Duration::from_millis(300));
        let seen: Vec<_> = (0..4).map(|_| b.next_delay().as_millis()).collect();
        assert_eq!(seen, vec![100, 200, 300, 300]);
        b.reset();
        assert_eq!(b.next_delay().as_millis(), 100);
    }

    #[tokio::test]
    async fn retry_stops_on_a_permanent_error_and_gives_up_after_the_attempts() {
        let b = Backoff::new(Duration::from_millis(1), Duration::from_millis(1));
        let mut calls = 0;
        let r: Result<(), &str> = retry(5, b.clone(), |e| *e == "again", || {
            calls += 1;
            async move { if calls < 3 { Err("again") } else { Err("never") } }
        })
        .await;
        assert_eq!((r, calls), (Err("never"), 3));
        let mut calls = 0;
        let r: Result<(), &str> = retry(4, b, |_| true, || {
            calls += 1;
            async { Err("again") }
        })
        .await;
        assert_eq!((r, calls), (Err("again"), 4));
    }
}
