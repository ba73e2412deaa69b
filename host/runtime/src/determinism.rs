//! Deterministic executions: operators reach a quorum only if they compute the same
//! bytes, so a workflow may ask that everything a component could read from its
//! environment be the same on every operator. Randomness is seeded from the trigger's
//! identity, the wall clock always reads the trigger's time, and the monotonic clock
//! counts the component's own reads of it instead of real time.

use rand_core::SeedableRng;
use sha2::{Digest, Sha256};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;
use wasmtime_wasi::{HostMonotonicClock, HostWallClock, WasiCtxBuilder};

/// What a deterministic execution's environment is made of; the node derives both from
/// what identifies the trigger, identically on every operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Determinism {
    /// Seeds `wasi:random` (both the secure and the insecure generator).
    pub seed: [u8; 32],
    /// What `wasi:clocks/wall-clock` answers: the trigger's time, in ms since the Unix epoch.
    pub time_ms: u64,
}

/// How far the monotonic clock moves at each read: a guest timing a loop sees time
/// pass, without real time deciding what it computes.
const MONOTONIC_STEP_NS: u64 = 1_000;

impl Determinism {
    /// The environment of the trigger identified by `trigger_id` (the node passes the
    /// event id of its first response), at `time_ms`.
    pub fn new(trigger_id: &[u8], time_ms: u64) -> Self {
        Determinism { seed: derive(b"wavs/determinism/v1", trigger_id), time_ms }
    }

    /// Sets randomness and clocks on `builder`.
    pub(crate) fn apply(&self, builder: &mut WasiCtxBuilder) {
        let insecure = derive(b"insecure", &self.seed);
        let mut seed128 = [0u8; 16];
        seed128.copy_from_slice(&derive(b"insecure-seed", &self.seed)[..16]);
        builder
            .secure_random(chacha20::ChaCha20Rng::from_seed(self.seed))
            .insecure_random(chacha20::ChaCha20Rng::from_seed(insecure))
            .insecure_random_seed(u128::from_be_bytes(seed128))
            .wall_clock(FixedWallClock(Duration::from_millis(self.time_ms)))
            .monotonic_clock(CountingClock(AtomicU64::new(0)));
    }
}

/// SHA-256 over a domain tag and `input`, each length-prefixed.
fn derive(domain: &[u8], input: &[u8]) -> [u8; 32] {
    let mut h = Sha256::new();
    for part in [domain, input] {
        h.update((part.len() as u64).to_be_bytes());
        h.update(part);
    }
    h.finalize().into()
}

/// A wall clock stopped at one instant.
struct FixedWallClock(Duration);

impl HostWallClock for FixedWallClock {
    fn resolution(&self) -> Duration {
        Duration::from_millis(1)
    }

    fn now(&self) -> Duration {
        self.0
    }
}

/// A monotonic clock that advances by [`MONOTONIC_STEP_NS`] per read.
struct CountingClock(AtomicU64);

impl HostMonotonicClock for CountingClock {
    fn resolution(&self) -> u64 {
        MONOTONIC_STEP_NS
    }

    fn now(&self) -> u64 {
        self.0.fetch_add(MONOTONIC_STEP_NS, Ordering::Relaxed)
    }
}

