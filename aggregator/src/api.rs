//! The aggregator's HTTP API. Operators post signed envelopes for targets this
//! aggregator serves; anyone reads statuses, health and metrics; registering and
//! removing targets needs the API token (see `crate::auth`).
//!
//! - `POST /envelopes`: a `SignedSubmission`; answers its `EnvelopeStatus`.
//! - `POST /envelopes/batch`: a JSON array of up to 1,000 `SignedSubmission`s; answers
//!   200 with one `SubmissionResult` per item, in order: `{"status": EnvelopeStatus}`,
//!   or `{"error": {"code", "error", "retryable"}}` with what `POST /envelopes` would
//!   have answered for that item alone. Counted items are committed together.
//! - `GET /envelopes/{event-id}[?chain=&manager=&handler=]`: the status of an event id,
//!   for one target if the query names it.
//! - `GET /targets`; `POST /targets` and `DELETE /targets` with `{"chain", "manager",
//!   "handler"}` and `Authorization: Bearer <api-token>`.
//! - `GET /health` (503 while the store cannot write), `GET /metrics`.

mod batch;
mod envelopes;
mod health;
mod targets;

use crate::Aggregator;
use crate::error::AggregatorError;
use axum::Router;
use axum::routing::{get, post};
use std::sync::Arc;

/// The API's routes.
pub fn router(aggregator: Arc<Aggregator>) -> Router {
    Router::new()
        .route("/envelopes", post(envelopes::submit))
        .route("/envelopes/batch", post(batch::submit_batch))
        .route("/envelopes/{event_id}", get(envelopes::status))
        .route("/targets", get(targets::list).post(targets::register).delete(targets::unregister))
        .route("/health", get(health::health))
        .route("/metrics", get(crate::metrics::metrics))
        .fallback(|| async {
            AggregatorError::NotFound(
                "no such endpoint: the API is POST /envelopes, POST /envelopes/batch, GET /envelopes/{event-id}, GET|POST|DELETE /targets, GET /health, GET /metrics"
                    .into(),
            )
        })
        .method_not_allowed_fallback(wavs_types::http::method_not_allowed)
        .layer(axum::middleware::map_response(wavs_types::http::json_errors))
        .with_state(aggregator)
}
