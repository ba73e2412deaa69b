//! The node's HTTP API: services (deploy, pause, resume, remove), components, chains
//! added at runtime, manual tasks, executions, health, metrics and its own OpenAPI
//! document. With an `api-token` configured, every request
//! but GET/HEAD needs it as a bearer token ([`auth`]).

mod auth;
mod health;
pub mod metrics;
pub mod openapi;

use crate::job::{Job, TriggerKey};
use crate::error::NodeError;
use crate::node::Node;
use axum::extract::{DefaultBodyLimit, Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, post};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{Value, json};
use std::sync::Arc;
use wavs_runtime::bindings::wit_types::TriggerData;
use wavs_types::{ApiError, ServiceManifest, TriggerSpec};

/// Largest component upload accepted.
const MAX_COMPONENT_BYTES: usize = 64 << 20;

impl IntoResponse for NodeError {
    fn into_response(self) -> Response {
        let status = match &self {
            NodeError::Invalid(_) => StatusCode::BAD_REQUEST,
            NodeError::NotFound(_) => StatusCode::NOT_FOUND,
            NodeError::Conflict(_) => StatusCode::CONFLICT,
            NodeError::Runtime(wavs_runtime::RuntimeError::InvalidComponent(_)) => StatusCode::BAD_REQUEST,
            e if e.is_retryable() => StatusCode::SERVICE_UNAVAILABLE,
            _ => StatusCode::INTERNAL_SERVER_ERROR,
        };
        let body = ApiError { error: self.to_string(), retryable: self.is_retryable() };
        (status, Json(body)).into_response()
    }
}

type ApiResult<T> = Result<T, NodeError>;

/// The API's routes.
pub fn router(node: Arc<Node>) -> Router {
    Router::new()
        .route("/", get(crate::status_page::page))
        .route("/status", get(crate::status_page::page))
        .route("/health", get(health::health))
        .route("/metrics", get(metrics::metrics))
        .route("/openapi.json", get(openapi::openapi))
        .route("/adapters", get(adapters))
        .route("/operator", get(operator))
        .route("/components", post(upload_component))
        .route("/services", get(list_services).post(deploy_service))
        .route("/services/{id}", delete(remove_service))
        .route("/services/{id}/pause", post(pause_service))
        .route("/services/{id}/resume", post(resume_service))
        .route("/chains", post(add_chain))
        .route("/services/{id}/workflows/{workflow}/tasks", post(add_task))
        .route("/executions", get(executions))
        .fallback(|| async { NodeError::NotFound("no such endpoint; GET /openapi.json describes the API".into()) })
        .method_not_allowed_fallback(wavs_types::http::method_not_allowed)
        .layer(DefaultBodyLimit::max(MAX_COMPONENT_BYTES))
        .layer(axum::middleware::from_fn_with_state(node.clone(), auth::require_token))
        .layer(axum::middleware::map_response(wavs_types::http::json_errors))
        .with_state(node)
}

async fn adapters(State(node): State<Arc<Node>>) -> Json<Value> {
    Json(json!({ "loaded": node.registry.loaded(), "files": node.registry.files() }))
}

async fn operator(State(node): State<Arc<Node>>) -> Json<Value> {
    let key = node.operator_public_key();
    let mut ids = serde_json::Map::new();
    for (name, chain) in node.chains.all() {
        let id = match chain.adapter.operator_id(&key).await {
            Ok(id) => json!(id),
            Err(e) => json!({ "error": e.to_string() }),
        };
        ids.insert(name, id);
    }
    Json(json!({ "public-key": wavs_types::hex_bytes::encode(&key), "ids": ids }))
}

async fn upload_component(State(node): State<Arc<Node>>, body: axum::body::Bytes) -> ApiResult<(StatusCode, Json<Value>)> {
    let started = std::time::Instant::now();
    let (digest, source) = node.upload_component(&body)?;
    let source = match source {
        wavs_runtime::LoadSource::Compiled => "compiled",
        wavs_runtime::LoadSource::Cache => "cache",
    };
    let ms = started.elapsed().as_millis() as u64;
    Ok((StatusCode::CREATED, Json(json!({ "digest": digest, "source": source, "ms": ms, "bytes": body.len() }))))
}

async fn list_services(State(node): State<Arc<Node>>) -> Json<Vec<ServiceManifest>> {
    Json(node.services().iter().map(|s| (**s).clone()).collect())
}

async fn deploy_service(State(node): State<Arc<Node>>, body: String) -> ApiResult<(StatusCode, Json<Value>)> {
    let manifest = ServiceManifest::from_json(&body).map_err(NodeError::Invalid)?;
    let id = manifest.id.clone();
    node.deploy(manifest)?;
    Ok((StatusCode::CREATED, Json(json!({ "id": id }))))
}

async fn remove_service(State(node): State<Arc<Node>>, Path(id): Path<String>) -> ApiResult<StatusCode> {
    node.remove(&id)?;
    Ok(StatusCode::NO_CONTENT)
}

async fn pause_service(State(node): State<Arc<Node>>, Path(id): Path<String>) -> ApiResult<Json<Value>> {
    let waiting = node.pause(&id)?;
    Ok(Json(json!({ "id": id, "paused": true, "waiting-jobs": waiting })))
}

async fn resume_service(State(node): State<Arc<Node>>, Path(id): Path<String>) -> ApiResult<Json<Value>> {
    let released = node.resume(&id)?;
    Ok(Json(json!({ "id": id, "paused": false, "released-jobs": released })))
}

/// Serves a new chain: the body is a `[chains.NAME]` table as JSON, plus its `name`.
async fn add_chain(State(node): State<Arc<Node>>, body: String) -> ApiResult<(StatusCode, Json<Value>)> {
    let mut fields: serde_json::Map<String, Value> =
        serde_json::from_str(&body).map_err(|e| NodeError::Invalid(format!("invalid chain: {e}")))?;
    let name = match fields.remove("name") {
        Some(Value::String(name)) => name,
        _ => return Err(NodeError::Invalid("invalid chain: `name` (a string) is missing".into())),
    };
    let spec: wavs_types::ChainSpec = serde_json::from_value(Value::Object(fields))
        .map_err(|e| NodeError::Invalid(format!("invalid chain {name}: {e}")))?;
    node.add_chain(&name, spec)?;
    Ok((StatusCode::CREATED, Json(json!({ "name": name }))))
}

/// A manual task: raw bytes for a workflow, with an id every operator is given alike.
#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct TaskRequest {
    task_id: String,
    #[serde(with = "wavs_types::hex_bytes")]
    payload: Vec<u8>,
}

async fn add_task(
    State(node): State<Arc<Node>>,
    Path((id, workflow)): Path<(String, String)>,
    body: String,
) -> ApiResult<Json<Value>> {
    let task: TaskRequest =
        serde_json::from_str(&body).map_err(|e| NodeError::Invalid(format!("invalid task: {e}")))?;
    let service = node
        .services
        .read()
        .get(&id)
        .cloned()
        .ok_or_else(|| NodeError::NotFound(format!("no service {id:?} is deployed")))?;
    let wf = service
        .workflows
        .get(&workflow)
        .ok_or_else(|| NodeError::NotFound(format!("service {id:?} has no workflow {workflow:?}")))?;
    if task.task_id.is_empty() {
        return Err(NodeError::Invalid("task-id must not be empty".into()));
    }
    if node.is_paused(&id) {
        return Err(NodeError::Conflict(format!("service {id:?} is paused; `wavs service resume {id}` runs it again")));
    }
    if !matches!(wf.trigger, TriggerSpec::Manual) {
        tracing::info!(service = %id, %workflow, "manual task on a workflow with a chain trigger");
    }
    let job = Job {
        service_id: service.id.clone(),
        workflow_id: workflow,
        data: TriggerData::Raw(task.payload),
        key: TriggerKey::Manual { task_id: task.task_id },
    };
    // Stored first, so a crash mid-run resumes the task; run here, so the answer has it.
    let resume_after = crate::backoff::unix_ms() + 60_000;
    let pending = node.store.enqueue_job(job, resume_after).await?;
    let record = node.run_now(pending).await.ok_or_else(|| NodeError::Unavailable(
        "the task failed in a way that may pass and will be retried; see GET /executions".into(),
    ))?;
    Ok(Json(serde_json::to_value(record).unwrap_or_default()))
}

#[derive(Deserialize)]
struct ExecutionQuery {
    service: Option<String>,
    limit: Option<usize>,
}

async fn executions(State(node): State<Arc<Node>>, Query(q): Query<ExecutionQuery>) -> ApiResult<Json<Value>> {
    let records = node.store.recent_executions(q.service.as_deref(), q.limit.unwrap_or(50).min(1000))?;
    Ok(Json(serde_json::to_value(records).unwrap_or_default()))
}
