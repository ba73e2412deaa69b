//! `GET /events/{event-id}`: every result operators signed for one event id and who
//! signed which, so a builder whose operators disagree sees competing digests instead of
//! a result that never lands.

use crate::Aggregator;
use crate::error::{AggregatorError, Result};
use axum::Json;
use axum::extract::{Path, State};
use std::sync::Arc;
use wavs_types::ApiError;
use wavs_types::aggregator_events::EventResults;

/// Each result (digest) signed for the event id, per target, with its state and its
/// signers and their weights, the most signed first. More than one result for a target
/// means its operators computed different bytes.
#[utoipa::path(get, path = "/events/{event_id}", tag = "envelopes", operation_id = "eventResults",
    params(("event_id" = String, Path, description = "The event id, hex (`0x` optional).")),
    responses(
        (status = 200, description = "The results signed for it.", body = EventResults),
        (status = 400, description = "Not a hex event id.", body = ApiError),
        (status = 404, description = "No envelope with that event id.", body = ApiError)))]
pub(super) async fn results(State(agg): State<Arc<Aggregator>>, Path(event_id): Path<String>) -> Result<Json<EventResults>> {
    let id = wavs_types::hex_bytes::decode(&event_id).map_err(AggregatorError::Invalid)?;
    let results = agg.queue.lock().event_results(&id);
    results.map(Json).ok_or_else(|| AggregatorError::NotFound(format!("no envelope with event id {event_id}")))
}
