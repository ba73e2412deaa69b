//! The node's HTTP API: services (deploy, pause, resume, remove), components, chains
//! added at runtime, manual tasks, executions, health, metrics and its own OpenAPI
//! document.
//!
//! Closed by default. Every request must name one of the node's own addresses in `Host`
//! and, if it has an `Origin`, come from one of them ([`hosts`]); every request but
//! GET/HEAD needs the API token as a bearer token ([`auth`], [`token`]) and must declare
//! its `Content-Type` ([`content_type`]); component config values are shown only with the
//! token ([`redact`]).

mod auth;
pub mod content_type;
mod health;
pub mod hosts;
pub mod metrics;
pub mod openapi;
pub mod redact;
mod tasks;
pub mod token;
mod upload;

use crate::chains::{ChainAdder, Chains};
use crate::components::Components;
use crate::cron::Cron;
use crate::error::NodeError;
use crate::executions::{ExecutionRecord, OutcomeCounts};
use crate::metrics::NodeMetrics;
use crate::node::Node;
use crate::reader::Readers;
use crate::scheduler::Scheduler;
use crate::services::Services;
use crate::store::Store;
use axum::extract::{DefaultBodyLimit, Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, post};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::Value;
use std::collections::BTreeMap;
use std::sync::Arc;
use wavs_types::node_api::{AdaptersAnswer, ChainAdded, ChainKey, OperatorAnswer, OperatorIdentity, PauseAnswer, ServiceDeployed};
use wavs_types::{ApiError, ServiceManifest};

/// Largest request body on every route but `POST /components`, which reads its body
/// itself under `[storage] max-component-bytes` ([`upload`]).
const MAX_BODY_BYTES: usize = 64 << 20;

impl IntoResponse for NodeError {
    fn into_response(self) -> Response {
        let status = match &self {
            NodeError::Invalid(_) => StatusCode::BAD_REQUEST,
            NodeError::NotFound(_) => StatusCode::NOT_FOUND,
            NodeError::Conflict(_) => StatusCode::CONFLICT,
            NodeError::TooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            NodeError::Busy(_) => StatusCode::TOO_MANY_REQUESTS,
            NodeError::Runtime(wavs_runtime::RuntimeError::InvalidComponent(_)) => StatusCode::BAD_REQUEST,
            e if e.is_retryable() => StatusCode::SERVICE_UNAVAILABLE,
            _ => StatusCode::INTERNAL_SERVER_ERROR,
        };
        let body = ApiError { error: self.to_string(), retryable: self.is_retryable() };
        (status, Json(body)).into_response()
    }
}

type ApiResult<T> = Result<T, NodeError>;

/// What the handlers reach: a handle on each stage they serve, not the node.
pub struct ApiState {
    services: Arc<Services>,
    chains: Arc<Chains>,
    chain_adder: Arc<ChainAdder>,
    readers: Arc<Readers>,
    components: Arc<Components>,
    scheduler: Arc<Scheduler>,
    store: Arc<Store>,
    registry: Arc<wavs_runtime::AdapterRegistry>,
    cron: Arc<Cron>,
    outcomes: Arc<OutcomeCounts>,
    metrics: Arc<NodeMetrics>,
    token: Option<token::ApiToken>,
}

impl ApiState {
    /// The handles `node` gives its API.
    pub fn of(node: &Node) -> Arc<ApiState> {
        Arc::new(ApiState {
            services: node.services.clone(),
            chains: node.chains.clone(),
            chain_adder: node.chain_adder.clone(),
            readers: node.readers.clone(),
            components: node.components.clone(),
            scheduler: node.scheduler.clone(),
            store: node.store.clone(),
            registry: node.registry.clone(),
            cron: node.cron.clone(),
            outcomes: node.outcomes.clone(),
            metrics: node.metrics.clone(),
            token: node.config.api_token.clone(),
        })
    }

    /// Per-chain status, as `/health` and `/metrics` show it.
    fn chain_status(&self) -> std::collections::BTreeMap<String, crate::reader::ChainStatus> {
        self.chains.status(self.readers.status())
    }
}

/// The node's own addresses when its API listens on `addr`, for the `Host` and `Origin`
/// checks.
pub fn allowed_hosts(node: &Node, addr: std::net::SocketAddr) -> Arc<hosts::AllowedHosts> {
    let extra = &node.config.api_allowed_hosts;
    let allowed = hosts::AllowedHosts::new(addr, extra).unwrap_or_else(|e| {
        // `NodeConfig::validate` refuses such entries; an unchecked config loses them.
        tracing::warn!("{e}: ignored");
        hosts::AllowedHosts::new(addr, &[]).expect("no extra entries to refuse")
    });
    Arc::new(allowed)
}

/// The API's routes for a node listening on its configured `api-addr` (port 0: any
/// port of the node's names; see [`router_at`]).
pub fn router(node: Arc<Node>) -> Router {
    let addr = node.config.api_addr;
    router_at(node, addr)
}

/// The API's routes for a node listening on `addr` (the address actually bound), behind
/// (outermost first) JSON errors, the `Host` and `Origin` checks, the token, the
/// `Content-Type` check and the body limit.
pub fn router_at(node: Arc<Node>, addr: std::net::SocketAddr) -> Router {
    let allowed = allowed_hosts(&node, addr);
    let state = ApiState::of(&node);
    Router::new()
        .route("/", get(crate::status_page::page))
        .route("/status", get(crate::status_page::page))
        .route("/health", get(health::health))
        .route("/metrics", get(metrics::metrics))
        .route("/openapi.json", get(openapi::openapi))
        .route("/adapters", get(adapters))
        .route("/operator", get(operator))
        .route("/components", post(upload::upload_component))
        .route("/components/{digest}", get(upload::component_status))
        .route("/services", get(list_services).post(deploy_service))
        .route("/services/{id}", delete(remove_service))
        .route("/services/{id}/pause", post(pause_service))
        .route("/services/{id}/resume", post(resume_service))
        .route("/chains", post(add_chain))
        .route("/services/{id}/workflows/{workflow}/tasks", post(tasks::add_task))
        .route("/executions", get(executions))
        .fallback(|| async { NodeError::NotFound("no such endpoint; GET /openapi.json describes the API".into()) })
        .method_not_allowed_fallback(wavs_types::http::method_not_allowed)
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .layer(axum::middleware::from_fn(content_type::require))
        .layer(axum::middleware::from_fn_with_state(state.clone(), auth::require_token))
        .layer(axum::middleware::from_fn_with_state(allowed, hosts::check))
        .layer(axum::middleware::map_response(wavs_types::http::json_errors))
        .with_state(state)
}

async fn adapters(State(api): State<Arc<ApiState>>) -> Json<AdaptersAnswer> {
    Json(AdaptersAnswer { loaded: api.registry.loaded(), files: api.registry.files() })
}

/// Each chain's signing key: public key, where it came from, and the identity the
/// chain's adapter gives it (what a service manager registers).
async fn operator(State(api): State<Arc<ApiState>>) -> Json<OperatorAnswer> {
    let mut chains = BTreeMap::new();
    for (name, chain) in api.chains.all() {
        let key = chain.key.signer.public_key();
        let id = chain.adapter.operator_id(&key).await;
        chains.insert(name, chain_key(&chain.spec, &key, &chain.key.source, id));
    }
    Json(OperatorAnswer { chains })
}

/// Every deployed manifest; component config values only for a caller with the token.
async fn list_services(State(api): State<Arc<ApiState>>, headers: HeaderMap) -> Json<Vec<ServiceManifest>> {
    let full = auth::authorized(api.token.as_ref(), &headers);
    let services = api.services.list();
    let shown = services.iter().map(|s| (**s).clone());
    Json(if full { shown.collect() } else { shown.map(redact::without_config_values).collect() })
}

async fn deploy_service(State(api): State<Arc<ApiState>>, body: String) -> ApiResult<(StatusCode, Json<ServiceDeployed>)> {
    let manifest = ServiceManifest::from_json(&body).map_err(NodeError::Invalid)?;
    let id = manifest.id.clone();
    api.services.deploy(manifest)?;
    Ok((StatusCode::CREATED, Json(ServiceDeployed { id })))
}

async fn remove_service(State(api): State<Arc<ApiState>>, Path(id): Path<String>) -> ApiResult<StatusCode> {
    api.services.remove(&id)?;
    Ok(StatusCode::NO_CONTENT)
}

async fn pause_service(State(api): State<Arc<ApiState>>, Path(id): Path<String>) -> ApiResult<Json<PauseAnswer>> {
    let waiting = api.services.pause(&id)?;
    Ok(Json(PauseAnswer { id, paused: true, waiting_jobs: Some(waiting), released_jobs: None }))
}

async fn resume_service(State(api): State<Arc<ApiState>>, Path(id): Path<String>) -> ApiResult<Json<PauseAnswer>> {
    let released = api.services.resume(&id)?;
    Ok(Json(PauseAnswer { id, paused: false, waiting_jobs: None, released_jobs: Some(released) }))
}

/// Serves a new chain: the body is a `[chains.NAME]` table as JSON, plus its `name`.
async fn add_chain(State(api): State<Arc<ApiState>>, body: String) -> ApiResult<(StatusCode, Json<ChainAdded>)> {
    let mut fields: serde_json::Map<String, Value> =
        serde_json::from_str(&body).map_err(|e| NodeError::Invalid(format!("invalid chain: {e}")))?;
    let name = match fields.remove("name") {
        Some(Value::String(name)) => name,
        _ => return Err(NodeError::Invalid("invalid chain: `name` (a string) is missing".into())),
    };
    let spec: wavs_types::ChainSpec = serde_json::from_value(Value::Object(fields))
        .map_err(|e| NodeError::Invalid(format!("invalid chain {name}: {e}")))?;
    api.chain_adder.add(&name, spec)?;
    Ok((StatusCode::CREATED, Json(ChainAdded { name })))
}

#[derive(Deserialize)]
struct ExecutionQuery {
    service: Option<String>,
    limit: Option<usize>,
}

async fn executions(State(api): State<Arc<ApiState>>, Query(q): Query<ExecutionQuery>) -> ApiResult<Json<Vec<ExecutionRecord>>> {
    let records = api.store.recent_executions(q.service.as_deref(), q.limit.unwrap_or(50).min(1000))?;
    Ok(Json(records))
}

/// One chain's entry in `wavs keys` and `GET /operator`, with the identity its adapter
/// gave the key (or why it could not).
pub fn chain_key<E: std::fmt::Display>(spec: &wavs_types::ChainSpec, public_key: &[u8], source: &str, id: Result<String, E>) -> ChainKey {
    ChainKey {
        family: spec.family.clone(),
        chain_id: spec.chain_id.clone(),
        public_key: wavs_types::hex_bytes::encode(public_key),
        id: id.map_or_else(|e| OperatorIdentity::Unknown { error: e.to_string() }, OperatorIdentity::Id),
        key: source.to_string(),
    }
}
