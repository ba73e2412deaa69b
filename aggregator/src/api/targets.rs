//! `GET /targets` (open), `POST /targets` and `DELETE /targets` (API token): the targets
//! this aggregator serves, as `{"chain", "manager", "handler"}`.

use crate::Aggregator;
use crate::error::{AggregatorError, Result};
use crate::targets::{Check, Source, Target};
use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use wavs_types::ApiError;
use wavs_types::aggregator_targets::{TargetCheck, TargetEntry, TargetRequest, TargetsAnswer};
use std::sync::Arc;
use std::time::Instant;

/// The target `body` names, its chain under this aggregator's own name for it.
fn parse(agg: &Aggregator, body: &str) -> Result<Target> {
    let target = parse_body(body)?;
    let chain = agg.chains.name(&target.chain).unwrap_or_else(|| target.chain.clone());
    Ok(Target { chain, ..target })
}

fn parse_body(body: &str) -> Result<Target> {
    let asked: TargetRequest = serde_json::from_str(body).map_err(|e| {
        AggregatorError::Invalid(format!("invalid target: {e}; send {{\"chain\": <name>, \"manager\": <address>, \"handler\": <address>}}"))
    })?;
    if asked.manager.trim().is_empty() || asked.handler.trim().is_empty() {
        return Err(AggregatorError::Invalid("invalid target: manager and handler must be addresses".into()));
    }
    Ok(Target::new(&asked.chain, &asked.manager, &asked.handler))
}

/// One target as the API shows it.
fn shown(agg: &Aggregator, target: &Target, source: Option<Source>) -> TargetEntry {
    let usage = agg.queue.lock().usage(target);
    let on_chain_check = match agg.targets.check(target, Instant::now()) {
        Some(Check::Matches) => TargetCheck::Matches,
        Some(Check::Refused(why, _)) => TargetCheck::Refused(why),
        None => TargetCheck::NotCheckedYet,
    };
    TargetEntry {
        chain: target.chain.clone(),
        manager: target.manager.clone(),
        handler: target.handler.clone(),
        source,
        on_chain_check,
        pending_entries: usage.entries,
        pending_bytes: usage.bytes,
    }
}

/// Every target served.
#[utoipa::path(get, path = "/targets", tag = "targets", operation_id = "listTargets",
    responses((status = 200, description = "The targets.", body = TargetsAnswer)))]
pub(super) async fn list(State(agg): State<Arc<Aggregator>>) -> Json<TargetsAnswer> {
    let targets = agg.targets.list().iter().map(|(t, s)| shown(&agg, t, Some(*s))).collect();
    Json(TargetsAnswer { targets })
}

/// Serve a target from now on (kept across restarts), once its handler is checked on
/// chain to validate with its manager. Needs the API token.
#[utoipa::path(post, path = "/targets", tag = "targets", operation_id = "registerTarget",
    request_body = TargetRequest, security(("bearerAuth" = [])),
    responses(
        (status = 201, description = "Served from now on.", body = TargetEntry),
        (status = 200, description = "Served already.", body = TargetEntry),
        (status = 400, description = "Not a target, or its chain is not configured here.", body = ApiError),
        (status = 401, description = "No API token, or another.", body = ApiError),
        (status = 403, description = "The on-chain check refused it: its handler does not validate with that manager.", body = ApiError),
        (status = 503, description = "The chain could not be asked, or the store cannot write; retry.", body = ApiError)))]
pub(super) async fn register(State(agg): State<Arc<Aggregator>>, headers: HeaderMap, body: String) -> Result<(StatusCode, Json<TargetEntry>)> {
    crate::auth::check(&agg.token, &headers)?;
    let target = parse(&agg, &body)?;
    let (source, added) = agg.register_target(&target, Source::Api).await?;
    let status = if added { StatusCode::CREATED } else { StatusCode::OK };
    Ok((status, Json(shown(&agg, &target, Some(source)))))
}

/// Serve a target no more; its open envelopes are dropped. Needs the API token.
#[utoipa::path(delete, path = "/targets", tag = "targets", operation_id = "unregisterTarget",
    request_body = TargetRequest, security(("bearerAuth" = [])),
    responses(
        (status = 200, description = "Served no more.", body = TargetEntry),
        (status = 400, description = "Not a target, or one of the configuration file (remove it there).", body = ApiError),
        (status = 401, description = "No API token, or another.", body = ApiError),
        (status = 404, description = "Not served here.", body = ApiError)))]
pub(super) async fn unregister(State(agg): State<Arc<Aggregator>>, headers: HeaderMap, body: String) -> Result<Json<TargetEntry>> {
    crate::auth::check(&agg.token, &headers)?;
    let target = parse(&agg, &body)?;
    agg.unregister_target(&target)?;
    Ok(Json(shown(&agg, &target, None)))
}
