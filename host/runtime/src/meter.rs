//! Metering of one call into a guest: its deadline, the fuel its host calls cost, and
//! its log budget.
//!
//! Fuel and time are enforced in WASM code by wasmtime (fuel, and epoch interruption:
//! see `engine.rs`). A guest that spends its time *in host calls* is not, unless the
//! host checks too: every host call made through the WAVS imports checks the deadline
//! before and after it works, and is charged fuel per call and per byte. Host functions
//! cannot reach the store's fuel, so charges accumulate here and are deducted at the
//! next epoch tick (`settle`); a charge that alone exceeds the fuel left at the last
//! tick stops the guest at once.

use crate::limits::Limits;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;
use wasmtime::Trap;

/// What host work costs, in fuel (about a nanosecond of WASM each).
pub mod cost {
    /// Any host call: the crossing and the lookup.
    pub const CALL: u64 = 10_000;
    /// A durable write (`kv.set`, `kv.delete`): a commit to disk.
    pub const WRITE: u64 = 1_000_000;
    /// Each byte a host call moves in or out.
    pub const BYTE: u64 = 1;
    /// A curve operation that costs about a scalar multiplication (a signature check or
    /// a signing on secp256k1 or Ed25519, a BN254 G1 multiplication or hash-to-curve).
    pub const SCALAR_MUL: u64 = 100_000;
    /// One BN254 pairing, by far the dearest curve operation (about a millisecond).
    pub const PAIRING: u64 = 1_500_000;

    /// `count` operations of `scheme`'s signing or checking.
    pub fn curve(scheme: crate::bindings::curves_api::Scheme, count: usize) -> u64 {
        use crate::bindings::curves_api::Scheme;
        let each = match scheme {
            Scheme::Secp256k1Ecdsa | Scheme::Ed25519 => SCALAR_MUL,
            // A check is four pairings (signature, and the key's G1/G2 halves).
            Scheme::Bn254Bls => 4 * PAIRING,
        };
        each.saturating_mul(count as u64)
    }
}

/// Log lines dropped by every guest of this process since start, for `/metrics`.
static LOG_LINES_DROPPED: AtomicU64 = AtomicU64::new(0);

/// Log lines guests of this process wrote past their budgets, dropped.
pub fn log_lines_dropped() -> u64 {
    LOG_LINES_DROPPED.load(Ordering::Relaxed)
}

/// The meter of the call in progress.
#[derive(Debug)]
pub(crate) struct Meter {
    deadline: Instant,
    time_ms: u64,
    /// Fuel charged by host calls and not yet deducted from the store.
    pending: u64,
    /// The store's fuel at the start of the call or the last settlement.
    fuel_left: u64,
    /// All fuel charged by host calls during this call.
    host_fuel: u64,
    log_lines: u64,
    log_bytes: u64,
    log_budget: (u64, u64),
    log_exhausted: bool,
    dropped: u64,
}

/// What a log line may do under the budget.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum LogVerdict {
    /// Write it.
    Write,
    /// The budget just ran out: write one line saying so instead.
    Exhausted,
    /// Drop it (already counted).
    Drop,
}

impl Meter {
    pub(crate) fn new(limits: &Limits) -> Self {
        let now = Instant::now();
        Meter {
            deadline: now + limits.time(),
            time_ms: limits.time_ms,
            pending: 0,
            fuel_left: limits.fuel,
            host_fuel: 0,
            log_lines: 0,
            log_bytes: 0,
            log_budget: (limits.log_lines, limits.log_bytes),
            log_exhausted: false,
            dropped: 0,
        }
    }

    /// Starts a new call (an adapter instance serves many) under `limits`.
    pub(crate) fn begin(&mut self, limits: &Limits) {
        *self = Meter::new(limits);
    }

    /// Fuel charged by host calls so far, settled or not.
    pub(crate) fn host_fuel(&self) -> u64 {
        self.host_fuel
    }

    /// Fuel charged and not yet deducted from the store.
    pub(crate) fn pending(&self) -> u64 {
        self.pending
    }

    /// Log lines dropped during this call.
    pub(crate) fn dropped_log_lines(&self) -> u64 {
        self.dropped
    }

    /// Fails with the time-limit trap once the deadline has passed.
    pub(crate) fn check_deadline(&self) -> wasmtime::Result<()> {
        if Instant::now() >= self.deadline {
            tracing::debug!(time_ms = self.time_ms, "guest stopped in a host call: deadline passed");
            return Err(Trap::Interrupt.into());
        }
        Ok(())
    }

    /// Charges a host call moving `bytes`, plus `extra` fuel, after checking the deadline.
    pub(crate) fn charge(&mut self, bytes: usize, extra: u64) -> wasmtime::Result<()> {
        self.check_deadline()?;
        let fuel = cost::CALL.saturating_add(extra).saturating_add((bytes as u64).saturating_mul(cost::BYTE));
        self.pending = self.pending.saturating_add(fuel);
        self.host_fuel = self.host_fuel.saturating_add(fuel);
        if self.pending > self.fuel_left {
            return Err(Trap::OutOfFuel.into());
        }
        Ok(())
    }

    /// Deducts the pending charges from `store_fuel`; returns the fuel left (0: out).
    pub(crate) fn settle(&mut self, store_fuel: u64) -> u64 {
        let left = store_fuel.saturating_sub(self.pending);
        self.pending = 0;
        self.fuel_left = left;
        left
    }

    /// Counts a log line of `bytes` against the budget.
    pub(crate) fn log(&mut self, bytes: usize) -> LogVerdict {
        let (max_lines, max_bytes) = self.log_budget;
        if self.log_exhausted || self.log_lines >= max_lines || self.log_bytes.saturating_add(bytes as u64) > max_bytes {
            self.dropped += 1;
            LOG_LINES_DROPPED.fetch_add(1, Ordering::Relaxed);
            // The first line over the budget becomes the notice; later ones are dropped.
            if !self.log_exhausted {
                self.log_exhausted = true;
                return LogVerdict::Exhausted;
            }
            return LogVerdict::Drop;
        }
        self.log_lines += 1;
        self.log_bytes += bytes as u64;
        LogVerdict::Write
    }

    /// The budget, for the notice line.
    pub(crate) fn log_budget(&self) -> (u64, u64) {
        self.log_budget
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn host_charges_run_out_like_fuel() {
        let mut meter = Meter::new(&Limits { fuel: 3 * cost::CALL, ..Limits::COMPONENT_DEFAULT });
        meter.charge(0, 0).unwrap();
        meter.charge(0, 0).unwrap();
        assert_eq!(meter.settle(3 * cost::CALL), cost::CALL);
        meter.charge(0, 0).unwrap();
        let err = meter.charge(0, 0).unwrap_err();
        assert_eq!(err.downcast_ref::<Trap>(), Some(&Trap::OutOfFuel));
        assert_eq!(meter.host_fuel(), 4 * cost::CALL);
    }

    #[test]
    fn a_passed_deadline_stops_the_next_host_call() {
        let mut meter = Meter::new(&Limits { time_ms: 1, ..Limits::COMPONENT_DEFAULT });
        std::thread::sleep(Duration::from_millis(5));
        let err = meter.charge(10, 0).unwrap_err();
        assert_eq!(err.downcast_ref::<Trap>(), Some(&Trap::Interrupt));
    }

    #[test]
    fn the_log_budget_writes_one_notice_then_drops() {
        let mut meter = Meter::new(&Limits { log_lines: 2, log_bytes: 1_000, ..Limits::COMPONENT_DEFAULT });
        assert_eq!(meter.log(10), LogVerdict::Write);
        assert_eq!(meter.log(10), LogVerdict::Write);
        assert_eq!(meter.log(10), LogVerdict::Exhausted);
        assert_eq!(meter.log(10), LogVerdict::Drop);
        assert_eq!(meter.dropped_log_lines(), 2);
        // Bytes run out too.
        let mut meter = Meter::new(&Limits { log_lines: 100, log_bytes: 15, ..Limits::COMPONENT_DEFAULT });
        assert_eq!(meter.log(10), LogVerdict::Write);
        assert_eq!(meter.log(10), LogVerdict::Exhausted);
        assert_eq!(meter.log(1), LogVerdict::Drop);
    }
}
