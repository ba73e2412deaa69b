//! The one wasmtime engine of a process, and the on-disk cache of compiled components.
//!
//! Components are identified by the sha256 of their bytes. Compiling takes 40–150 ms a
//! component; loading a precompiled artifact takes well under a millisecond, so every
//! compiled component is written next to its digest and reused on restart (and
//! memory-mapped, not read, by `Component::deserialize_file`).
//!
//! Instances come from wasmtime's pooling allocator (see [`engine_config`]): every
//! execution instantiates its component afresh, and a pooled slot that held the same
//! component before is reset copy-on-write instead of mapped anew.

use crate::error::{Result, RuntimeError};
use sha2::{Digest, Sha256};
use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};
use wasmtime::component::Component;
use wasmtime::{Config, Enabled, Engine, InstanceAllocationStrategy, PoolingAllocationConfig};

/// How often (in fuel units) a running guest yields to the async executor, so that
/// wall-clock timeouts and other tasks are served even during a tight loop.
pub(crate) const FUEL_YIELD_INTERVAL: u64 = 1_000_000;

/// How often the engine's epoch advances. Each tick, running guests stop at their next
/// loop or call, check their deadline and settle host-call charges (`state.rs`); so a
/// guest overruns its time limit by about one tick plus one host call at most.
pub const EPOCH_TICK: Duration = Duration::from_millis(5);

/// Component instances the pool holds at once, by default. Every running execution
/// takes one, every configured chain keeps one for its long-lived adapter instance, and
/// loading an adapter takes one briefly for `describe()`. The node's default
/// `max-concurrent-executions` is 64, so 256 leaves room for a node configured for a
/// few times more plus its chains; a node configured for more passes its own number to
/// [`WasmEngine::with_capacity`]. When every slot is taken, an execution fails with a
/// retryable error that says so. A slot costs address space, not memory: see
/// [`PoolCapacity`].
pub const DEFAULT_POOL_INSTANCES: u32 = 256;

/// The largest linear memory a guest may grow to, as far as the pool is concerned: the
/// whole 32-bit address space, which is also each memory's address-space reservation
/// (so compiled code needs no bounds checks). The pool is therefore never the binding
/// memory limit: the store limiter enforces each call's `memory-bytes` exactly as
/// without a pool, so a limit of any size (components default to 64 MiB with an
/// operator maximum of 512 MiB, adapters to 256 MiB, and an operator may raise them)
/// works unchanged, and a guest that reaches it fails with the same "memory limit
/// reached" error as before.
pub const POOL_MAX_MEMORY_BYTES: u64 = 4 << 30;

/// Bytes of a linear memory kept resident when a pooled slot is freed. With the
/// kernel's `PAGEMAP_SCAN` (Linux 6.7+) only the pages the guest dirtied are reset, in
/// place, so the next instantiation in that slot takes no page faults for its stack and
/// heap; without it the low bytes are `memset` (up to this much) and the rest released.
/// 1 MiB covers a Rust guest's stack and a small heap. Measured on `exec/echo`: 1 MiB
/// ~10 µs, 128 KiB ~14 µs, 0 (release everything, fault it back in) ~23 µs.
pub const POOL_KEEP_RESIDENT_BYTES: usize = 1 << 20;

/// Sizing of the instance pool. Memories, tables and fiber stacks are reserved up front
/// as address space (`PROT_NONE`, untouched): each memory slot is
/// [`POOL_MAX_MEMORY_BYTES`] plus a 32 MiB guard, so the default 256 instances reserve
/// about 1 TiB of the 128 TiB a 64-bit Linux process has (a process with `ulimit -v`
/// set needs a smaller capacity). Resident memory grows only with what guests touch;
/// a freed slot keeps at most [`POOL_KEEP_RESIDENT_BYTES`] of it, and wasmtime keeps at
/// most 100 unused slots warm.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PoolCapacity {
    /// Component instances alive at once (executions + adapter instances).
    pub instances: u32,
}

impl Default for PoolCapacity {
    fn default() -> Self {
        PoolCapacity { instances: DEFAULT_POOL_INSTANCES }
    }
}

impl PoolCapacity {
    /// Core instances, memories and tables one component may contain: the same caps
    /// the store limiter puts on one store (`Limits::store_limits`), so the pool adds
    /// no limit of its own on a component's shape.
    pub const CORE_INSTANCES_PER_COMPONENT: u32 = crate::limits::STORE_MAX_INSTANCES;
    /// See [`Self::CORE_INSTANCES_PER_COMPONENT`].
    pub const MEMORIES_PER_COMPONENT: u32 = crate::limits::STORE_MAX_MEMORIES;
    /// See [`Self::CORE_INSTANCES_PER_COMPONENT`].
    pub const TABLES_PER_COMPONENT: u32 = crate::limits::STORE_MAX_TABLES;

    /// The wasmtime pooling configuration for this capacity.
    pub fn pooling_config(&self) -> PoolingAllocationConfig {
        let n = self.instances.max(1);
        let mut pool = PoolingAllocationConfig::new();
        pool.total_component_instances(n)
            // Measured: a Rust wasip2 component (echo, square, the adapters) is three
            // core instances (its module, plus the shim and fixup modules that lower
            // its imports), one memory and two tables. Core instances are only
            // counted, so they get ample room; memories, tables and stacks are
            // reserved address space.
            .total_core_instances(n.saturating_mul(8))
            .total_memories(n)
            .total_tables(n.saturating_mul(4))
            // One fiber stack per call in progress.
            .total_stacks(n)
            .max_core_instances_per_component(Self::CORE_INSTANCES_PER_COMPONENT)
            .max_memories_per_component(Self::MEMORIES_PER_COMPONENT)
            .max_tables_per_component(Self::TABLES_PER_COMPONENT)
            .max_memories_per_module(1)
            .max_tables_per_module(4)
            .table_elements(20_000)
            .max_memory_size(POOL_MAX_MEMORY_BYTES as usize)
            .linear_memory_keep_resident(POOL_KEEP_RESIDENT_BYTES)
            .table_keep_resident(64 << 10)
            .pagemap_scan(Enabled::Auto);
        pool
    }
}

/// The engine settings every WAVS engine uses, with the default pool capacity. The
/// runtime benchmarks build their bare-wasmtime floor from this same function, so the
/// two can never drift apart.
pub fn engine_config() -> Config {
    engine_config_with(PoolCapacity::default())
}

/// [`engine_config`] with a pool of `capacity`.
pub fn engine_config_with(capacity: PoolCapacity) -> Config {
    let mut config = Config::new();
    config
        .wasm_component_model(true)
        .consume_fuel(true)
        // Wall-clock limits that hold whatever the guest does between fuel checks.
        .epoch_interruption(true)
        .max_wasm_stack(1 << 20)
        .cranelift_opt_level(wasmtime::OptLevel::Speed)
        // A 4 GiB reservation per memory lets compiled code skip bounds checks; the
        // pool never moves a memory.
        .memory_reservation(POOL_MAX_MEMORY_BYTES)
        // Initial memory is mapped copy-on-write from the (memory-mapped) artifact
        // rather than copied, and reset in place when a slot is reused.
        .memory_init_cow(true)
        .allocation_strategy(InstanceAllocationStrategy::Pooling(capacity.pooling_config()));
    config
}

/// Where a loaded component came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LoadSource {
    /// Compiled now (and written to the cache).
    Compiled,
    /// Read from the cache of precompiled artifacts.
    Cache,
}

/// The process-wide engine plus its compiled-artifact cache.
#[derive(Clone)]
pub struct WasmEngine {
    engine: Engine,
    capacity: PoolCapacity,
    cache_dir: PathBuf,
    /// Distinguishes artifacts of different wasmtime versions and settings.
    compat: String,
}

impl WasmEngine {
    /// Creates the engine with the default pool capacity; compiled artifacts go to
    /// `cache_dir` (created if missing).
    pub fn new(cache_dir: impl Into<PathBuf>) -> Result<Self> {
        Self::with_capacity(cache_dir, PoolCapacity::default())
    }

    /// Creates the engine with a pool of `capacity` (see [`PoolCapacity`]).
    pub fn with_capacity(cache_dir: impl Into<PathBuf>, capacity: PoolCapacity) -> Result<Self> {
        let engine = Engine::new(&engine_config_with(capacity))
            .map_err(|e| RuntimeError::InvalidComponent(format!("engine config: {e:#}")))?;
        let mut hasher = std::collections::hash_map::DefaultHasher::new();
        engine.precompile_compatibility_hash().hash(&mut hasher);
        let compat = format!("{:016x}", hasher.finish());
        let cache_dir = cache_dir.into();
        std::fs::create_dir_all(&cache_dir)?;
        start_epoch_ticker(&engine)?;
        Ok(WasmEngine { engine, capacity, cache_dir, compat })
    }

    /// The wasmtime engine.
    pub fn engine(&self) -> &Engine {
        &self.engine
    }

    /// The size of the engine's instance pool.
    pub fn pool_capacity(&self) -> PoolCapacity {
        self.capacity
    }

    /// The hex sha256 digest that names a component.
    pub fn digest(bytes: &[u8]) -> String {
        hex::encode(Sha256::digest(bytes))
    }

    fn artifact_path(&self, digest: &str) -> PathBuf {
        self.cache_dir.join(format!("{digest}-{}.cwasm", self.compat))
    }

    /// Loads a component from its bytes, compiling it only if no artifact is cached.
    pub fn load(&self, bytes: &[u8]) -> Result<(Component, String, LoadSource)> {
        let digest = Self::digest(bytes);
        let artifact = self.artifact_path(&digest);
        if artifact.exists() {
            // SAFETY: artifacts in the cache directory are written only by `load`
            // below, from `Component::serialize` of this same engine configuration
            // (the compatibility hash is part of the file name).
            match unsafe { Component::deserialize_file(&self.engine, &artifact) } {
                Ok(component) => return Ok((component, digest, LoadSource::Cache)),
                Err(e) => {
                    tracing::warn!(%digest, "cached artifact unusable, recompiling: {e:#}");
                    let _ = std::fs::remove_file(&artifact);
                }
            }
        }
        let started = Instant::now();
        let component = Component::new(&self.engine, bytes)
            .map_err(|e| RuntimeError::InvalidComponent(format!("{e:#}")))?;
        tracing::debug!(%digest, ms = started.elapsed().as_millis() as u64, "compiled component");
        match component.serialize() {
            Ok(serialized) => write_atomically(&artifact, &serialized)?,
            Err(e) => tracing::warn!(%digest, "cannot serialize compiled component: {e:#}"),
        }
        Ok((component, digest, LoadSource::Compiled))
    }

    /// Loads a component from a file.
    pub fn load_file(&self, path: &Path) -> Result<(Component, String, LoadSource)> {
        let bytes = std::fs::read(path)?;
        self.load(&bytes)
    }
}

/// Advances `engine`'s epoch every [`EPOCH_TICK`] on a thread of its own (a blocked async
/// worker cannot stop it), until the engine is dropped.
fn start_epoch_ticker(engine: &Engine) -> std::io::Result<()> {
    let weak = engine.weak();
    std::thread::Builder::new().name("wavs-epoch".into()).spawn(move || {
        loop {
            std::thread::sleep(EPOCH_TICK);
            match weak.upgrade() {
                Some(engine) => engine.increment_epoch(),
                None => return,
            }
        }
    })?;
    Ok(())
}

/// Writes a file so that readers never see it half written.
pub(crate) fn write_atomically(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let tmp = path.with_extension(format!("tmp{}", std::process::id()));
    std::fs::write(&tmp, bytes)?;
    std::fs::rename(&tmp, path)
}

#[cfg(test)]
mod tests {
    //! The pool under the runner. Needs the guests built by `scripts/build-guests.sh`.
    use super::*;
    use crate::bindings::wit_types::{TriggerAction, TriggerData};
    use crate::service::{ComponentRunner, ExecOutcome, ExecPermissions, MemoryKv, ServiceKv};
    use crate::limits::Limits;
    use std::sync::Arc;

    fn guest(name: &str) -> Vec<u8> {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/guests/components").join(name);
        std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e} (run scripts/build-guests.sh)", path.display()))
    }

    async fn run(runner: &ComponentRunner, digest: &str, payload: &[u8], limits: Limits) -> Result<ExecOutcome> {
        let action = TriggerAction { service_id: "s".into(), workflow_id: "w".into(), data: TriggerData::Raw(payload.to_vec()) };
        let permissions = ExecPermissions { allowed_http_hosts: vec![], config: Default::default(), secrets: Default::default(), determinism: None };
        let kv = ServiceKv::new(Arc::new(MemoryKv::new()), "s");
        runner.execute(digest, &action, &limits, &permissions, kv).await
    }

    #[test]
    fn the_engine_allocates_from_a_pool() {
        let dir = tempfile::tempdir().unwrap();
        let engine = WasmEngine::new(dir.path()).unwrap();
        assert_eq!(engine.pool_capacity().instances, DEFAULT_POOL_INSTANCES);
        assert!(engine.engine().pooling_allocator_metrics().is_some());
    }

    #[tokio::test]
    async fn memory_limits_of_any_size_work_under_the_pool() {
        let dir = tempfile::tempdir().unwrap();
        let runner = ComponentRunner::new(WasmEngine::new(dir.path()).unwrap()).unwrap();
        let (echo, _) = runner.load(&guest("echo.wasm")).unwrap();
        let (hostile, _) = runner.load(&guest("hostile.wasm")).unwrap();
        // Larger than the pool's per-memory reservation: runs as before.
        let huge = Limits { memory_bytes: 2 * POOL_MAX_MEMORY_BYTES, ..Limits::COMPONENT_DEFAULT };
        let out = run(&runner, &echo, b"hi", huge).await.unwrap();
        assert_eq!(out.responses[0].payload, b"hi");
        // Above the 64 MiB default: the store limiter, not the pool, stops the guest there.
        let limits = Limits { memory_bytes: 96 << 20, fuel: u64::MAX / 2, ..Limits::COMPONENT_DEFAULT };
        let err = run(&runner, &hostile, b"alloc", limits).await.unwrap_err();
        assert!(matches!(err, RuntimeError::LimitExceeded(ref m) if m.contains("memory limit reached")), "{err}");
        // The slot it used is reset and serves the next execution.
        assert_eq!(run(&runner, &echo, b"again", huge).await.unwrap().responses[0].payload, b"again");
    }

    #[tokio::test]
    async fn a_full_pool_is_a_retryable_error_that_says_so() {
        let dir = tempfile::tempdir().unwrap();
        let engine = WasmEngine::with_capacity(dir.path(), PoolCapacity { instances: 1 }).unwrap();
        let runner = ComponentRunner::new(engine).unwrap();
        let (echo, _) = runner.load(&guest("echo.wasm")).unwrap();
        let (hostile, _) = runner.load(&guest("hostile.wasm")).unwrap();
        // The loop holds the only slot (yielding to the executor as its fuel runs) until
        // its time limit; echo, started meanwhile, finds the pool full.
        let looping = Limits { fuel: u64::MAX / 2, time_ms: 300, ..Limits::COMPONENT_DEFAULT };
        let (looped, refused) = tokio::join!(run(&runner, &hostile, b"loop", looping), async {
            tokio::task::yield_now().await;
            run(&runner, &echo, b"hi", Limits::COMPONENT_DEFAULT).await
        });
        assert!(matches!(looped.unwrap_err(), RuntimeError::LimitExceeded(_)));
        let err = refused.unwrap_err();
        assert!(err.is_retryable(), "{err}");
        assert!(err.to_string().contains("instance pool is full"), "{err}");
        // Once the slot is free again, the same execution succeeds.
        assert_eq!(run(&runner, &echo, b"hi", Limits::COMPONENT_DEFAULT).await.unwrap().responses[0].payload, b"hi");
    }
}
