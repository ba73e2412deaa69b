//! The aggregator's HTTP API. Operators post signed envelopes for targets this
//! aggregator serves; anyone reads statuses, health and metrics; registering and
//! removing targets, and adding chains, need the API token (see `crate::auth`).
//!
//! - `POST /envelopes`: a `SignedSubmission`; answers its `EnvelopeStatus`.
//! - `POST /envelopes/batch`: a JSON array of up to 1,000 `SignedSubmission`s; answers
//!   200 with one `SubmissionResult` per item, in order: `{"status": EnvelopeStatus}`,
//!   or `{"error": {"code", "error", "retryable"}}` with what `POST /envelopes` would
//!   have answered for that item alone. Counted items are committed together.
//! - `GET /envelopes/{event-id}[?chain=&manager=&handler=]`: the status of an event id,
//!   for one target if the query names it.
//! - `GET /events/{event-id}`: every result (digest) signed for an event id and who
//!   signed which, so operators that disagree show up as competing digests.
//! - `GET /targets`; `POST /targets` and `DELETE /targets` with `{"chain", "manager",
//!   "handler"}` and `Authorization: Bearer <api-token>`.
//! - `POST /chains` with a chain as the node's `POST /chains` takes it (plus
//!   `accept-verified-targets`) and the API token: submitted to from now on, kept across
//!   restarts. A submission naming a chain not served yet is refused as retryable (503).
//! - `GET /health` (503 while the store cannot write; `competing` counts events whose
//!   operators signed different results), `GET /metrics`.
//! - `GET /openapi.json`: all of this, derived from the handlers and their types.

mod batch;
mod chains;
mod envelopes;
mod events;
mod health;
pub mod openapi;
mod targets;

use crate::Aggregator;
use crate::error::AggregatorError;
use axum::Router;
use std::sync::Arc;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// Every operation: its handler and, from the handler's `#[utoipa::path]`, its entry in
/// the OpenAPI document ([`openapi::document`]), so that the two cannot differ.
pub(crate) fn routes() -> OpenApiRouter<Arc<Aggregator>> {
    OpenApiRouter::new()
        .routes(routes!(envelopes::submit))
        .routes(routes!(batch::submit_batch))
        .routes(routes!(envelopes::status))
        .routes(routes!(events::results))
        .routes(routes!(targets::list, targets::register, targets::unregister))
        .routes(routes!(chains::add))
        .routes(routes!(health::health))
        .routes(routes!(crate::metrics::metrics))
        .routes(routes!(openapi::openapi))
}

/// The API's routes.
pub fn router(aggregator: Arc<Aggregator>) -> Router {
    let (router, _) = routes().split_for_parts();
    router
        .fallback(|| async {
            AggregatorError::NotFound(
                "no such endpoint: the API is POST /envelopes, POST /envelopes/batch, GET /envelopes/{event-id}, \
                 GET|POST|DELETE /targets, POST /chains, GET /health, GET /metrics (GET /openapi.json describes it)"
                    .into(),
            )
        })
        .method_not_allowed_fallback(wavs_types::http::method_not_allowed)
        .layer(axum::middleware::map_response(wavs_types::http::json_errors))
        .with_state(aggregator)
}
