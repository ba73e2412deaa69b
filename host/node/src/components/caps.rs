//! Caps on stored components and removal of those no service uses any more.
//!
//! An upload is refused with 413 when it is larger than `[storage] max-component-bytes`
//! (checked before the body is read in full and before anything is compiled) or when
//! it would take the stored components over `max-total-component-bytes`. A component no
//! deployed service references is stamped "unused since" (at upload, and whenever a
//! service using it is removed or replaced; a stamp on one still in use means nothing),
//! in the node's database so that it survives restarts (`store/components.rs` says why
//! not in file mtimes); a periodic sweep removes those unused for longer than
//! `unused-component-grace-secs`: the file, its stamp, its compiled artifacts and its
//! loaded program.

use super::Components;
use crate::config::storage::{secs, size};
use crate::error::{NodeError, Result};
use crate::store::components::remove_artifacts;
use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;
use std::sync::atomic::Ordering;
use wavs_runtime::{LoadSource, WasmEngine};

/// What one sweep does.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct SweepPlan {
    /// Unused and without a stamp (stored before this version, or a stamp lost): their
    /// grace period starts now rather than being guessed.
    pub mark: Vec<String>,
    /// Unused for at least the grace period: removed, with how long they were unused (ms).
    pub remove: Vec<(String, u64)>,
    /// Stamps of components no longer stored.
    pub forget: Vec<String>,
}

/// Decides a sweep: never a component in `used`; an unused one only once `grace_ms` have
/// passed since its stamp (a stamp in the future, after the clock went back, waits).
pub fn plan_sweep(
    stored: &BTreeSet<String>,
    used: &BTreeSet<String>,
    unused_since: &BTreeMap<String, u64>,
    now_ms: u64,
    grace_ms: u64,
) -> SweepPlan {
    let mut plan = SweepPlan::default();
    for digest in stored.iter().filter(|d| !used.contains(*d)) {
        match unused_since.get(digest) {
            None => plan.mark.push(digest.clone()),
            Some(&since) if now_ms.saturating_sub(since) >= grace_ms => {
                plan.remove.push((digest.clone(), now_ms - since));
            }
            Some(_) => {}
        }
    }
    plan.forget = unused_since.keys().filter(|d| !stored.contains(*d)).cloned().collect();
    plan
}

impl Components {
    /// Refuses a component of `len` bytes over `max-component-bytes`; `None` when only
    /// "more than the cap" is known (a body without `Content-Length` cut at the cap).
    pub fn check_component_size(&self, len: Option<u64>) -> Result<()> {
        let cap = self.storage.max_component_bytes;
        let what = match len {
            Some(len) if len <= cap => return Ok(()),
            Some(len) => size(len),
            None => format!("more than {}", size(cap)),
        };
        Err(NodeError::TooLarge(format!(
            "component of {what} exceeds [storage] max-component-bytes = {}; raise max-component-bytes in the node config or shrink the component",
            size(cap)
        )))
    }

    /// Refuses to store `len` new bytes as `digest` if that takes stored components over
    /// `max-total-component-bytes` (a digest already stored costs nothing).
    fn check_room(&self, digest: &str, len: u64) -> Result<()> {
        if self.store.component_size(digest).is_some() {
            return Ok(());
        }
        let storage = &self.storage;
        let (count, total) = self.store.component_totals();
        if total.saturating_add(len) <= storage.max_total_component_bytes {
            return Ok(());
        }
        Err(NodeError::TooLarge(format!(
            "storing this component ({}) would take stored components over [storage] max-total-component-bytes = {}: \
             {count} components take {} now; remove the services that no longer need theirs (a component no service \
             uses is removed {} after its last use) or raise max-total-component-bytes in the node config",
            size(len),
            size(storage.max_total_component_bytes),
            size(total),
            secs(storage.unused_component_grace_secs),
        )))
    }

    /// Checks the caps, then compiles, stores and loads uploaded component bytes;
    /// returns the digest. A component that will not load leaves nothing behind, not
    /// even its compiled artifact.
    pub fn upload_component(&self, bytes: &[u8]) -> Result<(String, LoadSource)> {
        self.check_component_size(Some(bytes.len() as u64))?;
        let digest = WasmEngine::digest(bytes);
        if self.check_room(&digest, bytes.len() as u64).is_err() {
            // Components past their grace period may be all that is in the way.
            self.sweep_components()?;
            self.check_room(&digest, bytes.len() as u64)?;
        }
        let (digest, source) = match self.runner.load(bytes) {
            Ok(loaded) => loaded,
            Err(e) => {
                if self.store.component_size(&digest).is_none() {
                    remove_artifacts(&self.cache_dir, &digest);
                }
                return Err(e.into());
            }
        };
        let _guard = self.lock.lock();
        // Again under the lock: another upload may have taken the room meanwhile.
        self.check_room(&digest, bytes.len() as u64)?;
        // Stamped first: a file on disk is never without its grace period's start.
        self.store.mark_unused_since(&[&digest], crate::backoff::unix_ms())?;
        self.store.put_component(&digest, bytes)?;
        Ok((digest, source))
    }

    /// Components of deployed services, paused ones included, and of services stored
    /// but not loaded (a start-up that skipped one must not cost it its components).
    fn used_digests(&self) -> Result<BTreeSet<String>> {
        let mut used: BTreeSet<String> = BTreeSet::new();
        for manifest in self.deployed.read().values() {
            used.extend(manifest.components.values().map(|c| c.digest.clone()));
        }
        for manifest in self.store.services()? {
            used.extend(manifest.components.values().map(|c| c.digest.clone()));
        }
        Ok(used)
    }

    /// Starts the grace period of the components service `id` uses now, before it is
    /// removed or replaced (those still used elsewhere are never removed anyway).
    pub(crate) fn stamp_components_of(&self, id: &str) -> Result<()> {
        let Some(manifest) = self.deployed.read().get(id).cloned() else { return Ok(()) };
        let digests: Vec<&str> = manifest.components.values().map(|c| c.digest.as_str()).collect();
        self.store.mark_unused_since(&digests, crate::backoff::unix_ms())
    }

    /// Removes the components unused for longer than the grace period; returns their
    /// digests. Each removal is logged.
    pub fn sweep_components(&self) -> Result<Vec<String>> {
        let _guard = self.lock.lock();
        self.store.rescan_components()?;
        let stored: BTreeSet<String> = self.store.stored_components().into_keys().collect();
        let used = self.used_digests()?;
        let now = crate::backoff::unix_ms();
        let plan = plan_sweep(&stored, &used, &self.store.unused_since()?, now, self.storage.grace_ms());
        let mark: Vec<&str> = plan.mark.iter().map(String::as_str).collect();
        self.store.mark_unused_since(&mark, now)?;
        let forget: Vec<&str> = plan.forget.iter().map(String::as_str).collect();
        self.store.forget_unused_since(&forget)?;
        let mut removed = Vec::new();
        for (digest, unused_ms) in plan.remove {
            let bytes = self.store.remove_component(&digest)?;
            let artifacts = remove_artifacts(&self.cache_dir, &digest);
            self.runner.unload(&digest);
            self.removed.fetch_add(1, Ordering::Relaxed);
            tracing::info!(%digest, bytes, artifacts, unused_secs = unused_ms / 1000, "unused component removed");
            removed.push(digest);
        }
        Ok(removed)
    }

    /// Sweeps every [`StorageConfig::sweep_every`], off the async worker threads (it
    /// lists and deletes files).
    pub(crate) async fn sweep_loop(self: Arc<Self>) {
        loop {
            tokio::time::sleep(self.storage.sweep_every()).await;
            let components = self.clone();
            match tokio::task::spawn_blocking(move || components.sweep_components()).await {
                Ok(Ok(_)) => {}
                Ok(Err(e)) => tracing::warn!("component sweep failed, tried again later: {e}"),
                Err(e) => tracing::error!("component sweep panicked: {e}"),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set(items: &[&str]) -> BTreeSet<String> {
        items.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn the_sweep_removes_only_what_is_unused_for_the_whole_grace_period() {
        let stored = set(&["used", "used-old-stamp", "fresh", "expired", "exactly", "unstamped", "future"]);
        let used = set(&["used", "used-old-stamp", "not-stored"]);
        let since = BTreeMap::from([
            ("used-old-stamp".to_string(), 0),
            ("fresh".to_string(), 9_500),
            ("expired".to_string(), 1_000),
            ("exactly".to_string(), 9_000),
            ("future".to_string(), 50_000),
            ("gone".to_string(), 1),
        ]);
        let plan = plan_sweep(&stored, &used, &since, 10_000, 1_000);
        assert_eq!(plan.remove, vec![("exactly".to_string(), 1_000), ("expired".to_string(), 9_000)]);
        assert_eq!(plan.mark, vec!["unstamped".to_string()], "no stamp: the grace period starts now");
        assert_eq!(plan.forget, vec!["gone".to_string()]);
        // A used component is never removed, however old its stamp.
        assert!(plan_sweep(&set(&["a"]), &set(&["a"]), &BTreeMap::from([("a".into(), 0)]), u64::MAX, 1).remove.is_empty());
    }
}
