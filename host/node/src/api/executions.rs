//! `GET /executions`: the node's recent execution records.

use super::{ApiResult, ApiState};
use axum::Json;
use axum::extract::{Query, State};
use serde::Deserialize;
use std::sync::Arc;
use wavs_types::ApiError;
use wavs_types::execution::ExecutionRecord;

/// Which records, and how many.
#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub(super) struct ExecutionQuery {
    /// Only this service's.
    service: Option<String>,
    /// How many, newest first (at most 1,000).
    #[param(maximum = 1000, default = 50)]
    limit: Option<usize>,
}

/// Recent executions, newest first.
#[utoipa::path(get, path = "/executions", tag = "status", operation_id = "executions",
    params(ExecutionQuery),
    responses(
        (status = 200, description = "Executions.", body = Vec<ExecutionRecord>),
        (status = 400, description = "Invalid query.", body = ApiError)))]
pub(super) async fn executions(State(api): State<Arc<ApiState>>, Query(q): Query<ExecutionQuery>) -> ApiResult<Json<Vec<ExecutionRecord>>> {
    let records = api.store.recent_executions(q.service.as_deref(), q.limit.unwrap_or(50).min(1000))?;
    Ok(Json(records))
}
