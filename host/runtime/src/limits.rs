//! Resource limits applied to every call into WASM.

use serde::{Deserialize, Serialize};
use std::time::Duration;

/// Core instances one store may create (a component's modules count one each).
pub const STORE_MAX_INSTANCES: u32 = 64;
/// Tables one store may create.
pub const STORE_MAX_TABLES: u32 = 64;
/// Linear memories one store may create.
pub const STORE_MAX_MEMORIES: u32 = 16;

/// Limits for one call into a component or adapter. All are finite by default, and each
/// holds against host calls as well as against computation: see `meter.rs`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case", default)]
pub struct Limits {
    /// Fuel (roughly, WASM instructions) one call may burn. Host calls are charged too,
    /// per call and per byte they move (`meter::cost`).
    pub fuel: u64,
    /// Wall-clock time one call may take, in milliseconds, I/O included. Enforced by
    /// epoch interruption in WASM code and by a deadline check around every host call.
    pub time_ms: u64,
    /// Memory the instance may hold, in bytes: all its linear memories and tables
    /// together, plus what the host may hold for it (`host-handles` resources of up to
    /// [`HOST_BYTES_PER_HANDLE`] each).
    pub memory_bytes: u64,
    /// Total bytes of output one call may return.
    pub output_bytes: u64,
    /// Live host resources (HTTP requests, headers, bodies, streams, pollables) the
    /// instance may hold at once.
    pub host_handles: u64,
    /// Log lines one call may write; past it one line says so and the rest is dropped.
    pub log_lines: u64,
    /// Log bytes one call may write, counted like `log-lines`.
    pub log_bytes: u64,
}

/// What one live host resource may hold for a guest, at most: the size cap of an HTTP
/// `fields` (headers) object. `host-handles` of these are counted against the memory
/// limit, so a guest cannot hold host memory its limit does not cover.
pub const HOST_BYTES_PER_HANDLE: u64 = 32 << 10;

impl Limits {
    /// Defaults for service components.
    pub const COMPONENT_DEFAULT: Limits = Limits {
        fuel: 1_000_000_000,
        time_ms: 10_000,
        memory_bytes: 64 << 20,
        output_bytes: 1 << 20,
        host_handles: 256,
        log_lines: 1_000,
        log_bytes: 256 << 10,
    };

    /// Defaults for chain adapters, which do more I/O (and wait for receipts).
    pub const ADAPTER_DEFAULT: Limits = Limits {
        fuel: 10_000_000_000,
        time_ms: 60_000,
        memory_bytes: 256 << 20,
        output_bytes: 64 << 20,
        host_handles: 1_024,
        log_lines: 1_000,
        log_bytes: 256 << 10,
    };

    /// No bound at all: the maximum to check a configuration against when only zeros
    /// are wrong.
    pub const UNBOUNDED: Limits = Limits {
        fuel: u64::MAX,
        time_ms: u64::MAX,
        memory_bytes: u64::MAX,
        output_bytes: u64::MAX,
        host_handles: u64::MAX,
        log_lines: u64::MAX,
        log_bytes: u64::MAX,
    };

    /// `self` with each limit `overrides` sets replaced.
    pub fn with_overrides(self, overrides: &wavs_types::LimitOverrides) -> Limits {
        let wavs_types::LimitOverrides { fuel, time_ms, memory_bytes, output_bytes, host_handles, log_lines, log_bytes } =
            *overrides;
        Limits {
            fuel: fuel.unwrap_or(self.fuel),
            time_ms: time_ms.unwrap_or(self.time_ms),
            memory_bytes: memory_bytes.unwrap_or(self.memory_bytes),
            output_bytes: output_bytes.unwrap_or(self.output_bytes),
            host_handles: host_handles.unwrap_or(self.host_handles),
            log_lines: log_lines.unwrap_or(self.log_lines),
            log_bytes: log_bytes.unwrap_or(self.log_bytes),
        }
    }

    /// The wall-clock bound as a duration.
    pub fn time(&self) -> Duration {
        Duration::from_millis(self.time_ms)
    }

    /// Returns the first limit of `self` that exceeds `max`, if any, as a message.
    pub fn exceeding(&self, max: &Limits) -> Option<String> {
        let checks = [
            ("fuel", self.fuel, max.fuel),
            ("time-ms", self.time_ms, max.time_ms),
            ("memory-bytes", self.memory_bytes, max.memory_bytes),
            ("output-bytes", self.output_bytes, max.output_bytes),
            ("host-handles", self.host_handles, max.host_handles),
            ("log-lines", self.log_lines, max.log_lines),
            ("log-bytes", self.log_bytes, max.log_bytes),
        ];
        checks
            .iter()
            .find(|(_, v, m)| v > m)
            .map(|(name, v, m)| format!("{name} = {v} exceeds the operator maximum {m}"))
            .or_else(|| {
                checks
                    .iter()
                    // A log budget of 0 is a valid choice: a silent guest.
                    .find(|(name, v, _)| *v == 0 && !name.starts_with("log-"))
                    .map(|(name, _, _)| format!("{name} must be greater than 0"))
            })
            .or_else(|| {
                let reserved = self.host_reserve_bytes();
                (reserved >= self.memory_bytes).then(|| {
                    format!(
                        "memory-bytes = {} leaves nothing for linear memory: host-handles = {} reserve {reserved} bytes \
                         ({} each); raise memory-bytes or lower host-handles",
                        self.memory_bytes, self.host_handles, HOST_BYTES_PER_HANDLE
                    )
                })
            })
    }

    /// The part of `memory_bytes` set aside for what the host may hold for the guest.
    pub fn host_reserve_bytes(&self) -> u64 {
        self.host_handles.saturating_mul(HOST_BYTES_PER_HANDLE)
    }

}

impl Default for Limits {
    fn default() -> Self {
        Limits::COMPONENT_DEFAULT
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exceeding_names_the_first_limit_over_the_maximum() {
        let max = Limits::COMPONENT_DEFAULT;
        let mut asked = max;
        asked.memory_bytes = max.memory_bytes + 1;
        let msg = asked.exceeding(&max).expect("over the maximum");
        assert!(msg.contains("memory-bytes"), "{msg}");
        assert_eq!(max.exceeding(&max), None);
    }

    #[test]
    fn zero_limits_are_refused() {
        let mut asked = Limits::COMPONENT_DEFAULT;
        asked.fuel = 0;
        assert!(asked.exceeding(&Limits::COMPONENT_DEFAULT).unwrap().contains("fuel"));
    }
}
