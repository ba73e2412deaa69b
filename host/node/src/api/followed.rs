//! `/followed`: services defined on chain. Following a manager makes the node run the
//! definition its service URI names, and move to each new one ([`crate::follow`]).

use super::{ApiResult, ApiState};
use crate::error::NodeError;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use std::sync::Arc;
use wavs_types::ApiError;
use wavs_types::followed::{FollowRequest, FollowedService};

/// Follow the service a manager defines: the node reads the manager's service URI,
/// fetches the definition, checks that it submits only for that manager on that chain,
/// fetches and digest-checks its components and runs it, before answering. It then
/// moves to each new definition the URI names by itself.
#[utoipa::path(post, path = "/followed", tag = "services", operation_id = "followService",
    request_body = FollowRequest,
    security(("bearerAuth" = [])),
    responses(
        (status = 201, description = "Followed: its definition runs.", body = FollowedService),
        (status = 400, description = "The URI is unset, or the definition or a component is refused; the message says why.", body = ApiError),
        (status = 404, description = "No such chain on this node.", body = ApiError),
        (status = 409, description = "Followed already, or the definition's service id is taken here.", body = ApiError),
        (status = 503, description = "The chain, the URI or a component could not be read; retryable.", body = ApiError)))]
pub(super) async fn follow(State(api): State<Arc<ApiState>>, body: String) -> ApiResult<(StatusCode, Json<FollowedService>)> {
    let request: FollowRequest = serde_json::from_str(&body)
        .map_err(|e| NodeError::Invalid(format!("the body must be {{\"chain\": NAME, \"manager\": ADDRESS}}: {e}")))?;
    let chain = api.chains.resolve(&request.chain).map(|(name, _)| name).ok_or_else(|| {
        NodeError::NotFound(format!("no chain {:?} on this node (chains: {:?}); add it first", request.chain, api.chains.all().into_iter().map(|(n, _)| n).collect::<Vec<_>>()))
    })?;
    let followed = api.follows.add(&chain, request.manager.trim()).await?;
    Ok((StatusCode::CREATED, Json(followed)))
}

/// The managers this node follows, the definition running for each, and why a newer one
/// was refused or could not be fetched.
#[utoipa::path(get, path = "/followed", tag = "services", operation_id = "listFollowed",
    responses((status = 200, description = "Followed managers.", body = Vec<FollowedService>)))]
pub(super) async fn list_followed(State(api): State<Arc<ApiState>>) -> ApiResult<Json<Vec<FollowedService>>> {
    Ok(Json(api.follows.list()?))
}

/// Stop following a manager. Its service keeps running as it is (remove it with
/// `DELETE /services/{id}`).
#[utoipa::path(delete, path = "/followed/{chain}/{manager}", tag = "services", operation_id = "unfollowService",
    params(("chain" = String, Path, description = "The chain, as this node names it."),
           ("manager" = String, Path, description = "The manager's address.")),
    responses(
        (status = 204, description = "No longer followed."),
        (status = 404, description = "Not followed.", body = ApiError)))]
pub(super) async fn unfollow(State(api): State<Arc<ApiState>>, Path((chain, manager)): Path<(String, String)>) -> ApiResult<StatusCode> {
    let chain = api.chains.resolve(&chain).map(|(name, _)| name).unwrap_or(chain);
    api.follows.remove(&chain, &manager).await?;
    Ok(StatusCode::NO_CONTENT)
}
