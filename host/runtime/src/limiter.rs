//! The store limiter: one memory budget for everything an instance holds.
//!
//! wasmtime's own `StoreLimits` bounds each linear memory separately, so a component
//! with sixteen memories could hold sixteen times its limit, and tables and host-held
//! resources were not counted at all. Here every memory and table of the store draws on
//! one budget: `memory-bytes` minus what is reserved for host resources
//! (`Limits::host_reserve_bytes`).

use crate::limits::{Limits, STORE_MAX_INSTANCES, STORE_MAX_MEMORIES, STORE_MAX_TABLES};
use wasmtime::ResourceLimiter;

/// What one table element is counted as (a function reference: a pointer and a type).
const TABLE_ELEMENT_BYTES: u64 = 16;

/// Bounds the sum of an instance's memories and tables.
pub(crate) struct SandboxLimiter {
    memory_limit: u64,
    reserved: u64,
    /// Bytes of memories and tables granted so far.
    used: u64,
}

impl SandboxLimiter {
    pub(crate) fn new(limits: &Limits) -> Self {
        SandboxLimiter { memory_limit: limits.memory_bytes, reserved: limits.host_reserve_bytes(), used: 0 }
    }

    /// Bytes of memories and tables the instance holds.
    pub(crate) fn used(&self) -> u64 {
        self.used
    }

    fn grow(&mut self, what: &str, by: u64, desired: u64) -> wasmtime::Result<bool> {
        let total = self.used.saturating_add(by);
        if total.saturating_add(self.reserved) > self.memory_limit {
            // "growing memory" is what `classify_call_error` reports as the memory limit.
            wasmtime::bail!(
                "growing memory: {what} to {desired} would bring the instance to {total} bytes of memories and \
                 tables, over the {} bytes its limit of {} bytes leaves after {} bytes reserved for host resources",
                self.memory_limit.saturating_sub(self.reserved),
                self.memory_limit,
                self.reserved
            );
        }
        self.used = total;
        Ok(true)
    }
}

impl ResourceLimiter for SandboxLimiter {
    fn memory_growing(&mut self, current: usize, desired: usize, _maximum: Option<usize>) -> wasmtime::Result<bool> {
        // A new memory is reported as growing from 0, so `used` covers every memory.
        let by = desired.saturating_sub(current) as u64;
        self.grow("a linear memory", by, desired as u64)
    }

    fn table_growing(&mut self, current: usize, desired: usize, _maximum: Option<usize>) -> wasmtime::Result<bool> {
        let by = (desired.saturating_sub(current) as u64).saturating_mul(TABLE_ELEMENT_BYTES);
        self.grow("a table", by, desired as u64)
    }

    fn instances(&self) -> usize {
        STORE_MAX_INSTANCES as usize
    }

    fn tables(&self) -> usize {
        STORE_MAX_TABLES as usize
    }

    fn memories(&self) -> usize {
        STORE_MAX_MEMORIES as usize
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn memories_share_one_budget() {
        let limits = Limits { memory_bytes: 10 << 20, host_handles: 32, ..Limits::COMPONENT_DEFAULT };
        let mut limiter = SandboxLimiter::new(&limits);
        let budget = (10 << 20) - limits.host_reserve_bytes();
        // Two memories of 40% each fit; a third does not, although each alone would.
        let part = (budget * 4 / 10) as usize;
        assert!(limiter.memory_growing(0, part, None).unwrap());
        assert!(limiter.memory_growing(0, part, None).unwrap());
        let err = limiter.memory_growing(0, part, None).unwrap_err().to_string();
        assert!(err.contains("growing memory") && err.contains("reserved for host resources"), "{err}");
        assert_eq!(limiter.used(), 2 * part as u64);
    }

    #[test]
    fn tables_count_against_the_same_budget() {
        let limits = Limits { memory_bytes: 1 << 20, host_handles: 1, ..Limits::COMPONENT_DEFAULT };
        let mut limiter = SandboxLimiter::new(&limits);
        let elements = ((1u64 << 20) - limits.host_reserve_bytes()) / TABLE_ELEMENT_BYTES;
        assert!(limiter.table_growing(0, elements as usize, None).unwrap());
        assert!(limiter.memory_growing(0, 1, None).is_err());
    }
}
