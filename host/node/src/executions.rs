//! Recent executions, kept for the API so operators and builders see what ran and why
//! it failed.

use parking_lot::Mutex;
use serde::Serialize;
use std::collections::VecDeque;
use wavs_types::EnvelopeStatus;

/// How many executions are remembered.
const KEEP: usize = 1000;

/// One component execution and what became of its results.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "kebab-case")]
pub struct ExecutionRecord {
    /// Increasing number of this execution on this node.
    pub seq: u64,
    /// The service.
    pub service_id: String,
    /// The workflow.
    pub workflow_id: String,
    /// What fired, in words.
    pub trigger: String,
    /// `ok` or the error.
    pub outcome: Outcome,
    /// Fuel burnt.
    pub fuel_used: u64,
    /// Milliseconds the execution took.
    pub elapsed_ms: u64,
    /// One entry per response.
    pub results: Vec<ResultRecord>,
}

/// Whether the component succeeded.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "status", rename_all = "kebab-case")]
pub enum Outcome {
    /// It returned responses.
    Ok,
    /// It failed; `retryable` says whether running it again may help.
    Error { message: String, retryable: bool },
}

/// A response and its submission.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "kebab-case")]
pub struct ResultRecord {
    /// The envelope's event id.
    #[serde(serialize_with = "hex_ser")]
    pub event_id: Vec<u8>,
    /// The payload.
    #[serde(serialize_with = "hex_ser")]
    pub payload: Vec<u8>,
    /// What happened to it.
    pub submission: Submission,
}

fn hex_ser<S: serde::Serializer>(bytes: &[u8], s: S) -> Result<S::Ok, S::Error> {
    wavs_types::hex_bytes::serialize(bytes, s)
}

/// What happened to a result after the component returned it.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "status", rename_all = "kebab-case")]
pub enum Submission {
    /// The workflow submits nowhere.
    Local,
    /// Signed and accepted by the aggregator, which answered with this status.
    Sent { aggregator: EnvelopeStatus },
    /// Could not be signed or sent.
    Failed { reason: String },
}

/// The ring of recent executions.
#[derive(Default)]
pub struct Executions {
    inner: Mutex<(u64, VecDeque<ExecutionRecord>)>,
}

impl Executions {
    /// Records an execution, assigning its sequence number.
    pub fn push(&self, mut record: ExecutionRecord) -> ExecutionRecord {
        let mut inner = self.inner.lock();
        inner.0 += 1;
        record.seq = inner.0;
        if inner.1.len() == KEEP {
            inner.1.pop_front();
        }
        inner.1.push_back(record.clone());
        record
    }

    /// The newest executions first, optionally of one service.
    pub fn recent(&self, service: Option<&str>, limit: usize) -> Vec<ExecutionRecord> {
        let inner = self.inner.lock();
        inner
            .1
            .iter()
            .rev()
            .filter(|r| service.is_none_or(|s| r.service_id == s))
            .take(limit)
            .cloned()
            .collect()
    }
}
