//! `GET /metrics`: the aggregator in the Prometheus text format (0.0.4), written by the
//! `prometheus` crate through `wavs_types::prometheus::Exposition`: queue depth and
//! sizes (in total and per target), the store file's size and health, the `/health`
//! counters, and adapter state per chain, all read at scrape time.

use crate::Aggregator;
use axum::extract::State;
use axum::http::header;
use axum::response::IntoResponse;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use wavs_types::prometheus::{CONTENT_TYPE, Exposition};

/// The whole exposition.
pub fn render(agg: &Aggregator) -> String {
    let mut out = Exposition::default();
    let (depth, total, per_target, store_bytes, store_ok) = {
        let queue = agg.queue.lock();
        let per_target: Vec<_> = queue.usages().map(|(t, u)| (t.clone(), *u)).collect();
        (queue.depth(), queue.total(), per_target, queue.file_size(), queue.fault().is_none())
    };
    out.gauge("wavs_aggregator_queue_depth", "Envelopes with quorum waiting for submission.", depth as u64);
    out.gauge("wavs_aggregator_pending_entries", "Open envelopes (collecting signatures or queued), in total.", total.entries as u64);
    out.gauge("wavs_aggregator_pending_bytes", "Bytes of open envelopes (payloads, signatures, overhead), in total.", total.bytes);
    let target_labels = ["chain", "manager", "handler"];
    let per_target_rows = |value: fn(&crate::queue::Usage) -> u64| {
        per_target.iter().map(move |(t, u)| ([t.chain.as_str(), t.manager.as_str(), t.handler.as_str()], value(u)))
    };
    out.gauges("wavs_aggregator_target_pending_entries", "Open envelopes per target.", target_labels, per_target_rows(|u| u.entries as u64));
    out.gauges("wavs_aggregator_target_pending_bytes", "Bytes of open envelopes per target.", target_labels, per_target_rows(|u| u.bytes));
    out.gauge("wavs_aggregator_targets", "Targets served.", agg.targets.list().len() as u64);
    out.gauge("wavs_aggregator_store_file_bytes", "Size of aggregator.redb.", store_bytes);
    out.gauge("wavs_aggregator_store_healthy", "1 while the store accepts writes.", u64::from(store_ok));
    let c = &agg.counters;
    let counters: [(&str, &AtomicU64, &str); 10] = [
        ("wavs_aggregator_received_total", &c.received, "Signed envelopes received."),
        ("wavs_aggregator_rejected_signatures_total", &c.rejected_signatures, "Submissions refused (bad signature, not an operator, invalid)."),
        ("wavs_aggregator_refused_targets_total", &c.refused_targets, "Submissions refused because their target is not served here."),
        ("wavs_aggregator_over_capacity_total", &c.over_capacity, "Submissions refused because their target was at its caps."),
        ("wavs_aggregator_landed_total", &c.landed, "Envelopes landed on chain."),
        ("wavs_aggregator_failed_total", &c.failed, "Envelopes whose submission failed for good."),
        ("wavs_aggregator_expired_total", &c.expired, "Envelopes that expired before landing."),
        ("wavs_aggregator_stale_signatures_total", &c.stale_signatures, "Signatures dropped because their signer was no longer an operator."),
        ("wavs_aggregator_batches_total", &c.batches, "Transactions sent."),
        ("wavs_aggregator_store_errors_total", &c.store_errors, "Writes to the durable store that failed (and were retried)."),
    ];
    for (name, counter, help) in counters {
        out.counter(name, help, counter.load(Ordering::Relaxed));
    }
    let chains = agg.chains.all();
    out.gauges("wavs_aggregator_adapter_loaded", "1 while an adapter for the chain's family is loaded.", ["chain"], chains.iter().map(|(name, chain)| ([name.as_str()], u64::from(chain.has_adapter()))));
    out.counters(
        "wavs_aggregator_adapter_restarts_total",
        "Adapter instance restarts after traps or timeouts, per chain.",
        ["chain"],
        chains.iter().map(|(name, chain)| ([name.as_str()], chain.restarts())),
    );
    out.encode()
}

/// Metrics in the Prometheus text format (0.0.4).
#[utoipa::path(get, path = "/metrics", tag = "status", operation_id = "metrics",
    responses((status = 200, description = "The exposition.", content_type = "text/plain", body = String)))]
pub async fn metrics(State(agg): State<Arc<Aggregator>>) -> impl IntoResponse {
    ([(header::CONTENT_TYPE, CONTENT_TYPE)], render(&agg))
}
