//! The node's HTTP API: services (deploy, pause, resume, remove), components, chains
//! added at runtime, manual tasks, executions, health, metrics and its own OpenAPI
//! document.
//!
//! Secrets of a service are set, listed (names only) and deleted with the token
//! ([`secrets`]); no answer carries a value.
//!
//! Closed by default. Every request must name one of the node's own addresses in `Host`
//! and, if it has an `Origin`, come from one of them ([`hosts`]); every request but
//! GET/HEAD needs the API token as a bearer token ([`auth`], [`token`]) and must declare
//! its `Content-Type` ([`content_type`]); component config values are shown only with the
//! token ([`redact`]).

mod auth;
mod chains;
pub mod content_type;
mod executions;
mod followed;
mod health;
pub mod hosts;
pub mod metrics;
pub mod openapi;
mod p2p;
pub mod redact;
mod register_key;
mod secrets;
mod service_keys;
mod services;
mod tasks;
pub mod token;
mod upload;

pub use chains::{chain_key, described_key, scheme_keys};

use crate::chains::{ChainAdder, Chains};
use crate::components::Components;
use crate::cron::Cron;
use crate::error::NodeError;
use crate::executions::OutcomeCounts;
use crate::metrics::NodeMetrics;
use crate::node::Node;
use crate::reader::Readers;
use crate::scheduler::Scheduler;
use crate::services::Services;
use crate::store::Store;
use axum::extract::DefaultBodyLimit;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::{Json, Router};
use std::sync::Arc;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use wavs_types::ApiError;

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
    secrets: Arc<crate::secrets::Secrets>,
    follows: Arc<crate::follow::Follows>,
    fetcher: Arc<crate::fetch::Fetcher>,
    /// With `[p2p]`: the gossip and the embedded aggregator.
    peers: Option<Arc<crate::p2p::Peers>>,
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
            secrets: node.secrets.clone(),
            follows: node.follows.clone(),
            fetcher: node.fetcher.clone(),
            peers: node.peers.clone(),
            token: node.config.api_token.clone(),
        })
    }

    /// Per-chain status, as `/health` and `/metrics` show it.
    fn chain_status(&self) -> std::collections::BTreeMap<String, crate::reader::ChainStatus> {
        self.chains.status(self.readers.status())
    }
}

/// Every operation: its handler and, from the handler's `#[utoipa::path]`, its entry in
/// the OpenAPI document ([`openapi::document`]), so that the two cannot differ.
pub(crate) fn routes() -> OpenApiRouter<Arc<ApiState>> {
    OpenApiRouter::new()
        .routes(routes!(crate::status_page::root))
        .routes(routes!(crate::status_page::page))
        .routes(routes!(health::health))
        .routes(routes!(metrics::metrics))
        .routes(routes!(openapi::openapi))
        .routes(routes!(chains::adapters))
        .routes(routes!(chains::operator))
        .routes(routes!(chains::add_chain))
        .routes(routes!(upload::upload_component))
        .routes(routes!(upload::component_status))
        .routes(routes!(services::list_services, services::deploy_service))
        .routes(routes!(services::remove_service))
        .routes(routes!(services::pause_service))
        .routes(routes!(services::resume_service))
        .routes(routes!(service_keys::service_keys))
        .routes(routes!(register_key::register_key))
        .routes(routes!(p2p::announce))
        .routes(routes!(followed::list_followed, followed::follow))
        .routes(routes!(followed::unfollow))
        .routes(routes!(secrets::list_secrets))
        .routes(routes!(secrets::set_secret, secrets::delete_secret))
        .routes(routes!(tasks::add_task))
        .routes(routes!(executions::executions))
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
    let (router, _) = routes().split_for_parts();
    router
        .fallback(|| async { NodeError::NotFound("no such endpoint; GET /openapi.json describes the API".into()) })
        .method_not_allowed_fallback(wavs_types::http::method_not_allowed)
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .layer(axum::middleware::from_fn(content_type::require))
        .layer(axum::middleware::from_fn_with_state(state.clone(), auth::require_token))
        .layer(axum::middleware::from_fn_with_state(allowed, hosts::check))
        .layer(axum::middleware::map_response(wavs_types::http::json_errors))
        .with_state(state)
}
