//! `GET /health`: 200 `"status": "ok"`, or 503 `"status": "unhealthy"` with the reason
//! while the store cannot write; queue and store sizes per target.

use crate::Aggregator;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde_json::{Value, json};
use std::sync::Arc;

pub(super) async fn health(State(agg): State<Arc<Aggregator>>) -> (StatusCode, Json<Value>) {
    let chains: serde_json::Map<String, Value> = agg
        .chains
        .iter()
        .map(|(name, c)| (name.clone(), json!({ "adapter-loaded": c.has_adapter(), "adapter-restarts": c.restarts() })))
        .collect();
    let (depth, total, usages, fault, path, file_bytes) = {
        let queue = agg.queue.lock();
        let usages: Vec<Value> = queue
            .usages()
            .map(|(t, u)| {
                json!({ "chain": t.chain, "manager": t.manager, "handler": t.handler, "pending-entries": u.entries, "pending-bytes": u.bytes })
            })
            .collect();
        let store = queue.store();
        (queue.depth(), queue.total(), usages, store.fault().map(str::to_string), store.path().display().to_string(), store.file_size())
    };
    let (code, status) = match &fault {
        None => (StatusCode::OK, "ok"),
        Some(_) => (StatusCode::SERVICE_UNAVAILABLE, "unhealthy"),
    };
    let body = json!({
        "status": status,
        "reason": fault.as_ref().map(|f| format!("the store cannot write: {f}; envelopes are refused (503, retryable) until it can")),
        "chains": chains,
        "queue-depth": depth,
        "pending": { "entries": total.entries, "bytes": total.bytes, "per-target": usages },
        "targets": agg.targets.list().len(),
        "store": { "path": path, "file-bytes": file_bytes, "fault": fault },
        "counters": agg.counters,
        "adapters": agg.registry.loaded(),
    });
    (code, Json(body))
}
