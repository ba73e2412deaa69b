//! Deployed services: validation against this node's chains and limits, and the
//! components they run (uploads and their caps are in `components/`).

use crate::error::{NodeError, Result};
use crate::node::Node;
use std::sync::Arc;
use wavs_runtime::{ExecPermissions, Limits};
use wavs_types::{ComponentSpec, ServiceManifest, SubmitSpec};

impl Node {
    /// Validates and deploys (or replaces) a service.
    pub fn deploy(&self, manifest: ServiceManifest) -> Result<()> {
        // No component sweep between the check (which finds the components stored) and
        // the commit (after which they count as used).
        let _guard = self.components.hold();
        self.check(&manifest)?;
        // A replaced manifest's components may now be unused: their grace period starts.
        self.components.stamp_components_of(&manifest.id)?;
        self.store.put_service(&manifest)?;
        tracing::info!(service = %manifest.id, workflows = manifest.workflows.len(), "service deployed");
        self.services.write().insert(manifest.id.clone(), Arc::new(manifest));
        self.cron.services_changed();
        Ok(())
    }

    /// Removes a service.
    pub fn remove(&self, id: &str) -> Result<()> {
        // First, so that a failure changes nothing: its components' grace period starts.
        self.components.stamp_components_of(id)?;
        let existed = self.services.write().remove(id).is_some();
        if existed {
            self.cron.services_changed();
        }
        self.store.remove_service(id)?;
        self.store.forget_cron(id)?;
        if self.paused.write().remove(id).is_some() {
            self.store.set_paused(id, None)?;
        }
        if !existed {
            return Err(NodeError::NotFound(format!("no service {id:?} is deployed")));
        }
        tracing::info!(service = %id, "service removed");
        Ok(())
    }

    /// Pauses a service: its triggers are still read and its jobs kept, but none runs
    /// (a run already going finishes) and manual tasks are refused until it resumes.
    /// Returns how many jobs are waiting.
    pub fn pause(&self, id: &str) -> Result<usize> {
        self.deployed(id)?;
        if !self.paused.read().contains_key(id) {
            let now = crate::backoff::unix_ms();
            self.store.set_paused(id, Some(now))?;
            self.paused.write().insert(id.to_string(), now);
            tracing::info!(service = %id, "service paused");
        }
        Ok(self.jobs_of(id)?.len())
    }

    /// Resumes a paused service; the jobs that waited run now, oldest first. Returns
    /// how many there were.
    pub fn resume(self: &Arc<Self>, id: &str) -> Result<usize> {
        self.deployed(id)?;
        if self.paused.read().contains_key(id) {
            self.store.set_paused(id, None)?;
            self.paused.write().remove(id);
            tracing::info!(service = %id, "service resumed");
        }
        let now = crate::backoff::unix_ms();
        let jobs = self.jobs_of(id)?;
        let waiting = jobs.len();
        jobs.into_iter().filter(|p| p.not_before_ms <= now).for_each(|p| self.schedule(p));
        Ok(waiting)
    }

    /// Whether service `id` is paused.
    pub(crate) fn is_paused(&self, id: &str) -> bool {
        self.paused.read().contains_key(id)
    }

    fn deployed(&self, id: &str) -> Result<()> {
        match self.services.read().contains_key(id) {
            true => Ok(()),
            false => Err(NodeError::NotFound(format!("no service {id:?} is deployed"))),
        }
    }

    /// Service `id`'s pending jobs, oldest first.
    fn jobs_of(&self, id: &str) -> Result<Vec<crate::store::PendingJob>> {
        Ok(self.store.pending_jobs()?.into_iter().filter(|p| p.job.service_id == id).collect())
    }

    /// Everything that must hold before a manifest runs here.
    fn check(&self, manifest: &ServiceManifest) -> Result<()> {
        manifest.validate(|chain| self.chains.contains(chain)).map_err(NodeError::Invalid)?;
        for (id, wf) in &manifest.workflows {
            if let SubmitSpec::Aggregator { chain, .. } = &wf.submit {
                if !self.chains.contains(chain) {
                    return Err(NodeError::Invalid(format!(
                        "workflows.{id}.submit.aggregator.chain: chain {chain:?} is not configured on this node \
                         (the node needs it to compute what to sign)"
                    )));
                }
            }
        }
        self.check_http_grants(manifest).map_err(NodeError::Invalid)?;
        for (name, spec) in &manifest.components {
            self.limits_for(spec).map_err(|m| NodeError::Invalid(format!("components.{name}.limits: {m}")))?;
            self.components.check_not_compiling(&spec.digest)?;
            self.ensure_component(&spec.digest)
                .map_err(|e| NodeError::Invalid(format!("components.{name}: {e}")))?;
        }
        Ok(())
    }

    /// Loads a component into the runner if it is not loaded yet.
    pub(crate) fn ensure_component(&self, digest: &str) -> Result<()> {
        if !self.runner.is_loaded(digest) {
            let bytes = self.store.component(digest)?;
            self.runner.load(&bytes)?;
        }
        Ok(())
    }

    /// The effective limits of a component: its overrides over the operator defaults,
    /// refused above the operator maxima.
    pub(crate) fn limits_for(&self, spec: &ComponentSpec) -> std::result::Result<Limits, String> {
        let limits = self.config.limits.default.with_overrides(&spec.limits);
        match limits.exceeding(&self.config.limits.max) {
            Some(msg) => Err(msg),
            None => Ok(limits),
        }
    }

    /// What a component may do.
    pub(crate) fn permissions_for(spec: &ComponentSpec) -> ExecPermissions {
        ExecPermissions {
            allowed_http_hosts: spec.permissions.allowed_http_hosts.clone(),
            config: spec.config.clone(),
        }
    }
}
