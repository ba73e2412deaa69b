//! `GET /health`: 200 `"status": "ok"`, or 503 `"status": "unhealthy"` with the reason
//! while the store cannot write; queue and store sizes per target. The answer is
//! [`wavs_types::aggregator_health::AggregatorHealth`], which its readers share.

use crate::{Aggregator, Counters};
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use wavs_types::health::ChainSource;
use wavs_types::aggregator_health::{
    AggregatorChainHealth, AggregatorCounters, AggregatorHealth, HealthStatus, Pending, StoreHealth, TargetUsage,
};

/// The counters as they are now.
fn counters(c: &Counters) -> AggregatorCounters {
    let read = |a: &std::sync::atomic::AtomicU64| a.load(Ordering::Relaxed);
    AggregatorCounters {
        received: read(&c.received),
        rejected_signatures: read(&c.rejected_signatures),
        refused_targets: read(&c.refused_targets),
        over_capacity: read(&c.over_capacity),
        landed: read(&c.landed),
        failed: read(&c.failed),
        expired: read(&c.expired),
        stale_signatures: read(&c.stale_signatures),
        batches: read(&c.batches),
        store_errors: read(&c.store_errors),
    }
}

/// The aggregator's state: its store, each chain (adapter loaded, restarts, configured
/// or added at runtime), each
/// target's open envelopes and bytes, the queue, the counters since start, and events
/// whose operators signed competing results.
///
/// 503 while the store cannot write; it answers 200 again once writes succeed.
#[utoipa::path(get, path = "/health", tag = "status", operation_id = "health",
    responses(
        (status = 200, description = "Health.", body = AggregatorHealth),
        (status = 503, description = "Unhealthy: the store cannot write; `reason` says why.", body = AggregatorHealth)))]
pub(super) async fn health(State(agg): State<Arc<Aggregator>>) -> (StatusCode, Json<AggregatorHealth>) {
    let chains = agg
        .chains
        .all()
        .into_iter()
        .map(|(name, c)| {
            let source = if c.added { ChainSource::Api } else { ChainSource::Config };
            (name, AggregatorChainHealth { adapter_loaded: c.has_adapter(), adapter_restarts: c.restarts(), source })
        })
        .collect();
    let (queue_depth, pending, store, competing) = {
        let queue = agg.queue.lock();
        let per_target = queue.usages().map(|(t, u)| TargetUsage {
            chain: t.chain.clone(),
            manager: t.manager.clone(),
            handler: t.handler.clone(),
            pending_entries: u.entries,
            pending_bytes: u.bytes,
        });
        let per_target = per_target.collect();
        let total = queue.total();
        let store = StoreHealth { path: queue.path().display().to_string(), file_bytes: queue.file_size(), fault: queue.fault().map(str::to_string) };
        (queue.depth(), Pending { entries: total.entries, bytes: total.bytes, per_target }, store, queue.competing())
    };
    let (code, status) = match &store.fault {
        None => (StatusCode::OK, HealthStatus::Ok),
        Some(_) => (StatusCode::SERVICE_UNAVAILABLE, HealthStatus::Unhealthy),
    };
    let reason = store.fault.as_ref().map(|f| format!("the store cannot write: {f}; envelopes are refused (503, retryable) until it can"));
    let body = AggregatorHealth {
        status,
        reason,
        chains,
        queue_depth,
        pending,
        targets: agg.targets.list().len(),
        store,
        counters: counters(&agg.counters),
        adapters: agg.registry.loaded(),
        competing,
    };
    (code, Json(body))
}
