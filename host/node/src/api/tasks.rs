//! `POST /services/{id}/workflows/{workflow}/tasks`: a manual task.
//!
//! Accepted only by workflows whose trigger is `manual`. A workflow triggered by a chain
//! promises that each result answers an event on that chain; a task injected through the
//! API into it (on enough operators to meet the quorum) would land a result no trigger
//! asked for, so it is refused with the workflow's trigger named.

use super::{ApiResult, ApiState};
use crate::error::NodeError;
use crate::job::{Job, TriggerKey};
use axum::Json;
use axum::extract::{Path, State};
use std::sync::Arc;
use wavs_runtime::bindings::wit_types::TriggerData;
use wavs_types::{ApiError, TriggerSpec};
use wavs_types::execution::{ExecutionRecord, TaskRequest};

/// What starts a workflow, as a person reads it in a refusal.
pub fn describe_trigger(trigger: &TriggerSpec) -> String {
    match trigger {
        TriggerSpec::ChainEvent { chain, contract, event } => {
            format!("chain-event on {chain} (contract {contract}, event {event})")
        }
        TriggerSpec::BlockInterval { chain, every, start } => {
            format!("block-interval on {chain} (every {every} blocks from height {start})")
        }
        TriggerSpec::Custom { chain, kind, params } => {
            let params: Vec<String> = params.iter().map(|(k, v)| format!("{k}={v}")).collect();
            format!("{kind} ({}) on {chain}", params.join(", "))
        }
        TriggerSpec::Manual => "manual".to_string(),
        TriggerSpec::Cron { schedule } => format!("cron ({schedule}, UTC)"),
    }
}

/// Run a manual task on a workflow whose trigger is `manual`, now; answers the execution.
/// Every operator given the same task id signs the same envelope.
#[utoipa::path(post, path = "/services/{id}/workflows/{workflow}/tasks", tag = "tasks", operation_id = "addTask",
    params(("id" = String, Path, description = "The service's id."), ("workflow" = String, Path, description = "The workflow's id.")),
    request_body = TaskRequest,
    responses(
        (status = 200, description = "The execution (its outcome may be an error of the component).", body = ExecutionRecord),
        (status = 400, description = "Invalid task.", body = ApiError),
        (status = 404, description = "No such service or workflow.", body = ApiError),
        (status = 409, description = "The workflow's trigger is not `manual` (the message names it: a chain-triggered \
            workflow takes no manual tasks), or the service is paused.", body = ApiError),
        (status = 503, description = "The run failed in a way that may pass; it will be retried (see GET /executions).", body = ApiError)))]
pub(super) async fn add_task(
    State(api): State<Arc<ApiState>>,
    Path((id, workflow)): Path<(String, String)>,
    body: String,
) -> ApiResult<Json<ExecutionRecord>> {
    let service = api
        .services
        .get(&id)
        .ok_or_else(|| NodeError::NotFound(format!("no service {id:?} is deployed")))?;
    let wf = service
        .workflows
        .get(&workflow)
        .ok_or_else(|| NodeError::NotFound(format!("service {id:?} has no workflow {workflow:?}")))?;
    if !matches!(wf.trigger, TriggerSpec::Manual) {
        return Err(NodeError::Conflict(format!(
            "workflow {workflow:?} of service {id:?} is triggered by {}; manual tasks are only accepted by workflows \
             with trigger \"manual\" (fire the trigger on chain, or deploy a workflow with trigger \"manual\")",
            describe_trigger(&wf.trigger)
        )));
    }
    let task: TaskRequest =
        serde_json::from_str(&body).map_err(|e| NodeError::Invalid(format!("invalid task: {e}")))?;
    if task.task_id.is_empty() {
        return Err(NodeError::Invalid("task-id must not be empty".into()));
    }
    if api.scheduler.is_paused(&id) {
        return Err(NodeError::Conflict(format!("service {id:?} is paused; `wavs service resume {id}` runs it again")));
    }
    let job = Job {
        service_id: service.id.clone(),
        workflow_id: workflow,
        data: TriggerData::Raw(task.payload),
        key: TriggerKey::Manual { task_id: task.task_id },
    };
    // Stored first, so a crash mid-run resumes the task; run here, so the answer has it.
    let resume_after = crate::backoff::unix_ms() + 60_000;
    let pending = api.store.enqueue_job(job, resume_after).await?;
    let record = api.scheduler.run_now(pending).await.ok_or_else(|| NodeError::Unavailable(
        "the task failed in a way that may pass and will be retried; see GET /executions".into(),
    ))?;
    Ok(Json(record))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn triggers_are_described_with_what_identifies_them() {
        let event = TriggerSpec::ChainEvent { chain: "anvil".into(), contract: "0xabc".into(), event: "Fired(bytes)".into() };
        assert_eq!(describe_trigger(&event), "chain-event on anvil (contract 0xabc, event Fired(bytes))");
        let blocks = TriggerSpec::BlockInterval { chain: "wasmd".into(), every: 5, start: 10 };
        assert_eq!(describe_trigger(&blocks), "block-interval on wasmd (every 5 blocks from height 10)");
    }
}
