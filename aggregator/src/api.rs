//! The aggregator's HTTP API: operators post signed envelopes; anyone reads statuses.

use crate::error::{AggregatorError, Result};
use crate::{Aggregator, Counters};
use axum::extract::{Path, State};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde_json::{Value, json};
use std::sync::Arc;
use wavs_runtime::recover_public_key;
use wavs_types::{EnvelopeStatus, SignedSubmission};

/// The API's routes.
pub fn router(aggregator: Arc<Aggregator>) -> Router {
    Router::new()
        .route("/envelopes", post(submit))
        .route("/envelopes/{event_id}", get(status))
        .route("/health", get(health))
        .route("/metrics", get(crate::metrics::metrics))
        .fallback(|| async { AggregatorError::NotFound("no such endpoint: the API is POST /envelopes, GET /envelopes/{event-id}, GET /health, GET /metrics".into()) })
        .method_not_allowed_fallback(wavs_types::http::method_not_allowed)
        .layer(axum::middleware::map_response(wavs_types::http::json_errors))
        .with_state(aggregator)
}

async fn submit(State(agg): State<Arc<Aggregator>>, body: String) -> Result<Json<EnvelopeStatus>> {
    Counters::bump(&agg.counters.received, 1);
    let submission: SignedSubmission =
        serde_json::from_str(&body).map_err(|e| AggregatorError::Invalid(format!("invalid submission: {e}")))?;
    let outcome = agg.accept(&submission).await;
    if matches!(outcome, Err(AggregatorError::Forbidden(_)) | Err(AggregatorError::Invalid(_))) {
        Counters::bump(&agg.counters.rejected_signatures, 1);
    }
    if let Err(e) = &outcome {
        tracing::warn!(service = %submission.service_id, "submission refused: {e}");
    }
    outcome.map(Json)
}

impl Aggregator {
    /// Verifies a signed envelope and counts its signature.
    pub async fn accept(&self, s: &SignedSubmission) -> Result<EnvelopeStatus> {
        s.envelope.validate().map_err(AggregatorError::Invalid)?;
        let chain = self.chains.get(&s.chain).ok_or_else(|| {
            let known: Vec<&String> = self.chains.keys().collect();
            AggregatorError::Invalid(format!("chain {:?} is not configured here (configured: {known:?})", s.chain))
        })?;
        // A finished event id is answered with its final status, never counted again.
        let known = self.queue.lock().status(&s.envelope.event_id);
        if let Some(status) = known
            && matches!(status.state, wavs_types::EnvelopeState::Landed { .. } | wavs_types::EnvelopeState::AlreadyHandled)
        {
            return Ok(status);
        }
        // The digest comes from the adapter, never from the operator.
        let digest = chain.envelope_digest(&(&s.envelope).into()).await?;
        let public_key = recover_public_key(&digest, &s.signature)
            .map_err(|e| AggregatorError::Invalid(format!("signature does not recover: {e}")))?;
        let operator = chain.operator_id(&public_key).await?;
        let set = self.operator_sets.get(&s.chain, chain, &s.manager).await?;
        let weight = set.operators.iter().find(|o| o.id == operator).map(|o| o.weight).unwrap_or(0);
        if weight == 0 {
            // A signature over other bytes recovers to an unrelated key, so a replayed or
            // forged signature ends up here too.
            return Err(AggregatorError::Forbidden(format!(
                "signer {operator} is not an operator of manager {} on chain {}: sign the chain's digest of this exact envelope with an operator key",
                s.manager, s.chain
            )));
        }
        // Committed to the store before the answer: an acknowledged signature survives a crash.
        let status = self.queue.lock().update(|q| q.add(s, digest, operator.clone(), weight, set.threshold))?;
        tracing::info!(event_id = %wavs_types::hex_bytes::encode(&s.envelope.event_id), %operator, detail = %status.detail, "signature counted");
        Ok(status)
    }
}

async fn status(State(agg): State<Arc<Aggregator>>, Path(event_id): Path<String>) -> Result<Json<EnvelopeStatus>> {
    let id = wavs_types::hex_bytes::decode(&event_id).map_err(AggregatorError::Invalid)?;
    let status = agg.queue.lock().status(&id);
    status.map(Json).ok_or_else(|| AggregatorError::NotFound(format!("no envelope with event id {event_id}")))
}

async fn health(State(agg): State<Arc<Aggregator>>) -> Json<Value> {
    let chains: serde_json::Map<String, Value> = agg
        .chains
        .iter()
        .map(|(name, c)| (name.clone(), json!({ "adapter-loaded": c.has_adapter(), "adapter-restarts": c.restarts() })))
        .collect();
    let depth = agg.queue.lock().depth();
    Json(json!({ "status": "ok", "chains": chains, "queue-depth": depth, "counters": agg.counters, "adapters": agg.registry.loaded() }))
}

