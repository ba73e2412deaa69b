//! `GET /health`: the node's state at a glance, per chain, with the compiles under way and
//! each cron workflow's next tick. 503 and `"unhealthy"` while the store cannot write (its
//! disk failed; it reopens the database meanwhile), with the reason in `"store"`.

use super::ApiState;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use std::collections::BTreeMap;
use std::sync::Arc;
use wavs_types::health::{ChainHealth, ChainSource, CompileEntry, HealthStatus, NodeHealth};

/// Blocks between the cursor and the head not read yet: `head - cursor + 1` while the
/// cursor is at or below the head, else 0; unknown until both are known.
pub(crate) fn lag(head: Option<u64>, cursor: Option<u64>) -> Option<u64> {
    let (head, cursor) = (head?, cursor?);
    Some(if cursor <= head { head - cursor + 1 } else { 0 })
}

/// Each chain: state, head, cursor, lag, confirmations, adapter family and whether it
/// is loaded, where it was configured, adapter restarts and the last error.
pub(crate) fn chains(api: &ApiState) -> BTreeMap<String, ChainHealth> {
    let status = api.chain_status();
    api.chains
        .all()
        .into_iter()
        .map(|(name, chain)| {
            let s = status.get(&name).cloned().unwrap_or_default();
            let health = ChainHealth {
                state: s.state,
                head: s.head,
                cursor: s.cursor,
                lag: lag(s.head, s.cursor),
                confirmations: chain.spec.confirmations,
                finality: chain.spec.finality,
                family: chain.spec.family.clone(),
                source: if chain.added { ChainSource::Api } else { ChainSource::Config },
                adapter_loaded: chain.adapter.has_adapter(),
                adapter_restarts: s.adapter_restarts,
                error: s.error,
            };
            (name, health)
        })
        .collect()
}

/// The whole answer, and its HTTP status: 503 while the store cannot write.
pub(crate) fn report(api: &ApiState) -> (StatusCode, NodeHealth) {
    let fault = api.store.fault();
    let (code, status) = match fault {
        None => (StatusCode::OK, HealthStatus::Ok),
        Some(_) => (StatusCode::SERVICE_UNAVAILABLE, HealthStatus::Unhealthy),
    };
    let compiling = api.components.compiles_under_way().into_iter().map(|(digest, compile)| CompileEntry { digest, compile });
    let health = NodeHealth {
        status,
        store: fault.as_deref().unwrap_or("ok").to_string(),
        chains: chains(api),
        services: api.services.list().len(),
        paused_services: api.scheduler.paused(),
        executions: api.outcomes.snapshot(),
        compiling: compiling.collect(),
        cron: api.cron.health(),
        p2p: api.peers.as_ref().map(|p| p.health()),
    };
    (code, health)
}

/// The node's state, per chain, its store, executions by outcome since start, background
/// compiles under way and each cron workflow's next tick.
///
/// 503 while the store cannot write (a full disk): the node reopens it and answers 200
/// again once writes succeed.
#[utoipa::path(get, path = "/health", tag = "status", operation_id = "health",
    responses(
        (status = 200, description = "Health.", body = NodeHealth),
        (status = 503, description = "Unhealthy: the store cannot write; `store` says why.", body = NodeHealth)))]
pub(super) async fn health(State(api): State<Arc<ApiState>>) -> (StatusCode, Json<NodeHealth>) {
    let (code, health) = report(&api);
    (code, Json(health))
}

#[cfg(test)]
mod tests {
    #[test]
    fn lag_counts_unread_blocks() {
        assert_eq!(super::lag(Some(10), Some(8)), Some(3));
        assert_eq!(super::lag(Some(10), Some(10)), Some(1));
        assert_eq!(super::lag(Some(10), Some(11)), Some(0));
        assert_eq!(super::lag(None, Some(1)), None);
    }
}
