//! The node's record of one component execution and what became of its results: kept in
//! its store, answered by `POST .../tasks` and `GET /executions`, read by the CLI, the
//! devnet, the bench and the tests.

use crate::api::EnvelopeStatus;
use serde::{Deserialize, Serialize};

/// One component execution and what became of its results.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
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
    /// Runs before this one that failed in a way that may pass.
    #[serde(default)]
    pub retries: u32,
    /// One entry per response.
    pub results: Vec<ResultRecord>,
}

/// Whether the component succeeded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "status", rename_all = "kebab-case")]
pub enum Outcome {
    /// It returned responses.
    Ok,
    /// It failed. `kind` names the cause (`limit-exceeded`, `trap`, `http-denied`,
    /// `component-error`, ...); `retryable` says whether running it again may help.
    Error { kind: String, message: String, retryable: bool },
}

impl Outcome {
    /// The name counted in `/health`: `ok` or the error kind.
    pub fn kind(&self) -> &str {
        match self {
            Outcome::Ok => "ok",
            Outcome::Error { kind, .. } => kind,
        }
    }
}

/// A response and its submission.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "kebab-case")]
pub struct ResultRecord {
    /// The envelope's event id.
    #[serde(with = "crate::hex_bytes")]
    #[cfg_attr(feature = "openapi", schema(value_type = String, pattern = "^(0x)?([0-9a-fA-F]{2})*$"))]
    pub event_id: Vec<u8>,
    /// The payload.
    #[serde(with = "crate::hex_bytes")]
    #[cfg_attr(feature = "openapi", schema(value_type = String, pattern = "^(0x)?([0-9a-fA-F]{2})*$"))]
    pub payload: Vec<u8>,
    /// What happened to it.
    pub submission: Submission,
}

/// What happened to a result after the component returned it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "status", rename_all = "kebab-case")]
pub enum Submission {
    /// The workflow submits nowhere.
    Local,
    /// Signed and in the outbox; the aggregator has not acknowledged it yet.
    #[serde(rename_all = "kebab-case")]
    Signed { attempts: u32, last_error: Option<String> },
    /// Signed and accepted by the aggregator, which answered with this status.
    Sent { aggregator: EnvelopeStatus },
    /// Could not be signed or sent.
    Failed { reason: String },
    /// Kept in the store only, never shown: the result's envelope is in the outbox,
    /// which alone holds its state; reading the record shows that state (`Signed`,
    /// `Sent` or `Failed`) instead.
    InOutbox,
}

impl Submission {
    /// Whether the outbox holds this result's state: marked so, or stored by a release
    /// that copied the outbox's state onto the record (`Signed`, `Sent`).
    pub fn follows_outbox(&self) -> bool {
        matches!(self, Submission::InOutbox | Submission::Signed { .. } | Submission::Sent { .. })
    }
}

/// `POST /services/{id}/workflows/{workflow}/tasks`: a manual task.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct TaskRequest {
    /// Names the task: the same id on every operator gives the same event id, so their
    /// signatures meet in one envelope; a repeated id is a repeated event.
    pub task_id: String,
    /// The component's input, 0x-hex.
    #[serde(with = "crate::hex_bytes")]
    #[cfg_attr(feature = "openapi", schema(value_type = String, pattern = "^(0x)?([0-9a-fA-F]{2})*$"))]
    pub payload: Vec<u8>,
}
