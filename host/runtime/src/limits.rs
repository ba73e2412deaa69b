//! Resource limits applied to every call into WASM.

use serde::{Deserialize, Serialize};
use std::time::Duration;
use wasmtime::{StoreLimits, StoreLimitsBuilder};

/// Core instances one store may create (a component's modules count one each).
pub const STORE_MAX_INSTANCES: u32 = 64;
/// Tables one store may create.
pub const STORE_MAX_TABLES: u32 = 64;
/// Linear memories one store may create.
pub const STORE_MAX_MEMORIES: u32 = 16;

/// Limits for one call into a component or adapter. All are finite by default.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case", default)]
pub struct Limits {
    /// Fuel (roughly, WASM instructions) one call may burn.
    pub fuel: u64,
    /// Wall-clock time one call may take, in milliseconds, I/O included.
    pub time_ms: u64,
    /// Linear memory the instance may grow to, in bytes.
    pub memory_bytes: u64,
    /// Total bytes of output one call may return.
    pub output_bytes: u64,
}

impl Limits {
    /// Defaults for service components.
    pub const COMPONENT_DEFAULT: Limits = Limits {
        fuel: 1_000_000_000,
        time_ms: 10_000,
        memory_bytes: 64 << 20,
        output_bytes: 1 << 20,
    };

    /// Defaults for chain adapters, which do more I/O (and wait for receipts).
    pub const ADAPTER_DEFAULT: Limits = Limits {
        fuel: 10_000_000_000,
        time_ms: 60_000,
        memory_bytes: 256 << 20,
        output_bytes: 64 << 20,
    };

    /// No bound at all: the maximum to check a configuration against when only zeros
    /// are wrong.
    pub const UNBOUNDED: Limits = Limits { fuel: u64::MAX, time_ms: u64::MAX, memory_bytes: u64::MAX, output_bytes: u64::MAX };

    /// `self` with each limit `overrides` sets replaced.
    pub fn with_overrides(self, overrides: &wavs_types::LimitOverrides) -> Limits {
        let wavs_types::LimitOverrides { fuel, time_ms, memory_bytes, output_bytes } = *overrides;
        Limits {
            fuel: fuel.unwrap_or(self.fuel),
            time_ms: time_ms.unwrap_or(self.time_ms),
            memory_bytes: memory_bytes.unwrap_or(self.memory_bytes),
            output_bytes: output_bytes.unwrap_or(self.output_bytes),
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
        ];
        checks
            .iter()
            .find(|(_, v, m)| v > m)
            .map(|(name, v, m)| format!("{name} = {v} exceeds the operator maximum {m}"))
            .or_else(|| {
                checks
                    .iter()
                    .find(|(_, v, _)| *v == 0)
                    .map(|(name, _, _)| format!("{name} must be greater than 0"))
            })
    }

    /// The wasmtime store limiter for these limits. It is what bounds memory, also under
    /// the engine's pooling allocator: the pool lets every memory grow to 4 GiB
    /// (`engine::POOL_MAX_MEMORY_BYTES`) and asks this limiter before each growth, so
    /// `memory_bytes` is enforced exactly, whatever its size.
    pub(crate) fn store_limits(&self) -> StoreLimits {
        StoreLimitsBuilder::new()
            .memory_size(usize::try_from(self.memory_bytes).unwrap_or(usize::MAX))
            .instances(STORE_MAX_INSTANCES as usize)
            .tables(STORE_MAX_TABLES as usize)
            .memories(STORE_MAX_MEMORIES as usize)
            .trap_on_grow_failure(true)
            .build()
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
