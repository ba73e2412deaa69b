//! `POST /chains` (API token): a chain to submit to from now on, without a restart, kept
//! in the store across restarts. The body is what the node's `POST /chains` takes (a
//! `[chains.NAME]` table as JSON, with its `name`), plus the aggregator's own
//! `accept-verified-targets`. `GET /health` lists the chains served.

use crate::Aggregator;
use crate::config::AggregatorChain;
use crate::error::{AggregatorError, Result};
use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use std::sync::Arc;
use wavs_types::ApiError;
use wavs_types::aggregator_chains::{AggregatorChainAdded, AggregatorChainRequest};

/// Submit to a new chain from now on, without a restart; it is kept across restarts (a
/// chain of the same name in the configuration file wins). Its submissions are paid by
/// the aggregator's key for that chain (`[submitter.chains.NAME]`, else derived from the
/// base key), which needs funds on it; the answer names the account. Results that
/// named the chain before it was added were refused as retryable and land once their
/// senders send them again. Needs the API token.
#[utoipa::path(post, path = "/chains", tag = "chains", operation_id = "addChain",
    request_body = AggregatorChainRequest, security(("bearerAuth" = [])),
    responses(
        (status = 201, description = "Served from now on.", body = AggregatorChainAdded),
        (status = 400, description = "Invalid name or spec (the message names the field), or no submitting key for the chain (it says what to configure).", body = ApiError),
        (status = 401, description = "No API token, or another.", body = ApiError),
        (status = 409, description = "A chain of that name, or that `family:chain-id`, is already served.", body = ApiError),
        (status = 503, description = "The store cannot write; retry.", body = ApiError)))]
pub(super) async fn add(State(agg): State<Arc<Aggregator>>, headers: HeaderMap, body: String) -> Result<(StatusCode, Json<AggregatorChainAdded>)> {
    crate::auth::check(&agg.token, &headers)?;
    let (name, entry) = AggregatorChain::parse_request(&body).map_err(AggregatorError::Invalid)?;
    let added = agg.add_chain(&name, entry).await?;
    Ok((StatusCode::CREATED, Json(added)))
}
