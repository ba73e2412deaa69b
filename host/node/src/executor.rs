//! Where results leave: the executor stage runs a pending job's component, wraps each
//! response in an envelope, has the target chain compute what to sign ([`targets`]),
//! signs it, and records the execution and its signed envelopes (the outbox) in one
//! transaction; then it hands them to the [`Sender`]. Scheduling is `scheduler.rs`,
//! which calls [`Executor::run`] and nothing calls back.

mod block_times;
mod targets;
#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_determinism;

pub use block_times::BlockTimes;
pub use targets::{BoxFuture, Signed, SigningTargets, ToSign};

use crate::backoff::{Schedule, unix_ms};
use crate::deployed::Deployed;
use crate::config::LimitsConfig;
use crate::error::{NodeError, Result};
use crate::executions::{ExecutionRecord, OutcomeCounts, Outcome, ResultRecord, Submission};
use crate::metrics::NodeMetrics;
use crate::secrets::Secrets;
use crate::sender::Sender;
use crate::store::{PendingJob, Store};
use std::sync::Arc;
use std::time::Duration;
use wavs_runtime::bindings::wit_types::TriggerAction;
use crate::job::TriggerKey;
use wavs_runtime::{ComponentRunner, Determinism, ExecPermissions, KvBackend};
use wavs_types::{ComponentSpec, ServiceManifest, SignedSubmission, SubmitSpec, WireEnvelope, derive_event_id, ordering_bytes};

/// Runs that fail in a way that may pass (chain RPC down, adapter restarting) are tried
/// this often, [`JOB_RETRIES`] apart (20 to 26 minutes in all), before the job is
/// recorded as failed.
pub(crate) const MAX_JOB_ATTEMPTS: u32 = 30;
/// From 1 s, doubling to 30 s, with jitter (so at most a minute apart).
const JOB_RETRIES: Schedule = Schedule::new(Duration::from_secs(1), Duration::from_secs(30));

/// Runs components and signs their results; owns the execution permits.
pub struct Executor {
    store: Arc<Store>,
    runner: Arc<ComponentRunner>,
    /// The components' key-value store, namespaced per service here.
    kv: Arc<dyn KvBackend>,
    services: Deployed,
    targets: Arc<dyn SigningTargets>,
    /// Block times for deterministic workflows' clocks.
    block_times: Arc<dyn BlockTimes>,
    limits: LimitsConfig,
    /// At most `max-concurrent-executions` runs at once.
    permits: tokio::sync::Semaphore,
    outcomes: Arc<OutcomeCounts>,
    metrics: Arc<NodeMetrics>,
    sender: Arc<Sender>,
    /// The operator's secrets; a run gets those its component declares.
    secrets: Arc<Secrets>,
}

/// What an [`Executor`] is made of.
pub(crate) struct ExecutorParts {
    pub store: Arc<Store>,
    pub runner: Arc<ComponentRunner>,
    pub kv: Arc<dyn KvBackend>,
    pub services: Deployed,
    pub targets: Arc<dyn SigningTargets>,
    pub block_times: Arc<dyn BlockTimes>,
    pub limits: LimitsConfig,
    pub max_concurrent: usize,
    pub outcomes: Arc<OutcomeCounts>,
    pub metrics: Arc<NodeMetrics>,
    pub sender: Arc<Sender>,
    pub secrets: Arc<Secrets>,
}

impl Executor {
    pub(crate) fn new(p: ExecutorParts) -> Executor {
        Executor {
            store: p.store,
            runner: p.runner,
            kv: p.kv,
            services: p.services,
            targets: p.targets,
            block_times: p.block_times,
            limits: p.limits,
            permits: tokio::sync::Semaphore::new(p.max_concurrent.max(1)),
            outcomes: p.outcomes,
            metrics: p.metrics,
            sender: p.sender,
            secrets: p.secrets,
        }
    }

    /// Runs `pending` to its end: the execution is recorded and its envelopes are in the
    /// outbox (and sent once), or the job is postponed for a retry. Returns the record,
    /// or `None` if the job was postponed, already done, or its service is gone.
    pub(crate) async fn run(&self, mut pending: PendingJob) -> Option<ExecutionRecord> {
        let job = &pending.job;
        let Some(service) = self.services.read().get(&job.service_id).cloned() else {
            tracing::warn!(service = %job.service_id, trigger = %job.key.describe(), "service removed; dropping its pending job");
            let _ = self.store.drop_job(pending.id);
            return None;
        };
        let permit = self.permits.acquire().await.expect("semaphore never closed");
        match self.store.job_pending(pending.id) {
            Ok(true) => {}
            Ok(false) => return None, // finished by an earlier run
            Err(e) => {
                tracing::error!("cannot read the store: {e}");
                return None;
            }
        }
        let mut usage = wavs_runtime::Usage::default();
        let (record, signed) = match self.execute_and_sign(&service, &pending, &mut usage).await {
            Ok(done) => done,
            Err(e) if e.is_retryable() && pending.attempts + 1 < MAX_JOB_ATTEMPTS => {
                pending.attempts += 1;
                let delay = JOB_RETRIES.delay(pending.attempts - 1);
                pending.not_before_ms = unix_ms() + delay.as_millis() as u64;
                pending.last_error = Some(e.to_string());
                tracing::warn!(service = %service.id, trigger = %pending.job.key.describe(), attempt = pending.attempts, retry_in_ms = delay.as_millis() as u64, "run failed, will retry: {e}");
                if let Err(e) = self.store.postpone_job(&pending) {
                    tracing::error!("cannot store the job's retry: {e}");
                }
                return None;
            }
            Err(e) => (self.failed_record(&service, &pending, &e, usage), vec![]),
        };
        let (mut record, queued) = match self.store.finish_job(Some(pending.id), record, signed).await {
            Ok(done) => done,
            Err(e) => {
                tracing::error!(service = %service.id, "cannot record the execution; the job stays pending: {e}");
                return None;
            }
        };
        self.outcomes.count(&record.outcome);
        self.metrics.observe_execution(&record);
        tracing::info!(seq = record.seq, outcome = record.outcome.kind(), fuel = record.fuel_used, elapsed_ms = record.elapsed_ms, "execution recorded");
        // The execution is over: sending its envelopes does not hold a slot another
        // execution needs, however slow the aggregator.
        drop(permit);
        for submission in queued {
            let state = self.sender.send(&submission).await;
            if let Some(result) = record.results.iter_mut().find(|r| r.event_id == submission.envelope.event_id) {
                result.submission = state.submission();
            }
        }
        Some(record)
    }

    /// Executes the component and signs each response; errors that may pass propagate
    /// (so the job is retried), others are recorded on the execution.
    #[tracing::instrument(name = "execution", skip_all, fields(service = %service.id, workflow = %pending.job.workflow_id, event_id = %pending.job.first_event_id(), attempt = pending.attempts))]
    async fn execute_and_sign(
        &self,
        service: &ServiceManifest,
        pending: &PendingJob,
        usage: &mut wavs_runtime::Usage,
    ) -> Result<(ExecutionRecord, Vec<SignedSubmission>)> {
        let job = &pending.job;
        let wf = service
            .workflows
            .get(&job.workflow_id)
            .ok_or_else(|| NodeError::NotFound(format!("service {} has no workflow {}", service.id, job.workflow_id)))?;
        let spec = service
            .components
            .get(&wf.component)
            .ok_or_else(|| NodeError::NotFound(format!("service {} has no component {}", service.id, wf.component)))?;
        let limits = self.limits.for_component(spec).map_err(NodeError::Invalid)?;
        let action = TriggerAction { service_id: service.id.clone(), workflow_id: job.workflow_id.clone(), data: job.data.clone() };
        let kv = wavs_runtime::ServiceKv::new(self.kv.clone(), service.id.clone());
        // A declared secret deleted since the deploy fails the run, naming it.
        let secrets = self.secrets.for_run(&service.id, &spec.secrets)?;
        let mut permissions = permissions_for(spec, secrets);
        if wf.deterministic {
            permissions.determinism = Some(self.determinism(job).await?);
        }
        let (outcome, used) = self.runner.execute_metered(&spec.digest, &action, &limits, &permissions, kv).await;
        // A failed run is recorded with what it used before it stopped, not zeros.
        *usage = used;
        let outcome = outcome?;
        let mut record = ExecutionRecord {
            seq: 0,
            service_id: service.id.clone(),
            workflow_id: job.workflow_id.clone(),
            trigger: job.key.describe(),
            outcome: Outcome::Ok,
            fuel_used: outcome.fuel_used,
            elapsed_ms: outcome.elapsed.as_millis() as u64,
            retries: pending.attempts,
            results: vec![],
        };
        let mut signed = Vec::new();
        for (i, response) in outcome.responses.into_iter().enumerate() {
            let envelope = WireEnvelope {
                event_id: derive_event_id(&service.id, &job.workflow_id, &job.key.identity(), i as u32),
                ordering: ordering_bytes(response.ordering),
                payload: response.payload,
            };
            let submission = match &wf.submit {
                SubmitSpec::None => Submission::Local,
                SubmitSpec::Aggregator { chain, handler, manager } => match self.sign(service, job, chain, handler, manager, &envelope).await {
                    Ok(s) => {
                        signed.push(s);
                        Submission::Signed { attempts: 0, last_error: None }
                    }
                    Err(e) if e.is_retryable() => return Err(e),
                    Err(e) => Submission::Failed { reason: e.to_string() },
                },
            };
            record.results.push(ResultRecord { event_id: envelope.event_id, payload: envelope.payload, submission });
        }
        Ok((record, signed))
    }

    /// The environment of `job` in deterministic mode: seeded from the trigger's identity
    /// (its first event id), the clock at the trigger's time, both the same on every
    /// operator. A manual task has no time every operator shares, so it reads 0.
    async fn determinism(&self, job: &crate::job::Job) -> Result<Determinism> {
        let time_ms = match &job.key {
            TriggerKey::ChainEvent { chain, height, .. } | TriggerKey::Block { chain, height, .. } => {
                self.block_times.block_time(chain, *height).await?
            }
            TriggerKey::Cron { time_unix_s } => time_unix_s.saturating_mul(1000),
            TriggerKey::Manual { .. } => 0,
        };
        let trigger_id = derive_event_id(&job.service_id, &job.workflow_id, &job.key.identity(), 0);
        Ok(Determinism::new(&trigger_id, time_ms))
    }

    /// Signs `envelope` for `handler` on `chain`: the digest, bound to that chain and
    /// handler, comes from the chain's adapter; the signature from the service's key on that chain,
    /// which never enters WASM. Only envelopes the node built itself get here.
    async fn sign(
        &self,
        service: &ServiceManifest,
        job: &crate::job::Job,
        chain: &str,
        handler: &str,
        manager: &str,
        envelope: &WireEnvelope,
    ) -> Result<SignedSubmission> {
        if let Some(earlier) = self.store.signed_envelope(&envelope.event_id)? {
            // One event id, one signed result: a rerun may only repeat it.
            if earlier.envelope.payload == envelope.payload {
                return Ok(earlier);
            }
            return Err(NodeError::Invalid(
                "event id already signed with another result; not signing a second (is the component deterministic?)".into(),
            ));
        }
        let to_sign = self.targets.digest(chain, handler, envelope).await?;
        let key_index = self.store.service_key_index(&service.id)?;
        let Signed { signature, public_key } = self.targets.sign(chain, key_index, &to_sign)?;
        Ok(SignedSubmission {
            service_id: service.id.clone(),
            workflow_id: job.workflow_id.clone(),
            chain: chain.to_string(),
            handler: handler.to_string(),
            manager: manager.to_string(),
            envelope: envelope.clone(),
            signature,
            scheme: to_sign.scheme,
            public_key,
        })
    }

    fn failed_record(
        &self,
        service: &ServiceManifest,
        pending: &PendingJob,
        e: &NodeError,
        usage: wavs_runtime::Usage,
    ) -> ExecutionRecord {
        let job = &pending.job;
        tracing::warn!(service = %service.id, workflow = %job.workflow_id, trigger = %job.key.describe(), kind = e.kind(), "execution failed: {e}");
        ExecutionRecord {
            seq: 0,
            service_id: service.id.clone(),
            workflow_id: job.workflow_id.clone(),
            trigger: job.key.describe(),
            outcome: Outcome::Error { kind: e.kind().to_string(), message: e.to_string(), retryable: e.is_retryable() },
            fuel_used: usage.fuel_used,
            elapsed_ms: usage.elapsed.as_millis() as u64,
            retries: pending.attempts,
            results: vec![],
        }
    }
}

/// What a component may do, with the values of the secrets it declares.
fn permissions_for(spec: &ComponentSpec, secrets: wavs_runtime::SecretValues) -> ExecPermissions {
    ExecPermissions { allowed_http_hosts: spec.permissions.allowed_http_hosts.clone(), config: spec.config.clone(), secrets, determinism: None }
}
