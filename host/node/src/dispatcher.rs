//! Where results leave: run the component, wrap each response in an envelope, have the
//! target chain's adapter compute what to sign, sign it with the operator key, and send
//! it to the aggregator.

use crate::backoff::{Backoff, retry};
use crate::error::{NodeError, Result};
use crate::executions::{ExecutionRecord, Outcome, ResultRecord, Submission};
use crate::node::Node;
use std::sync::Arc;
use std::time::Duration;
use wavs_runtime::bindings::wit_types::{TriggerAction, TriggerData};
use wavs_types::{
    ApiError, EnvelopeStatus, ServiceManifest, SignedSubmission, SubmitSpec, TriggerIdentity, WireEnvelope,
    derive_event_id, ordering_bytes,
};

/// What identifies a trigger occurrence (owned form of [`TriggerIdentity`]).
#[derive(Debug, Clone)]
pub enum TriggerKey {
    /// A chain event.
    ChainEvent { chain: String, height: u64, tx_hash: Vec<u8>, index: u32 },
    /// An interval block.
    Block { chain: String, height: u64 },
    /// A manual task.
    Manual { task_id: String },
}

impl TriggerKey {
    fn identity(&self) -> TriggerIdentity<'_> {
        match self {
            TriggerKey::ChainEvent { chain, height, tx_hash, index } => {
                TriggerIdentity::ChainEvent { chain, height: *height, tx_hash, index: *index }
            }
            TriggerKey::Block { chain, height } => TriggerIdentity::Block { chain, height: *height },
            TriggerKey::Manual { task_id } => TriggerIdentity::Manual { task_id },
        }
    }

    fn describe(&self) -> String {
        match self {
            TriggerKey::ChainEvent { chain, height, tx_hash, index } => {
                format!("event on {chain} at height {height}, tx 0x{}, index {index}", hex::encode(tx_hash))
            }
            TriggerKey::Block { chain, height } => format!("block {height} on {chain}"),
            TriggerKey::Manual { task_id } => format!("manual task {task_id}"),
        }
    }
}

/// One trigger for one workflow.
pub struct Job {
    /// The service.
    pub service: Arc<ServiceManifest>,
    /// The workflow whose trigger fired.
    pub workflow_id: String,
    /// What the component receives.
    pub data: TriggerData,
    /// What identifies the occurrence.
    pub key: TriggerKey,
}

impl Node {
    /// Runs `job` in the background.
    pub(crate) fn spawn_job(self: &Arc<Self>, job: Job) {
        let node = self.clone();
        tokio::spawn(async move { node.run_job(job).await });
    }

    /// Runs the component for `job`, submits its results and records the execution.
    pub async fn run_job(&self, job: Job) -> ExecutionRecord {
        let _permit = self.permits.acquire().await.expect("semaphore never closed");
        let service_id = job.service.id.clone();
        let wf = &job.service.workflows[&job.workflow_id];
        let spec = &job.service.components[&wf.component];
        let mut record = ExecutionRecord {
            seq: 0,
            service_id: service_id.clone(),
            workflow_id: job.workflow_id.clone(),
            trigger: job.key.describe(),
            outcome: Outcome::Ok,
            fuel_used: 0,
            elapsed_ms: 0,
            results: vec![],
        };
        let action = TriggerAction { service_id: service_id.clone(), workflow_id: job.workflow_id.clone(), data: job.data };
        let executed = match self.limits_for(spec) {
            Ok(limits) => self
                .runner
                .execute(&spec.digest, &action, &limits, &Self::permissions_for(spec))
                .await
                .map_err(NodeError::from),
            Err(m) => Err(NodeError::Invalid(m)),
        };
        match executed {
            Err(e) => {
                tracing::warn!(service = %service_id, workflow = %job.workflow_id, trigger = %record.trigger, "execution failed: {e}");
                record.outcome = Outcome::Error { message: e.to_string(), retryable: e.is_retryable() };
            }
            Ok(outcome) => {
                record.fuel_used = outcome.fuel_used;
                record.elapsed_ms = outcome.elapsed.as_millis() as u64;
                for (i, response) in outcome.responses.into_iter().enumerate() {
                    let envelope = WireEnvelope {
                        event_id: derive_event_id(&service_id, &job.workflow_id, &job.key.identity(), i as u32),
                        ordering: ordering_bytes(response.ordering),
                        payload: response.payload,
                    };
                    let submission = self.submit(&wf.submit, &service_id, &job.workflow_id, &envelope).await;
                    tracing::info!(service = %service_id, workflow = %job.workflow_id, event_id = %wavs_types::hex_bytes::encode(&envelope.event_id), ?submission, "result");
                    record.results.push(ResultRecord { event_id: envelope.event_id, payload: envelope.payload, submission });
                }
            }
        }
        self.executions.push(record)
    }

    async fn submit(&self, submit: &SubmitSpec, service_id: &str, workflow_id: &str, envelope: &WireEnvelope) -> Submission {
        let SubmitSpec::Aggregator { chain, handler, manager } = submit else {
            return Submission::Local;
        };
        let signed = async {
            let adapter = self.chains.get(chain).ok_or_else(|| NodeError::Invalid(format!("chain {chain} is not configured")))?;
            let backoff = Backoff::new(Duration::from_millis(200), Duration::from_secs(5));
            let wit_envelope = envelope.into();
            let digest = retry(6, backoff, |e: &wavs_runtime::RuntimeError| e.is_retryable(), || {
                adapter.envelope_digest(&wit_envelope)
            })
            .await?;
            let signature = self.signer.sign_digest(&digest)?;
            Ok::<_, NodeError>(SignedSubmission {
                service_id: service_id.to_string(),
                workflow_id: workflow_id.to_string(),
                chain: chain.clone(),
                handler: handler.clone(),
                manager: manager.clone(),
                envelope: envelope.clone(),
                signature,
            })
        };
        let sent = match signed.await {
            Ok(body) => {
                let backoff = Backoff::new(Duration::from_millis(250), Duration::from_secs(8));
                retry(10, backoff, NodeError::is_retryable, || self.send_to_aggregator(&body)).await
            }
            Err(e) => Err(e),
        };
        match sent {
            Ok(status) => Submission::Sent { aggregator: status },
            Err(e) => Submission::Failed { reason: e.to_string() },
        }
    }

    async fn send_to_aggregator(&self, body: &SignedSubmission) -> Result<EnvelopeStatus> {
        let base = self.config.aggregator_url.as_deref().ok_or_else(|| {
            NodeError::Invalid("no aggregator-url configured: set it in the config or WAVS_AGGREGATOR_URL".into())
        })?;
        let url = format!("{}/envelopes", base.trim_end_matches('/'));
        let response = self.http.post(&url).json(body).send().await.map_err(|e| NodeError::Aggregator {
            message: format!("cannot reach {url}: {e}"),
            retryable: true,
        })?;
        let status = response.status();
        let text = response.text().await.unwrap_or_default();
        if status.is_success() {
            return serde_json::from_str(&text).map_err(|e| NodeError::Aggregator {
                message: format!("unreadable answer from {url}: {e}: {text}"),
                retryable: false,
            });
        }
        let (message, retryable) = match serde_json::from_str::<ApiError>(&text) {
            Ok(err) => (err.error, err.retryable),
            Err(_) => (text, status.is_server_error()),
        };
        Err(NodeError::Aggregator { message: format!("{status}: {message}"), retryable })
    }
}
