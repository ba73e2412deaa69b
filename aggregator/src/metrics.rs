//! `GET /metrics`: the aggregator in the Prometheus text format (`wavs_types::prometheus`):
//! queue depth, the `/health` counters, and adapter state per chain.

use crate::Aggregator;
use axum::extract::State;
use axum::http::header;
use axum::response::IntoResponse;
use std::fmt::Write;
use wavs_types::prometheus::{CONTENT_TYPE, header, label};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

/// The whole exposition.
pub fn render(agg: &Aggregator) -> String {
    let mut out = String::new();
    header(&mut out, "wavs_aggregator_queue_depth", "gauge", "Envelopes waiting: collecting signatures, queued or backing off.");
    let depth = agg.queue.lock().depth();
    let _ = writeln!(out, "wavs_aggregator_queue_depth {depth}");
    let c = &agg.counters;
    let counters: [(&str, &AtomicU64, &str); 6] = [
        ("received", &c.received, "Signed envelopes received."),
        ("rejected_signatures", &c.rejected_signatures, "Submissions refused (bad signature, not an operator, invalid)."),
        ("landed", &c.landed, "Envelopes landed on chain."),
        ("failed", &c.failed, "Envelopes whose submission failed for good."),
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
        let _ = writeln!(out, "wavs_aggregator_adapter_restarts_total{{chain=\"{}\"}} {}", label(name), chain.restarts());
    }
    out
}

/// `GET /metrics`.
pub async fn metrics(State(agg): State<Arc<Aggregator>>) -> impl IntoResponse {
    ([(header::CONTENT_TYPE, CONTENT_TYPE)], render(&agg))
}
