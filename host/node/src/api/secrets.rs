//! `/services/{id}/secrets`: the operator's secrets of a service — set, list (names
//! only) and delete. Every call needs the API token, listing too; a value travels only
//! in a request body, and no answer or log line carries one.

use super::{ApiResult, ApiState, auth};
use crate::error::NodeError;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use std::sync::Arc;
use wavs_types::ApiError;
use wavs_types::node_api::{SecretNames, SecretValue};

/// The names of a service's secrets on this node, never their values. Needs the API
/// token, though it is a GET.
#[utoipa::path(get, path = "/services/{id}/secrets", tag = "services", operation_id = "listSecrets",
    params(("id" = String, Path, description = "The service's id (deployed or not).")),
    security(("bearerAuth" = [])),
    responses(
        (status = 200, description = "The names.", body = SecretNames),
        (status = 401, description = "The request did not carry the node's API token.", body = ApiError)))]
pub(super) async fn list_secrets(State(api): State<Arc<ApiState>>, Path(id): Path<String>, headers: HeaderMap) -> Response {
    if !auth::authorized(api.token.as_ref(), &headers) {
        return auth::unauthorized("listing secrets needs the node's API token: send `Authorization: Bearer <token>`");
    }
    let names = api.secrets.names(&id);
    Json(SecretNames { id, names }).into_response()
}

/// Set (or replace) a secret of a service, which need not be deployed yet: a deploy
/// whose components declare a secret the node does not hold is refused. The value is
/// in the body, never in the URL; it is kept in `<data-dir>/secrets.json` (mode 0600)
/// and never shown again.
#[utoipa::path(put, path = "/services/{id}/secrets/{name}", tag = "services", operation_id = "setSecret",
    params(("id" = String, Path, description = "The service's id."), ("name" = String, Path, description = "The secret's name.")),
    request_body = SecretValue,
    responses(
        (status = 204, description = "Kept."),
        (status = 400, description = "A bad name or an empty value.", body = ApiError),
        (status = 413, description = "The value is over 64 KiB.", body = ApiError)))]
pub(super) async fn set_secret(State(api): State<Arc<ApiState>>, Path((id, name)): Path<(String, String)>, body: String) -> ApiResult<StatusCode> {
    // The parse error of serde would quote the body: say what is wrong without it.
    let value: SecretValue = serde_json::from_str(&body)
        .map_err(|_| NodeError::Invalid("the body must be {\"value\": \"<the secret>\"} (a JSON string, no other field)".into()))?;
    api.secrets.set(&id, &name, &value.value)?;
    Ok(StatusCode::NO_CONTENT)
}

/// Delete a secret of a service. A deployed service that declares it fails each run,
/// naming it, until it is set again.
#[utoipa::path(delete, path = "/services/{id}/secrets/{name}", tag = "services", operation_id = "deleteSecret",
    params(("id" = String, Path, description = "The service's id."), ("name" = String, Path, description = "The secret's name.")),
    responses(
        (status = 204, description = "Deleted."),
        (status = 404, description = "No such secret.", body = ApiError)))]
pub(super) async fn delete_secret(State(api): State<Arc<ApiState>>, Path((id, name)): Path<(String, String)>) -> ApiResult<StatusCode> {
    api.secrets.delete(&id, &name)?;
    Ok(StatusCode::NO_CONTENT)
}
