//! Components compile off the API's threads. An 18 MB component takes half a minute to
//! compile; done inside a request, it held an API worker (and the caller) all along.
//! `POST /components?wait=false` stores nothing yet and answers at once; the compile runs
//! on a blocking thread and `GET /components/{digest}` (the CLI, the status page) follows
//! it. The default upload still answers when compiled, but from a blocking thread too.
//! At most `max-concurrent-compiles` background compiles run at once: past that a new
//! component is refused (429) rather than queued, so a flood of uploads cannot take every
//! core and the memory compiles need; one already compiling or compiled is never refused.

use super::Components;
use crate::error::{NodeError, Result};
use parking_lot::Mutex;
use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Instant;
use wavs_runtime::LoadSource;

/// How long a finished compile's outcome stays listed for callers to read.
const KEEP_FINISHED: std::time::Duration = std::time::Duration::from_secs(600);

/// Where one upload's compile is: the wire type `GET /components/{digest}` and `/health`
/// show.
pub use wavs_types::health::CompileState;

#[derive(Debug)]
struct Entry {
    started: Instant,
    bytes: usize,
    outcome: Option<(Instant, CompileState)>,
}

/// Compiles under way and recently finished, by digest.
#[derive(Default)]
pub(crate) struct Compiles(Mutex<BTreeMap<String, Entry>>);

impl Components {
    /// The state of `digest`'s compile, if one ran lately.
    pub fn compile_state(&self, digest: &str) -> Option<CompileState> {
        self.compiles.0.lock().get(digest).map(Entry::state)
    }

    /// Every compile under way, for `/health` and the status page.
    pub fn compiles_under_way(&self) -> Vec<(String, CompileState)> {
        let mut map = self.compiles.0.lock();
        map.retain(|_, e| e.outcome.as_ref().is_none_or(|(at, _)| at.elapsed() < KEEP_FINISHED));
        map.iter().filter(|(_, e)| e.outcome.is_none()).map(|(d, e)| (d.clone(), e.state())).collect()
    }
}

impl Entry {
    fn state(&self) -> CompileState {
        match &self.outcome {
            Some((_, state)) => state.clone(),
            None => CompileState::Compiling { bytes: self.bytes, elapsed_ms: self.started.elapsed().as_millis() as u64 },
        }
    }
}

fn source_name(source: LoadSource) -> &'static str {
    match source {
        LoadSource::Compiled => "compiled",
        LoadSource::Cache => "cache",
    }
}

impl Components {
    /// Compiles and stores `bytes` on a blocking thread; returns its digest at once.
    /// A second upload of a digest being compiled joins the first. A new component is
    /// refused while `max-concurrent-compiles` compiles run; a compiled one is not (it
    /// only loads from the cache).
    pub fn upload_in_background(self: &Arc<Self>, bytes: Vec<u8>) -> Result<String> {
        self.check_component_size(Some(bytes.len() as u64))?;
        let digest = wavs_runtime::WasmEngine::digest(&bytes);
        let compiled = self.store.component_size(&digest).is_some() || self.runner.is_loaded(&digest);
        {
            let mut map = self.compiles.0.lock();
            map.retain(|_, e| e.outcome.as_ref().is_none_or(|(at, _)| at.elapsed() < KEEP_FINISHED));
            if map.get(&digest).is_some_and(|e| e.outcome.is_none()) {
                return Ok(digest);
            }
            // Checked and taken under the same lock: two uploads never share the last slot.
            let running = map.values().filter(|e| e.outcome.is_none()).count();
            let cap = self.max_compiles;
            if running >= cap && !compiled {
                return Err(NodeError::Busy(format!(
                    "this node is compiling {running} component(s) already, the most it compiles at once \
                     (max-concurrent-compiles = {cap}); upload {digest} again once one finishes (GET /health \
                     lists them under `compiling`): retrying later will pass"
                )));
            }
            map.insert(digest.clone(), Entry { started: Instant::now(), bytes: bytes.len(), outcome: None });
        }
        let components = self.clone();
        let key = digest.clone();
        tokio::task::spawn_blocking(move || {
            let started = Instant::now();
            let (size, outcome) = (bytes.len(), components.upload_component(&bytes));
            let state = match outcome {
                Ok((_, source)) => {
                    let ms = started.elapsed().as_millis() as u64;
                    tracing::info!(digest = %key, bytes = size, ms, "component compiled");
                    CompileState::Ready { bytes: size, ms, source: source_name(source).into() }
                }
                Err(e) => {
                    tracing::warn!(digest = %key, "component refused: {e}");
                    CompileState::Failed { bytes: size, reason: e.to_string(), retryable: e.is_retryable() }
                }
            };
            if let Some(entry) = components.compiles.0.lock().get_mut(&key) {
                entry.outcome = Some((Instant::now(), state));
            }
        });
        Ok(digest)
    }

    /// Compiles and stores `bytes` on a blocking thread and waits for it: the API's
    /// workers stay free meanwhile.
    pub async fn upload_and_wait(self: &Arc<Self>, bytes: Vec<u8>) -> Result<(String, &'static str)> {
        let components = self.clone();
        let loaded = tokio::task::spawn_blocking(move || components.upload_component(&bytes))
            .await
            .map_err(|e| NodeError::Unavailable(format!("compile task: {e}")))??;
        Ok((loaded.0, source_name(loaded.1)))
    }

    /// Refuses to use a component still compiling in the background, saying how long
    /// it has run; a deploy can come back once it is ready.
    pub(crate) fn check_not_compiling(&self, digest: &str) -> Result<()> {
        match self.compile_state(digest) {
            Some(CompileState::Compiling { elapsed_ms, .. }) => Err(NodeError::Unavailable(format!(
                "component {digest} is still compiling ({:.1} s so far); deploy again once GET /components/{digest} says ready",
                elapsed_ms as f64 / 1000.0
            ))),
            _ => Ok(()),
        }
    }
}
