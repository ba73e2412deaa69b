//! The service registry: deploys (validated against this node's chains, limits and HTTP
//! rules), removals, pause and resume. It writes the [`Deployed`] map the other stages
//! read, and tells the cron stage and the scheduler what changed.

use crate::chains::Chains;
use crate::components::Components;
use crate::deployed::Deployed;
use crate::config::LimitsConfig;
use crate::cron::Cron;
use crate::error::{NodeError, Result};
use crate::fetch::{Fetcher, Origin, fetch_missing_components};
use crate::scheduler::Scheduler;
use crate::secrets::Secrets;
use crate::store::Store;
use std::sync::Arc;
use wavs_runtime::HttpRules;
use wavs_types::{ServiceManifest, SubmitSpec, TriggerSpec};

/// Deployed services and what changes them.
pub struct Services {
    pub(crate) store: Arc<Store>,
    pub(crate) deployed: Deployed,
    pub(crate) chains: Arc<Chains>,
    pub(crate) components: Arc<Components>,
    pub(crate) cron: Arc<Cron>,
    pub(crate) scheduler: Arc<Scheduler>,
    pub(crate) limits: LimitsConfig,
    pub(crate) http_rules: HttpRules,
    /// The operator's secrets: a deploy needs every secret its components declare.
    pub(crate) secrets: Arc<Secrets>,
}

impl Services {
    /// Loads the stored services; one that cannot load is skipped with an error logged.
    pub(crate) fn load_stored(&self) -> Result<()> {
        for manifest in self.store.services()? {
            let id = manifest.id.clone();
            warn_refused_grants(&self.http_rules, &manifest);
            if let Err(e) = manifest.components.values().try_for_each(|c| self.components.ensure_loaded(&c.digest)) {
                tracing::error!(service = %id, "stored service cannot load, skipped: {e}");
                continue;
            }
            self.deployed.write().insert(id, Arc::new(manifest));
        }
        Ok(())
    }

    /// Every deployed service.
    pub fn list(&self) -> Vec<Arc<ServiceManifest>> {
        self.deployed.read().values().cloned().collect()
    }

    /// Service `id`, if deployed.
    pub fn get(&self, id: &str) -> Option<Arc<ServiceManifest>> {
        self.deployed.read().get(id).cloned()
    }

    /// What `POST /services` does, and following a manager: checks `manifest` against
    /// this node's chains, fetches its missing components by digest (held to what
    /// `origin` may reach), has the adapters check its custom triggers, then deploys it.
    pub async fn deploy_fetching(&self, fetcher: &Fetcher, manifest: ServiceManifest, origin: Origin) -> Result<()> {
        manifest.validate(|chain| self.chains.contains(chain)).map_err(NodeError::Invalid)?;
        fetch_missing_components(fetcher, &self.components, &self.store, &manifest, origin).await?;
        self.check_custom_triggers(&manifest).await?;
        self.deploy(manifest)
    }

    /// Validates and deploys (or replaces) a service whose components are stored.
    pub fn deploy(&self, manifest: ServiceManifest) -> Result<()> {
        // No component sweep between the check (which finds the components stored) and
        // the commit (after which they count as used).
        let _guard = self.components.hold();
        self.check(&manifest)?;
        // A replaced manifest's components may now be unused: their grace period starts.
        self.components.stamp_components_of(&manifest.id)?;
        self.store.put_service(&manifest)?;
        tracing::info!(service = %manifest.id, workflows = manifest.workflows.len(), "service deployed");
        self.deployed.write().insert(manifest.id.clone(), Arc::new(manifest));
        self.cron.services_changed();
        Ok(())
    }

    /// Asks each chain's adapter about the trigger kinds it defines that `manifest`
    /// uses: an unknown kind or bad parameters are refused at deploy, in the adapter's
    /// words, rather than failing every read of the chain later.
    pub async fn check_custom_triggers(&self, manifest: &ServiceManifest) -> Result<()> {
        for (id, wf) in &manifest.workflows {
            let TriggerSpec::Custom { chain, kind, params } = &wf.trigger else { continue };
            let at = format!("workflows.{id}.trigger.custom");
            let served = self
                .chains
                .get(chain)
                .ok_or_else(|| NodeError::Invalid(format!("{at}.chain: chain {chain:?} is not configured on this node")))?;
            let filter = crate::reader::custom_filter(kind, params);
            served.adapter.check_filter(&filter).await.map_err(|e| match e {
                wavs_runtime::RuntimeError::Adapter { message, .. } => NodeError::Invalid(format!("{at}: {message}")),
                other => NodeError::Unavailable(format!(
                    "{at}: the {} adapter could not check trigger kind {kind:?}: {other}",
                    served.spec.family
                )),
            })?;
        }
        Ok(())
    }

    /// Removes a service.
    pub fn remove(&self, id: &str) -> Result<()> {
        // First, so that a failure changes nothing: its components' grace period starts.
        self.components.stamp_components_of(id)?;
        let existed = self.deployed.write().remove(id).is_some();
        if existed {
            self.cron.services_changed();
        }
        self.store.remove_service(id)?;
        self.store.forget_cron(id)?;
        self.scheduler.forget(id)?;
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
        self.scheduler.pause(id)
    }

    /// Resumes a paused service; the jobs that waited run now, oldest first. Returns
    /// how many there were.
    pub fn resume(&self, id: &str) -> Result<usize> {
        self.deployed(id)?;
        self.scheduler.resume(id)
    }

    fn deployed(&self, id: &str) -> Result<()> {
        match self.deployed.read().contains_key(id) {
            true => Ok(()),
            false => Err(NodeError::NotFound(format!("no service {id:?} is deployed"))),
        }
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
        check_http_grants(&self.http_rules, manifest).map_err(NodeError::Invalid)?;
        for (name, spec) in &manifest.components {
            if let Some(missing) = self.secrets.first_missing(&manifest.id, &spec.secrets) {
                return Err(NodeError::Invalid(format!(
                    "components.{name}.secrets: secret {missing:?} is not set for service {:?} on this node: set it with {}, \
                     then deploy again",
                    manifest.id,
                    crate::secrets::set_command(&manifest.id, missing)
                )));
            }
            self.limits.for_component(spec).map_err(|m| NodeError::Invalid(format!("components.{name}.limits: {m}")))?;
            self.components.check_not_compiling(&spec.digest)?;
            self.components
                .ensure_loaded(&spec.digest)
                .map_err(|e| NodeError::Invalid(format!("components.{name}: {e}")))?;
        }
        Ok(())
    }
}

/// Checks each allow-list entry of `manifest` against the rules; the error names the
/// component, the entry and why.
fn check_http_grants(rules: &HttpRules, manifest: &ServiceManifest) -> std::result::Result<(), String> {
    for (name, spec) in &manifest.components {
        for entry in &spec.permissions.allowed_http_hosts {
            rules
                .check_grant(entry)
                .map_err(|why| format!("components.{name}.permissions.allowed-http-hosts: {entry:?} refused: {why}"))?;
        }
    }
    Ok(())
}

/// Warns about a stored service granting what the rules now refuse: it still runs, and
/// each request to such a host is refused when made.
fn warn_refused_grants(rules: &HttpRules, manifest: &ServiceManifest) {
    if let Err(why) = check_http_grants(rules, manifest) {
        tracing::warn!(service = %manifest.id, "{why}; requests to it will be refused (redeploy without it, or allow it in http-allow-private)");
    }
}

#[cfg(test)]
mod tests;
