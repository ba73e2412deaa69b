//! Where results leave: run a pending job's component, wrap each response in an
//! envelope, have the target chain's adapter compute what to sign, sign it, and record
//! the execution and its signed envelopes (the outbox) in one transaction. Sending is
//! `sender.rs`; scheduling and retries are `scheduler.rs`.

use crate::backoff::unix_ms;
use crate::error::{NodeError, Result};
use crate::executions::{ExecutionRecord, Outcome, ResultRecord, Submission};
use crate::node::Node;
use crate::store::PendingJob;
use std::sync::Arc;
use std::time::Duration;
use wavs_runtime::bindings::wit_types::TriggerAction;
use wavs_types::{ServiceManifest, SignedSubmission, SubmitSpec, WireEnvelope, derive_event_id, ordering_bytes};

/// Runs that fail in a way that may pass (chain RPC down, adapter restarting) are tried
/// this often, with delays doubling up to [`MAX_JOB_DELAY_MS`] (about 25 minutes in all),
/// before the job is recorded as failed.
pub(crate) const MAX_JOB_ATTEMPTS: u32 = 30;
const MAX_JOB_DELAY_MS: u64 = 60_000;

impl Node {
    /// Runs `pending` to its end: the execution is recorded and its envelopes are in the
    /// outbox (and sent once), or the job is postponed for a retry. Returns the record,
    /// or `None` if the job was postponed, already done, or its service is gone.
    pub(crate) async fn run_pending(self: &Arc<Self>, mut pending: PendingJob) -> Option<ExecutionRecord> {
        let job = &pending.job;
        let Some(service) = self.services.read().get(&job.service_id).cloned() else {
            tracing::warn!(service = %job.service_id, trigger = %job.key.describe(), "service removed; dropping its pending job");
            let _ = self.store.drop_job(pending.id);
            return None;
        };
        let _permit = self.permits.acquire().await.expect("semaphore never closed");
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
                let delay = Duration::from_millis((500u64 << pending.attempts.min(7)).min(MAX_JOB_DELAY_MS));
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
        for submission in queued {
            let state = self.send_signed(&submission, 0, 0).await;
            if let Some(result) = record.results.iter_mut().find(|r| r.event_id == submission.envelope.event_id) {
                result.submission = state.submission();
            }
        }
        Some(record)
    }

    /// Executes the component and signs each response; errors that may pass propagate
    /// (so the job is retried), others are recorded on the execution.
    #[tracing::instrument(name = "execution", skip_all, fields(service = %service.id, workflow = %pending.job.workflow_id, event_id = %crate::scheduler::first_event_id(&pending.job), attempt = pending.attempts))]
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
        let limits = self.limits_for(spec).map_err(NodeError::Invalid)?;
        let action = TriggerAction { service_id: service.id.clone(), workflow_id: job.workflow_id.clone(), data: job.data.clone() };
        let kv = wavs_runtime::ServiceKv::new(self.kv.clone(), service.id.clone());
        let (outcome, used) =
            self.runner.execute_metered(&spec.digest, &action, &limits, &Self::permissions_for(spec), kv).await;
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

    /// Signs `envelope` for `handler` on `chain`: the digest, bound to that chain and
    /// handler, comes from the chain's adapter; the signature from that chain's own key,
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
        let served = self.chains.get(chain).ok_or_else(|| NodeError::Invalid(format!("chain {chain} is not configured")))?;
        let digest = served.adapter.envelope_digest(handler, &envelope.into()).await?;
        let signature = served.key.signer.sign_digest(&digest)?;
        Ok(SignedSubmission {
            service_id: service.id.clone(),
            workflow_id: job.workflow_id.clone(),
            chain: chain.to_string(),
            handler: handler.to_string(),
            manager: manager.to_string(),
            envelope: envelope.clone(),
            signature,
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
