//! `GET /metrics`: the node in the Prometheus text format (0.0.4, `wavs_types::prometheus`).
//!
//! Executions by outcome come from the node's counts; fuel and time histograms are fed
//! by the dispatcher through [`observe_execution`]; chain lag and adapter restarts come
//! from the chain status; jobs, outbox and envelopes are read from the store at scrape
//! time.

use crate::error::Result;
use crate::executions::{ExecutionRecord, Outcome};
use crate::store::OutboxState;
use crate::node::Node;
use axum::extract::State;
use axum::http::header;
use axum::response::IntoResponse;
use parking_lot::Mutex;
use std::fmt::Write;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use wavs_types::prometheus::{CONTENT_TYPE, header, label};

/// A histogram with fixed upper bounds.
pub struct Histogram {
    bounds: &'static [f64],
    buckets: Vec<AtomicU64>,
    sum: Mutex<f64>,
    count: AtomicU64,
}

impl Histogram {
    /// An empty histogram over `bounds` (ascending; `+Inf` is implied).
    pub fn new(bounds: &'static [f64]) -> Self {
        Histogram { bounds, buckets: bounds.iter().map(|_| AtomicU64::new(0)).collect(), sum: Mutex::new(0.0), count: AtomicU64::new(0) }
    }

    /// Counts one value.
    pub fn observe(&self, value: f64) {
        if let Some(i) = self.bounds.iter().position(|b| value <= *b) {
            self.buckets[i].fetch_add(1, Ordering::Relaxed);
        }
        *self.sum.lock() += value;
        self.count.fetch_add(1, Ordering::Relaxed);
    }

    /// Writes `name_bucket` (cumulative), `name_sum` and `name_count`.
    pub fn render(&self, out: &mut String, name: &str, help: &str) {
        header(out, name, "histogram", help);
        let mut cumulative = 0;
        for (bound, bucket) in self.bounds.iter().zip(&self.buckets) {
            cumulative += bucket.load(Ordering::Relaxed);
            let _ = writeln!(out, "{name}_bucket{{le=\"{bound}\"}} {cumulative}");
        }
        let count = self.count.load(Ordering::Relaxed);
        let _ = writeln!(out, "{name}_bucket{{le=\"+Inf\"}} {count}");
        let _ = writeln!(out, "{name}_sum {}", *self.sum.lock());
        let _ = writeln!(out, "{name}_count {count}");
    }
}

/// What the node counts as it works, since it started: fuel and time of executions,
/// and what became of each send of a signed envelope.
pub struct NodeMetrics {
    fuel: Histogram,
    seconds: Histogram,
    acked: AtomicU64,
    failed: AtomicU64,
    send_errors: AtomicU64,
}

impl Default for NodeMetrics {
    fn default() -> Self {
        const FUEL: &[f64] = &[1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10];
        const SECONDS: &[f64] = &[0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1.0, 5.0, 10.0, 30.0, 60.0];
        NodeMetrics {
            fuel: Histogram::new(FUEL),
            seconds: Histogram::new(SECONDS),
            acked: AtomicU64::new(0),
            failed: AtomicU64::new(0),
            send_errors: AtomicU64::new(0),
        }
    }
}

impl NodeMetrics {
    /// Counts a recorded execution in the fuel and time histograms (those that ran to
    /// the end; a failed run records no fuel).
    pub(crate) fn observe_execution(&self, record: &ExecutionRecord) {
        if matches!(record.outcome, Outcome::Ok) {
            self.fuel.observe(record.fuel_used as f64);
            self.seconds.observe(record.elapsed_ms as f64 / 1000.0);
        }
    }

    /// Counts one send of a signed envelope by its outcome.
    pub(crate) fn observe_send(&self, state: &OutboxState) {
        let counter = match state {
            OutboxState::Acked { .. } => &self.acked,
            OutboxState::Failed { .. } => &self.failed,
            OutboxState::Pending { .. } => &self.send_errors,
        };
        counter.fetch_add(1, Ordering::Relaxed);
    }
}

/// The whole exposition.
pub fn render(node: &Arc<Node>) -> Result<String> {
    let mut out = String::new();
    header(&mut out, "wavs_executions_total", "counter", "Executions since start, by outcome (`ok` or the error kind).");
    for (kind, n) in node.outcomes.snapshot() {
        let _ = writeln!(out, "wavs_executions_total{{outcome=\"{}\"}} {n}", label(&kind));
    }
    let metrics = &node.metrics;
    metrics.fuel.render(&mut out, "wavs_execution_fuel", "Fuel burnt by executions that succeeded, since start.");
    metrics.seconds.render(&mut out, "wavs_execution_duration_seconds", "Time of executions that succeeded, since start.");

    let chains = super::health::chains(node);
    header(&mut out, "wavs_trigger_lag_blocks", "gauge", "Blocks from the trigger cursor to the chain head not read yet.");
    for (name, chain) in &chains {
        if let Some(lag) = chain["lag"].as_u64() {
            let _ = writeln!(out, "wavs_trigger_lag_blocks{{chain=\"{}\"}} {lag}", label(name));
        }
    }
    header(&mut out, "wavs_chain_head", "gauge", "Last head height seen per chain.");
    for (name, chain) in &chains {
        if let Some(head) = chain["head"].as_u64() {
            let _ = writeln!(out, "wavs_chain_head{{chain=\"{}\"}} {head}", label(name));
        }
    }
    header(&mut out, "wavs_chain_up", "gauge", "1 while the chain's last round of reading worked.");
    for (name, chain) in &chains {
        let up = u8::from(chain["state"] == "active");
        let _ = writeln!(out, "wavs_chain_up{{chain=\"{}\"}} {up}", label(name));
    }
    header(&mut out, "wavs_adapter_loaded", "gauge", "1 while an adapter for the chain's family is loaded.");
    for (name, chain) in &chains {
        let loaded = u8::from(chain["adapter-loaded"] == true);
        let _ = writeln!(out, "wavs_adapter_loaded{{chain=\"{}\"}} {loaded}", label(name));
    }
    header(&mut out, "wavs_adapter_restarts_total", "counter", "Adapter instance restarts after traps or timeouts, per chain.");
    for (name, chain) in &chains {
        let restarts = chain["adapter-restarts"].as_u64().unwrap_or(0);
        let _ = writeln!(out, "wavs_adapter_restarts_total{{chain=\"{}\"}} {restarts}", label(name));
    }

    header(&mut out, "wavs_guest_log_lines_dropped_total", "counter", "Log lines of components and adapters dropped past their per-call log budget (limits log-lines, log-bytes), since start.");
    let _ = writeln!(out, "wavs_guest_log_lines_dropped_total {}", wavs_runtime::log_lines_dropped());

    header(&mut out, "wavs_services", "gauge", "Deployed services.");
    let _ = writeln!(out, "wavs_services {}", node.services().len());
    let (stored, stored_bytes) = node.store.component_totals();
    header(&mut out, "wavs_components_stored", "gauge", "Uploaded components kept in the data dir.");
    let _ = writeln!(out, "wavs_components_stored {stored}");
    header(&mut out, "wavs_components_stored_bytes", "gauge", "Bytes of the uploaded components kept (capped by [storage] max-total-component-bytes).");
    let _ = writeln!(out, "wavs_components_stored_bytes {stored_bytes}");
    header(&mut out, "wavs_components_removed_total", "counter", "Components removed since start after their grace period unused.");
    let _ = writeln!(out, "wavs_components_removed_total {}", node.components.removed());
    header(&mut out, "wavs_jobs_pending", "gauge", "Triggers stored and not run to the end yet (including those waiting for a retry).");
    let _ = writeln!(out, "wavs_jobs_pending {}", node.store.pending_job_count()?);
    header(&mut out, "wavs_outbox_unsent", "gauge", "Signed envelopes the aggregator has not acknowledged yet.");
    let _ = writeln!(out, "wavs_outbox_unsent {}", node.store.unsent_count()?);

    header(&mut out, "wavs_envelope_sends_total", "counter", "Sends of signed envelopes to the aggregator since start, by outcome: acked, failed for good, or error (sent again later).");
    for (outcome, counter) in [("acked", &metrics.acked), ("failed", &metrics.failed), ("error", &metrics.send_errors)] {
        let _ = writeln!(out, "wavs_envelope_sends_total{{outcome=\"{outcome}\"}} {}", counter.load(Ordering::Relaxed));
    }
    Ok(out)
}

pub(super) async fn metrics(State(node): State<Arc<Node>>) -> Result<impl IntoResponse> {
    Ok(([(header::CONTENT_TYPE, CONTENT_TYPE)], render(&node)?))
}
