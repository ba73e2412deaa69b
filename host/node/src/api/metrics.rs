//! `GET /metrics`: the node in the Prometheus text format (0.0.4), written by the
//! `prometheus` crate through `wavs_types::prometheus::Exposition`.
//!
//! Executions by outcome come from the node's counts; fuel and time histograms and
//! sends from [`crate::metrics::NodeMetrics`] (fed by the executor and the sender); chain
//! lag and adapter restarts from the chain status; jobs, outbox and envelopes are read
//! from the store at scrape time.

use crate::error::Result;
use super::ApiState;
use axum::extract::State;
use axum::http::header;
use axum::response::IntoResponse;
use std::sync::Arc;
use wavs_types::ChainState;
use wavs_types::prometheus::{CONTENT_TYPE, Exposition};

/// The whole exposition.
pub fn render(api: &ApiState) -> Result<String> {
    let mut out = Exposition::default();
    let outcomes = api.outcomes.snapshot();
    out.counters("wavs_executions_total", "Executions since start, by outcome (`ok` or the error kind).", ["outcome"], outcomes.iter().map(|(kind, n)| ([kind.as_str()], *n)));
    out.extend(api.metrics.families());

    let chains = super::health::chains(api);
    let per_chain = |value: fn(&wavs_types::health::ChainHealth) -> Option<u64>| chains.iter().filter_map(move |(name, chain)| Some(([name.as_str()], value(chain)?)));
    out.gauges("wavs_trigger_lag_blocks", "Blocks from the trigger cursor to the chain head not read yet.", ["chain"], per_chain(|c| c.lag));
    out.gauges("wavs_chain_head", "Last head height seen per chain.", ["chain"], per_chain(|c| c.head));
    out.gauges("wavs_chain_up", "1 while the chain's last round of reading worked.", ["chain"], per_chain(|c| Some(u64::from(c.state == ChainState::Active))));
    out.gauges("wavs_adapter_loaded", "1 while an adapter for the chain's family is loaded.", ["chain"], per_chain(|c| Some(u64::from(c.adapter_loaded))));
    out.counters("wavs_adapter_restarts_total", "Adapter instance restarts after traps or timeouts, per chain.", ["chain"], per_chain(|c| Some(c.adapter_restarts)));

    out.counter(
        "wavs_guest_log_lines_dropped_total",
        "Log lines of components and adapters dropped past their per-call log budget (limits log-lines, log-bytes), since start.",
        wavs_runtime::log_lines_dropped(),
    );
    out.gauge("wavs_services", "Deployed services.", api.services.list().len() as u64);
    let (stored, stored_bytes) = api.store.component_totals();
    out.gauge("wavs_components_stored", "Uploaded components kept in the data dir.", stored as u64);
    out.gauge("wavs_components_stored_bytes", "Bytes of the uploaded components kept (capped by [storage] max-total-component-bytes).", stored_bytes);
    out.counter("wavs_components_removed_total", "Components removed since start after their grace period unused.", api.components.removed());
    out.gauge("wavs_jobs_pending", "Triggers stored and not run to the end yet (including those waiting for a retry).", api.store.pending_job_count()?);
    out.gauge("wavs_outbox_unsent", "Signed envelopes the aggregator has not acknowledged yet.", api.store.unsent_count()?);
    Ok(out.encode())
}

/// Metrics in the Prometheus text format (0.0.4).
#[utoipa::path(get, path = "/metrics", tag = "status", operation_id = "metrics",
    responses(
        (status = 200, description = "The exposition.", content_type = "text/plain", body = String),
        (status = 503, description = "The store could not be read; retry.", body = wavs_types::ApiError)))]
pub(super) async fn metrics(State(api): State<Arc<ApiState>>) -> Result<impl IntoResponse> {
    Ok(([(header::CONTENT_TYPE, CONTENT_TYPE)], render(&api)?))
}
