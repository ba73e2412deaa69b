//! `GET /metrics`: the aggregator in the Prometheus text format (`wavs_types::prometheus`):
//! queue depth and sizes (in total and per target), the store file's size and health,
//! the `/health` counters, and adapter state per chain.

use crate::Aggregator;
use axum::extract::State;
use axum::http::header;
use axum::response::IntoResponse;
use std::fmt::Write;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use wavs_types::prometheus::{CONTENT_TYPE, header, label};

/// The whole exposition.
pub fn render(agg: &Aggregator) -> String {
    let mut out = String::new();
    let (depth, total, per_target, store_bytes, store_ok) = {
        let queue = agg.queue.lock();
        let per_target: Vec<_> = queue.usages().map(|(t, u)| (t.clone(), *u)).collect();
        (queue.depth(), queue.total(), per_target, queue.file_size(), queue.fault().is_none())
    };
    header(&mut out, "wavs_aggregator_queue_depth", "gauge", "Envelopes with quorum waiting for submission.");
    let _ = writeln!(out, "wavs_aggregator_queue_depth {depth}");
    header(&mut out, "wavs_aggregator_pending_entries", "gauge", "Open envelopes (collecting signatures or queued), in total.");
    let _ = writeln!(out, "wavs_aggregator_pending_entries {}", total.entries);
    header(&mut out, "wavs_aggregator_pending_bytes", "gauge", "Bytes of open envelopes (payloads, signatures, overhead), in total.");
    let _ = writeln!(out, "wavs_aggregator_pending_bytes {}", total.bytes);
    header(&mut out, "wavs_aggregator_target_pending_entries", "gauge", "Open envelopes per target.");
    for (t, u) in &per_target {
        let _ = writeln!(out, "wavs_aggregator_target_pending_entries{{{}}} {}", target_labels(t), u.entries);
    }
    header(&mut out, "wavs_aggregator_target_pending_bytes", "gauge", "Bytes of open envelopes per target.");
    for (t, u) in &per_target {
        let _ = writeln!(out, "wavs_aggregator_target_pending_bytes{{{}}} {}", target_labels(t), u.bytes);
    }
    header(&mut out, "wavs_aggregator_targets", "gauge", "Targets served.");
    let _ = writeln!(out, "wavs_aggregator_targets {}", agg.targets.list().len());
    header(&mut out, "wavs_aggregator_store_file_bytes", "gauge", "Size of aggregator.redb.");
    let _ = writeln!(out, "wavs_aggregator_store_file_bytes {store_bytes}");
    header(&mut out, "wavs_aggregator_store_healthy", "gauge", "1 while the store accepts writes.");
    let _ = writeln!(out, "wavs_aggregator_store_healthy {}", u8::from(store_ok));
    let c = &agg.counters;
    let counters: [(&str, &AtomicU64, &str); 10] = [
        ("received", &c.received, "Signed envelopes received."),
        ("rejected_signatures", &c.rejected_signatures, "Submissions refused (bad signature, not an operator, invalid)."),
        ("refused_targets", &c.refused_targets, "Submissions refused because their target is not served here."),
        ("over_capacity", &c.over_capacity, "Submissions refused because their target was at its caps."),
        ("landed", &c.landed, "Envelopes landed on chain."),
        ("failed", &c.failed, "Envelopes whose submission failed for good."),
        ("expired", &c.expired, "Envelopes that expired before landing."),
        ("stale_signatures", &c.stale_signatures, "Signatures dropped because their signer was no longer an operator."),
        ("batches", &c.batches, "Transactions sent."),
        ("store_errors", &c.store_errors, "Writes to the durable store that failed (and were retried)."),
    ];
    for (name, counter, help) in counters {
        let name = format!("wavs_aggregator_{name}_total");
        header(&mut out, &name, "counter", help);
        let _ = writeln!(out, "{name} {}", counter.load(Ordering::Relaxed));
    }
    header(&mut out, "wavs_aggregator_adapter_loaded", "gauge", "1 while an adapter for the chain's family is loaded.");
    for (name, chain) in &agg.chains {
        let _ = writeln!(out, "wavs_aggregator_adapter_loaded{{chain=\"{}\"}} {}", label(name), u8::from(chain.has_adapter()));
    }
    header(&mut out, "wavs_aggregator_adapter_restarts_total", "counter", "Adapter instance restarts after traps or timeouts, per chain.");
    for (name, chain) in &agg.chains {
        let _ = writeln!(out, "wavs_aggregator_adapter_restarts_total{{chain=\"{}\"}} {}", label(name), chain.restarts() + agg.readers.restarts(name));
    }
    out
}

fn target_labels(t: &crate::targets::Target) -> String {
    format!("chain=\"{}\",manager=\"{}\",handler=\"{}\"", label(&t.chain), label(&t.manager), label(&t.handler))
}

/// `GET /metrics`.
pub async fn metrics(State(agg): State<Arc<Aggregator>>) -> impl IntoResponse {
    ([(header::CONTENT_TYPE, CONTENT_TYPE)], render(&agg))
}
