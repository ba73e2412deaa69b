//! `GET /health`: the node's state at a glance, per chain, with the compiles under way and
//! each cron workflow's next tick. 503 and `"unhealthy"` while the store cannot write (its
//! disk failed; it reopens the database meanwhile), with the reason in `"store"`.

use crate::node::Node;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde_json::{Map, Value, json};
use std::sync::Arc;

/// Blocks between the cursor and the head not read yet: `head - cursor + 1` while the
/// cursor is at or below the head, else 0; unknown until both are known.
pub(crate) fn lag(head: Option<u64>, cursor: Option<u64>) -> Option<u64> {
    let (head, cursor) = (head?, cursor?);
    Some(if cursor <= head { head - cursor + 1 } else { 0 })
}

/// Each chain: state, head, cursor, lag, confirmations, adapter family and whether it
/// is loaded, where it was configured, adapter restarts and the last error.
pub(crate) fn chains(node: &Node) -> Map<String, Value> {
    let status = node.chain_status();
    node.chains
        .all()
        .into_iter()
        .map(|(name, chain)| {
            let s = status.get(&name).cloned().unwrap_or_default();
            let health = json!({
                "state": s.state,
                "head": s.head,
                "cursor": s.cursor,
                "lag": lag(s.head, s.cursor),
                "confirmations": chain.spec.confirmations,
                "family": chain.spec.family,
                "source": if chain.added { "api" } else { "config" },
                "adapter-loaded": chain.adapter.has_adapter(),
                "adapter-restarts": s.adapter_restarts,
                "error": s.error,
            });
            (name, health)
        })
        .collect()
}

pub(super) async fn health(State(node): State<Arc<Node>>) -> (StatusCode, Json<Value>) {
    let fault = node.store.fault();
    let (code, status) = match fault {
        None => (StatusCode::OK, "ok"),
        Some(_) => (StatusCode::SERVICE_UNAVAILABLE, "unhealthy"),
    };
    (code, Json(json!({
        "status": status,
        "store": fault.as_deref().unwrap_or("ok"),
        "chains": chains(&node),
        "services": node.services().len(),
        "paused-services": node.paused.read().keys().collect::<Vec<_>>(),
        "executions": node.outcomes.snapshot(),
        "compiling": node.components.compiles_under_way().into_iter().map(|(digest, state)| json!({ "digest": digest, "compile": state })).collect::<Vec<_>>(),
        "cron": node.cron.health(),
    })))
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
