//! The adapters directory: every `*.wasm` in it is loaded, described and offered by
//! family. Scanning again picks up new, replaced and removed files without a restart: a
//! removed file's family is no longer served (its chains wait for an adapter), and a file
//! refused because its family was taken is tried again once the family is free. A file
//! that is not a valid adapter is refused with its reason and the others still load.

use super::program::{AdapterInfo, AdapterProgram};
use crate::engine::WasmEngine;
use crate::error::Result;
use crate::imports::AdapterData;
use crate::state::HostState;
use parking_lot::RwLock;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::SystemTime;
use wasmtime::component::Linker;
/// What became of a file the registry looked at (the wire type of `GET /adapters`).
pub use wavs_types::node_api::AdapterFileState;

/// Identifies one version of a file cheaply, so unchanged files are not reloaded.
type Stamp = (u64, Option<SystemTime>);

/// What one scan changed.
#[derive(Debug, Default)]
pub struct ScanReport {
    /// Files newly loaded (or reloaded), with their family.
    pub loaded: Vec<(PathBuf, String)>,
    /// Files refused, with the reason.
    pub refused: Vec<(PathBuf, String)>,
    /// Files gone from the directory, with the family each served (if it served one).
    pub removed: Vec<(PathBuf, Option<String>)>,
}

#[derive(Default)]
struct State {
    by_family: BTreeMap<String, Arc<AdapterProgram>>,
    files: BTreeMap<PathBuf, (Stamp, AdapterFileState)>,
}

/// The adapters loaded from one directory.
pub struct AdapterRegistry {
    engine: WasmEngine,
    linker: Linker<HostState<AdapterData>>,
    dir: PathBuf,
    state: RwLock<State>,
    /// Serialises scans so two callers never load the same file twice.
    scanning: tokio::sync::Mutex<()>,
}

impl AdapterRegistry {
    /// A registry over `dir` (created if missing). Call [`scan`](Self::scan) to load.
    pub fn new(engine: WasmEngine, dir: impl Into<PathBuf>) -> Result<Self> {
        let dir = dir.into();
        std::fs::create_dir_all(&dir)?;
        let linker = AdapterProgram::linker(&engine)?;
        Ok(AdapterRegistry {
            engine,
            linker,
            dir,
            state: RwLock::default(),
            scanning: tokio::sync::Mutex::new(()),
        })
    }

    /// The engine adapters run on.
    pub fn engine(&self) -> &WasmEngine {
        &self.engine
    }

    /// The directory scanned.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The adapter serving `family`, if one is loaded.
    pub fn program(&self, family: &str) -> Option<Arc<AdapterProgram>> {
        self.state.read().by_family.get(family).cloned()
    }

    /// Descriptions of all loaded adapters.
    pub fn loaded(&self) -> Vec<AdapterInfo> {
        self.state.read().by_family.values().map(|p| p.info.clone()).collect()
    }

    /// Every file seen, with its state.
    pub fn files(&self) -> Vec<(PathBuf, AdapterFileState)> {
        let state = self.state.read();
        state.files.iter().map(|(p, (_, s))| (p.clone(), s.clone())).collect()
    }

    /// Loads every new or changed `*.wasm` file in the directory.
    pub async fn scan(&self) -> Result<ScanReport> {
        let _guard = self.scanning.lock().await;
        let mut report = ScanReport::default();
        let mut paths: Vec<PathBuf> = std::fs::read_dir(&self.dir)?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "wasm") && p.is_file())
            .collect();
        paths.sort();
        self.forget_removed(&paths, &mut report);
        for path in paths {
            let Ok(meta) = std::fs::metadata(&path) else { continue };
            let stamp = (meta.len(), meta.modified().ok());
            let known = self.state.read().files.get(&path).map(|(s, _)| *s);
            if known == Some(stamp) {
                continue;
            }
            let outcome = match AdapterProgram::load(&self.engine, &self.linker, &path).await {
                Ok((program, _)) => self.install(&path, program),
                Err(e) => Err(e.to_string()),
            };
            let file_state = match outcome {
                Ok(family) => {
                    tracing::info!(file = %path.display(), %family, "adapter loaded");
                    report.loaded.push((path.clone(), family.clone()));
                    AdapterFileState::Loaded { family }
                }
                Err(reason) => {
                    tracing::warn!(file = %path.display(), "adapter refused: {reason}");
                    report.refused.push((path.clone(), reason.clone()));
                    AdapterFileState::Refused { reason }
                }
            };
            self.state.write().files.insert(path, (stamp, file_state));
        }
        Ok(report)
    }

    /// Forgets files no longer in the directory (`present`): a family a removed file
    /// served is served no more. If any family went, files refused earlier are looked at
    /// again in this scan, since one may have been refused for that family.
    fn forget_removed(&self, present: &[PathBuf], report: &mut ScanReport) {
        let mut state = self.state.write();
        let gone: Vec<PathBuf> = state.files.keys().filter(|p| !present.contains(p)).cloned().collect();
        let mut freed = false;
        for path in gone {
            state.files.remove(&path);
            let family = state.by_family.iter().find(|(_, p)| p.info.path == path).map(|(f, _)| f.clone());
            if let Some(family) = &family {
                state.by_family.remove(family);
                freed = true;
                tracing::warn!(file = %path.display(), %family, "adapter file removed; its chains wait for an adapter of the family");
            } else {
                tracing::info!(file = %path.display(), "refused adapter file removed");
            }
            report.removed.push((path, family));
        }
        if freed {
            state.files.retain(|_, (_, s)| !matches!(s, AdapterFileState::Refused { .. }));
        }
    }

    /// Makes `program` the adapter of its family, unless another file already serves it.
    fn install(&self, path: &Path, program: AdapterProgram) -> std::result::Result<String, String> {
        let family = program.info.family.clone();
        let mut state = self.state.write();
        if let Some(existing) = state.by_family.get(&family) {
            if existing.info.path != path {
                return Err(format!(
                    "family {family:?} is already served by {}; remove one of the two files",
                    existing.info.path.display()
                ));
            }
        }
        state.by_family.insert(family.clone(), Arc::new(program));
        Ok(family)
    }
}
