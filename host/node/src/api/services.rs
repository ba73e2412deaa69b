//! `/services`: deploy, list, pause, resume and remove services.

use super::{ApiResult, ApiState, auth, redact};
use crate::error::NodeError;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use std::sync::Arc;
use wavs_types::node_api::{PauseAnswer, ServiceDeployed};
use wavs_types::{ApiError, ServiceManifest};

/// Deployed services.
///
/// Component `config` values are shown only to a request with the API token; without it
/// each value reads `<redacted: send the API token to see config values>` (the keys stay).
#[utoipa::path(get, path = "/services", tag = "services", operation_id = "listServices",
    security((), ("bearerAuth" = [])),
    responses((status = 200, description = "Manifests.", body = Vec<ServiceManifest>)))]
pub(super) async fn list_services(State(api): State<Arc<ApiState>>, headers: HeaderMap) -> Json<Vec<ServiceManifest>> {
    let full = auth::authorized(api.token.as_ref(), &headers);
    let services = api.services.list();
    let shown = services.iter().map(|s| (**s).clone());
    Json(if full { shown.collect() } else { shown.map(redact::without_config_values).collect() })
}

/// Deploy (or replace) a service. Each component must be uploaded first, or have a
/// `source` the node fetches it from (once: a stored digest is not fetched again), checked
/// against its `digest` before it is compiled or stored.
#[utoipa::path(post, path = "/services", tag = "services", operation_id = "deployService",
    request_body = ServiceManifest,
    responses(
        (status = 201, description = "Deployed.", body = ServiceDeployed),
        (status = 400, description = "Invalid manifest, limits above the operator's maxima, a custom trigger \
            its chain's adapter refuses (in the adapter's words), or a component source that served bytes of \
            another digest (both digests named) or answered not found.", body = ApiError),
        (status = 413, description = "A component source served more than `[storage] max-component-bytes`.", body = ApiError),
        (status = 503, description = "A custom trigger's chain has no adapter loaded to check it yet, or a \
            component source could not be reached (the message names the component, the source and the cause); \
            retryable.", body = ApiError),
        (status = 404, description = "A component digest is not uploaded.", body = ApiError)))]
pub(super) async fn deploy_service(State(api): State<Arc<ApiState>>, body: String) -> ApiResult<(StatusCode, Json<ServiceDeployed>)> {
    let manifest = ServiceManifest::from_json(&body).map_err(NodeError::Invalid)?;
    let id = manifest.id.clone();
    api.services.deploy_fetching(&api.fetcher, manifest, crate::fetch::Origin::Operator).await?;
    Ok((StatusCode::CREATED, Json(ServiceDeployed { id })))
}

/// Remove a service; its pending jobs are dropped.
///
/// Send `Content-Type: application/json` (the body may be empty), as every request that
/// changes the node must.
#[utoipa::path(delete, path = "/services/{id}", tag = "services", operation_id = "removeService",
    params(("id" = String, Path, description = "The service's id.")),
    responses(
        (status = 204, description = "Removed."),
        (status = 404, description = "No such service.", body = ApiError)))]
pub(super) async fn remove_service(State(api): State<Arc<ApiState>>, Path(id): Path<String>) -> ApiResult<StatusCode> {
    api.services.remove(&id)?;
    Ok(StatusCode::NO_CONTENT)
}

/// Pause a service: its triggers are still read and kept as jobs, but none runs (a run
/// already going finishes) and manual tasks are refused with 409, until it is resumed.
/// Kept across restarts; idempotent.
///
/// Send `Content-Type: application/json` (the body may be empty), as every request that
/// changes the node must.
#[utoipa::path(post, path = "/services/{id}/pause", tag = "services", operation_id = "pauseService",
    params(("id" = String, Path, description = "The service's id.")),
    responses(
        (status = 200, description = "The service's state now, with `waiting-jobs`.", body = PauseAnswer),
        (status = 404, description = "No such service.", body = ApiError)))]
pub(super) async fn pause_service(State(api): State<Arc<ApiState>>, Path(id): Path<String>) -> ApiResult<Json<PauseAnswer>> {
    let waiting = api.services.pause(&id)?;
    Ok(Json(PauseAnswer { id, paused: true, waiting_jobs: Some(waiting), released_jobs: None }))
}

/// Resume a paused service; the jobs kept while it was paused run now. Idempotent.
///
/// Send `Content-Type: application/json` (the body may be empty), as every request that
/// changes the node must.
#[utoipa::path(post, path = "/services/{id}/resume", tag = "services", operation_id = "resumeService",
    params(("id" = String, Path, description = "The service's id.")),
    responses(
        (status = 200, description = "The service's state now, with `released-jobs`.", body = PauseAnswer),
        (status = 404, description = "No such service.", body = ApiError)))]
pub(super) async fn resume_service(State(api): State<Arc<ApiState>>, Path(id): Path<String>) -> ApiResult<Json<PauseAnswer>> {
    let released = api.services.resume(&id)?;
    Ok(Json(PauseAnswer { id, paused: false, waiting_jobs: None, released_jobs: Some(released) }))
}
