//! `GET /metrics`: the node in the Prometheus text format (0.0.4, `wavs_types::prometheus`).
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
use std::fmt::Write;
use std::sync::Arc;
use wavs_types::ChainState;
use wavs_types::prometheus::{CONTENT_TYPE, header, label};

/// The whole exposition.
pub fn render(api: &ApiState) -> Result<String> {
    let mut out = String::new();
    header(&mut out, "wavs_executions_total", "counter", "Executions since start, by outcome (`ok` or the error kind).");
    for (kind, n) in api.outcomes.snapshot() {
        let _ = writeln!(out, "wavs_executions_total{{outcome=\"{}\"}} {n}", label(&kind));
    }
    api.metrics.write_text(&mut out);

    let chains = super::health::chains(api);
    header(&mut out, "wavs_trigger_lag_blocks", "gauge", "Blocks from the trigger cursor to the chain head not read yet.");
    for (name, chain) in &chains {
        if let Some(lag) = chain.lag {
            let _ = writeln!(out, "wavs_trigger_lag_blocks{{chain=\"{}\"}} {lag}", label(name));
        }
    }
    header(&mut out, "wavs_chain_head", "gauge", "Last head height seen per chain.");
    for (name, chain) in &chains {
        if let Some(head) = chain.head {
            let _ = writeln!(out, "wavs_chain_head{{chain=\"{}\"}} {head}", label(name));
        }
    }
    header(&mut out, "wavs_chain_up", "gauge", "1 while the chain's last round of reading worked.");
    for (name, chain) in &chains {
        let up = u8::from(chain.state == ChainState::Active);
        let _ = writeln!(out, "wavs_chain_up{{chain=\"{}\"}} {up}", label(name));
    }
    header(&mut out, "wavs_adapter_loaded", "gauge", "1 while an adapter for the chain's family is loaded.");
    for (name, chain) in &chains {
        let loaded = u8::from(chain.adapter_loaded);
        let _ = writeln!(out, "wavs_adapter_loaded{{chain=\"{}\"}} {loaded}", label(name));
    }
    header(&mut out, "wavs_adapter_restarts_total", "counter", "Adapter instance restarts after traps or timeouts, per chain.");
    for (name, chain) in &chains {
        let restarts = chain.adapter_restarts;
        let _ = writeln!(out, "wavs_adapter_restarts_total{{chain=\"{}\"}} {restarts}", label(name));
    }

    header(&mut out, "wavs_guest_log_lines_dropped_total", "counter", "Log lines of components and adapters dropped past their per-call log budget (limits log-lines, log-bytes), since start.");
    let _ = writeln!(out, "wavs_guest_log_lines_dropped_total {}", wavs_runtime::log_lines_dropped());

    header(&mut out, "wavs_services", "gauge", "Deployed services.");
    let _ = writeln!(out, "wavs_services {}", api.services.list().len());
    let (stored, stored_bytes) = api.store.component_totals();
    header(&mut out, "wavs_components_stored", "gauge", "Uploaded components kept in the data dir.");
    let _ = writeln!(out, "wavs_components_stored {stored}");
    header(&mut out, "wavs_components_stored_bytes", "gauge", "Bytes of the uploaded components kept (capped by [storage] max-total-component-bytes).");
    let _ = writeln!(out, "wavs_components_stored_bytes {stored_bytes}");
    header(&mut out, "wavs_components_removed_total", "counter", "Components removed since start after their grace period unused.");
    let _ = writeln!(out, "wavs_components_removed_total {}", api.components.removed());
    header(&mut out, "wavs_jobs_pending", "gauge", "Triggers stored and not run to the end yet (including those waiting for a retry).");
    let _ = writeln!(out, "wavs_jobs_pending {}", api.store.pending_job_count()?);
    header(&mut out, "wavs_outbox_unsent", "gauge", "Signed envelopes the aggregator has not acknowledged yet.");
    let _ = writeln!(out, "wavs_outbox_unsent {}", api.store.unsent_count()?);

    Ok(out)
}

/// Metrics in the Prometheus text format (0.0.4).
#[utoipa::path(get, path = "/metrics", tag = "status", operation_id = "metrics",
    responses(
        (status = 200, description = "The exposition.", content_type = "text/plain", body = String),
        (status = 503, description = "The store could not be read; retry.", body = wavs_types::ApiError)))]
pub(super) async fn metrics(State(api): State<Arc<ApiState>>) -> Result<impl IntoResponse> {
    Ok(([(header::CONTENT_TYPE, CONTENT_TYPE)], render(&api)?))
}
