//! `GET /targets` (open), `POST /targets` and `DELETE /targets` (API token): the targets
//! this aggregator serves, as `{"chain", "manager", "handler"}`.

use crate::Aggregator;
use crate::error::{AggregatorError, Result};
use crate::targets::{Check, Source, Target};
use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use serde_json::{Value, json};
use std::sync::Arc;
use std::time::Instant;

/// The target `body` names, its chain under this aggregator's own name for it.
fn parse(agg: &Aggregator, body: &str) -> Result<Target> {
    let target = parse_body(body)?;
    let chain = agg.config.chain_name(&target.chain).unwrap_or(&target.chain).to_string();
    Ok(Target { chain, ..target })
}

fn parse_body(body: &str) -> Result<Target> {
    let target: Target = serde_json::from_str(body).map_err(|e| {
        AggregatorError::Invalid(format!("invalid target: {e}; send {{\"chain\": <name>, \"manager\": <address>, \"handler\": <address>}}"))
    })?;
    if target.manager.trim().is_empty() || target.handler.trim().is_empty() {
        return Err(AggregatorError::Invalid("invalid target: manager and handler must be addresses".into()));
    }
    Ok(target.canonical())
}

/// One target as the API shows it.
fn shown(agg: &Aggregator, target: &Target, source: Option<Source>) -> Value {
    let usage = agg.queue.lock().usage(target);
    let check = match agg.targets.check(target, Instant::now()) {
        Some(Check::Matches) => json!("matches"),
        Some(Check::Refused(why, _)) => json!({ "refused": why }),
        None => json!("not-checked-yet"),
    };
    json!({
        "chain": target.chain, "manager": target.manager, "handler": target.handler,
        "source": source, "on-chain-check": check,
        "pending-entries": usage.entries, "pending-bytes": usage.bytes,
    })
}

pub(super) async fn list(State(agg): State<Arc<Aggregator>>) -> Json<Value> {
    let targets: Vec<Value> = agg.targets.list().iter().map(|(t, s)| shown(&agg, t, Some(*s))).collect();
    Json(json!({ "targets": targets }))
}

pub(super) async fn register(State(agg): State<Arc<Aggregator>>, headers: HeaderMap, body: String) -> Result<(StatusCode, Json<Value>)> {
    crate::auth::check(&agg.token, &headers)?;
    let target = parse(&agg, &body)?;
    let (source, added) = agg.register_target(&target, Source::Api).await?;
    let status = if added { StatusCode::CREATED } else { StatusCode::OK };
    Ok((status, Json(shown(&agg, &target, Some(source)))))
}

pub(super) async fn unregister(State(agg): State<Arc<Aggregator>>, headers: HeaderMap, body: String) -> Result<Json<Value>> {
    crate::auth::check(&agg.token, &headers)?;
    let target = parse(&agg, &body)?;
    agg.unregister_target(&target)?;
    Ok(Json(shown(&agg, &target, None)))
}
