//! The one wasmtime engine of a process, and the on-disk cache of compiled components.
//!
//! Components are identified by the sha256 of their bytes. Compiling takes 40–150 ms a
//! component; loading a precompiled artifact takes well under a millisecond, so every
//! compiled component is written next to its digest and reused on restart.

use crate::error::{Result, RuntimeError};
use sha2::{Digest, Sha256};
use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};
use std::time::Instant;
use wasmtime::component::Component;
use wasmtime::{Config, Engine};

/// How often (in fuel units) a running guest yields to the async executor, so that
/// wall-clock timeouts and other tasks are served even during a tight loop.
pub(crate) const FUEL_YIELD_INTERVAL: u64 = 1_000_000;

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
    cache_dir: PathBuf,
    /// Distinguishes artifacts of different wasmtime versions and settings.
    compat: String,
}

impl WasmEngine {
    /// Creates the engine; compiled artifacts go to `cache_dir` (created if missing).
    pub fn new(cache_dir: impl Into<PathBuf>) -> Result<Self> {
        let mut config = Config::new();
        config
            .wasm_component_model(true)
            .consume_fuel(true)
            .max_wasm_stack(1 << 20)
            .cranelift_opt_level(wasmtime::OptLevel::Speed);
        let engine = Engine::new(&config)
            .map_err(|e| RuntimeError::InvalidComponent(format!("engine config: {e:#}")))?;
        let mut hasher = std::collections::hash_map::DefaultHasher::new();
        engine.precompile_compatibility_hash().hash(&mut hasher);
        let compat = format!("{:016x}", hasher.finish());
        let cache_dir = cache_dir.into();
        std::fs::create_dir_all(&cache_dir)?;
        Ok(WasmEngine { engine, cache_dir, compat })
    }

    /// The wasmtime engine.
    pub fn engine(&self) -> &Engine {
        &self.engine
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

/// Writes a file so that readers never see it half written.
pub(crate) fn write_atomically(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let tmp = path.with_extension(format!("tmp{}", std::process::id()));
    std::fs::write(&tmp, bytes)?;
    std::fs::rename(&tmp, path)
}
