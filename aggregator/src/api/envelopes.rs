//! `POST /envelopes` and `GET /envelopes/{event-id}`.

use crate::error::{AggregatorError, Result};
use crate::queue::{Key, Refusal};
use crate::quorum::Quorum;
use crate::targets::Target;
use crate::{Aggregator, Counters};
use axum::Json;
use axum::extract::{Path, Query, State};
use serde::Deserialize;
use std::sync::Arc;
use wavs_runtime::recover_public_key;
use wavs_types::{EnvelopeStatus, SignedSubmission};

pub(super) async fn submit(State(agg): State<Arc<Aggregator>>, body: String) -> Result<Json<EnvelopeStatus>> {
    Counters::bump(&agg.counters.received, 1);
    let submission: SignedSubmission =
        serde_json::from_str(&body).map_err(|e| AggregatorError::Invalid(format!("invalid submission: {e}")))?;
    let outcome = agg.accept(&submission).await;
    match &outcome {
        Err(AggregatorError::Forbidden(_) | AggregatorError::Invalid(_)) => Counters::bump(&agg.counters.rejected_signatures, 1),
        Err(AggregatorError::UnknownTarget(_)) => Counters::bump(&agg.counters.refused_targets, 1),
        Err(AggregatorError::Busy(_)) => Counters::bump(&agg.counters.over_capacity, 1),
        _ => {}
    }
    if let Err(e) = &outcome {
        tracing::warn!(service = %submission.service_id, "submission refused: {e}");
    }
    outcome.map(Json)
}

impl Aggregator {
    /// Verifies a signed envelope for a served target and counts its signature.
    pub async fn accept(&self, s: &SignedSubmission) -> Result<EnvelopeStatus> {
        s.envelope.validate().map_err(AggregatorError::Invalid)?;
        if let Some(fault) = self.queue.lock().store().fault() {
            return Err(AggregatorError::StoreUnavailable(fault.to_string()));
        }
        // Refused here, before any RPC or WASM call, unless the target is known.
        let (target, chain) = self.serve(&s.chain, &s.manager, &s.handler).await?;
        // A finished event id is answered with its final status, never counted again.
        if let Some(status) = self.queue.lock().finished_status(&target, &s.envelope.event_id) {
            return Ok(status);
        }
        // The digest comes from the adapter, bound to the target's handler, never from
        // the operator.
        let digest = chain.envelope_digest(&target.handler, &(&s.envelope).into()).await?;
        let key = Key { target, event_id: s.envelope.event_id.clone(), digest };
        if let Some(status) = self.queue.lock().status_of(&key)
            && status.state.is_final()
        {
            return Ok(status);
        }
        let public_key = recover_public_key(&key.digest, &s.signature)
            .map_err(|e| AggregatorError::Invalid(format!("signature does not recover: {e}")))?;
        let operator = chain.operator_id(&public_key).await?;
        let target = &key.target;
        // The weights and the threshold come from the target's manager on chain only.
        let set = self.operator_sets.get(&target.chain, &chain, &target.manager).await?;
        let quorum = Quorum::from_set(&set);
        if quorum.weight(&operator) == 0 {
            // A signature over other bytes recovers to an unrelated key, so a replayed or
            // forged signature ends up here too.
            return Err(AggregatorError::Forbidden(format!(
                "signer {operator} is not an operator of manager {} on chain {}: sign the chain's digest of this exact envelope for handler {} with an operator key",
                target.manager, target.chain, target.handler
            )));
        }
        let caps = self.config.limits.caps();
        let (event_id, manager) = (wavs_types::hex_bytes::encode(&key.event_id), target.manager.clone());
        // Committed to the store before the answer: an acknowledged signature survives a crash.
        let added = self.queue.lock().update(|q| q.add(key, &s.envelope, operator.clone(), s.signature.clone(), &quorum, &caps, crate::now_ms()))?;
        match added {
            Ok(status) => {
                tracing::info!(%event_id, %operator, detail = %status.detail, "signature counted");
                Ok(status)
            }
            Err(Refusal::Full(why)) => Err(AggregatorError::Busy(why)),
            Err(Refusal::Overflow(why)) => Err(AggregatorError::Invalid(format!("{why} (weights of manager {manager})"))),
        }
    }
}

/// Narrows `GET /envelopes/{event-id}` to one target.
#[derive(Debug, Default, Deserialize)]
pub(super) struct TargetFilter {
    chain: Option<String>,
    manager: Option<String>,
    handler: Option<String>,
}

impl TargetFilter {
    fn admits(&self, target: &Target) -> bool {
        let same = |want: &Option<String>, have: &str, canonical: fn(&str) -> String| want.as_deref().is_none_or(|w| canonical(w) == have);
        same(&self.chain, &target.chain, |c| c.trim().to_string())
            && same(&self.manager, &target.manager, crate::targets::canonical_address)
            && same(&self.handler, &target.handler, crate::targets::canonical_address)
    }
}

pub(super) async fn status(
    State(agg): State<Arc<Aggregator>>,
    Path(event_id): Path<String>,
    Query(filter): Query<TargetFilter>,
) -> Result<Json<EnvelopeStatus>> {
    let id = wavs_types::hex_bytes::decode(&event_id).map_err(AggregatorError::Invalid)?;
    // `?chain=` may name the chain by `family:chain-id`; targets are kept by local name.
    let chain = filter.chain.as_deref().map(|c| agg.config.chain_name(c.trim()).unwrap_or(c).to_string());
    let filter = TargetFilter { chain, ..filter };
    let status = agg.queue.lock().status(&id, |t| filter.admits(t));
    status.map(Json).ok_or_else(|| AggregatorError::NotFound(format!("no envelope with event id {event_id}")))
}
