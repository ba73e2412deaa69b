//! `POST /envelopes` and `GET /envelopes/{event-id}`.

use crate::error::{AggregatorError, Result};
use crate::queue::{Key, Refusal};
use crate::targets::Target;
use crate::{Aggregator, Counters};
use axum::Json;
use axum::extract::{Path, Query, State};
use serde::Deserialize;
use std::sync::Arc;
use crate::queue::Signed;
use wavs_runtime::bindings::adapter_api::Signature;
use wavs_runtime::{AdapterErrorKind, RuntimeError};
use wavs_types::{ApiError, EnvelopeState, EnvelopeStatus, SignedSubmission};

/// Count an operator's signature of an envelope for a target this aggregator serves;
/// answers once the signature is on disk.
///
/// The signature must verify (through the target chain's adapter, over the digest bound
/// to that chain and handler) as an operator of the target's manager.
#[utoipa::path(post, path = "/envelopes", tag = "envelopes", operation_id = "submitEnvelope",
    request_body = SignedSubmission,
    responses(
        (status = 200, description = "Counted (or its event id is final already): where it stands.", body = EnvelopeStatus),
        (status = 400, description = "Not a signed submission.", body = ApiError),
        (status = 403, description = "Not an operator's signature, or a target not served here.", body = ApiError),
        (status = 429, description = "The target is at its caps of open envelopes; retryable.", body = ApiError),
        (status = 503, description = "The chain or the store could not be used; retryable.", body = ApiError)))]
pub(super) async fn submit(State(agg): State<Arc<Aggregator>>, body: String) -> Result<Json<EnvelopeStatus>> {
    let submission: SignedSubmission = match serde_json::from_str(&body) {
        Ok(submission) => submission,
        Err(e) => {
            Counters::bump(&agg.counters.received, 1);
            return Err(AggregatorError::Invalid(format!("invalid submission: {e}")));
        }
    };
    agg.receive(&submission).await.map(Json)
}

/// A signature verified and staged in the queue, not yet committed.
pub(crate) struct Staged {
    status: EnvelopeStatus,
    /// Whether anything was staged (a final status changes nothing).
    counted: Option<(String, String)>,
    /// The chain (local name), the manager and the operator the signature proved there,
    /// once verified.
    pub(crate) signer: Option<(String, String, String)>,
}

impl Staged {
    fn answered(status: EnvelopeStatus) -> Staged {
        Staged { status, counted: None, signer: None }
    }

    /// Whether it waits for a commit before it may be acknowledged.
    pub(crate) fn needs_commit(&self) -> bool {
        self.counted.is_some()
    }

    /// The status to answer, once the commit (if it needed one) is durable.
    pub(crate) fn acknowledge(self) -> EnvelopeStatus {
        // One line per envelope at info (when it reaches its quorum), not per signature:
        // at thousands of signatures a second each line is a write to the log.
        match (&self.counted, &self.status.state) {
            (Some((event_id, operator)), EnvelopeState::Queued) => {
                tracing::info!(%event_id, %operator, detail = %self.status.detail, "signature counted: quorum reached")
            }
            (Some((event_id, operator)), _) => tracing::debug!(%event_id, %operator, detail = %self.status.detail, "signature counted"),
            (None, _) => {}
        }
        self.status
    }
}

impl Aggregator {
    /// Verifies a signed envelope for a served target and counts its signature; answers
    /// once that is on disk.
    pub async fn accept(&self, s: &SignedSubmission) -> Result<EnvelopeStatus> {
        let staged = self.stage_signature(s).await?;
        if staged.needs_commit() {
            self.committer.commit().await?;
        }
        Ok(staged.acknowledge())
    }

    /// Counts a signed envelope from anyone (an HTTP poster, a gossip peer) as `POST
    /// /envelopes` does: same checks, same refusals, same counters.
    pub async fn receive(&self, s: &SignedSubmission) -> Result<EnvelopeStatus> {
        Counters::bump(&self.counters.received, 1);
        let outcome = self.accept(s).await;
        self.count_outcome(s, &outcome);
        outcome
    }

    /// Whether it knows which operator it submits as for `manager` on `chain` (its name
    /// or `family:chain-id`); always true when it does not take turns.
    pub fn knows_own(&self, chain: &str, manager: &str) -> bool {
        let Some(turns) = &self.turns else { return true };
        turns.knows(&self.chains.name(chain).unwrap_or_else(|| chain.to_string()), manager)
    }

    /// Counts this node's own signature as [`Aggregator::accept`] does, and learns from
    /// it which operator this node is on its chain, for taking turns.
    pub async fn accept_own(&self, s: &SignedSubmission) -> Result<EnvelopeStatus> {
        let staged = self.stage_signature(s).await?;
        if let (Some(turns), Some((chain, manager, operator))) = (&self.turns, &staged.signer) {
            turns.note_own(chain, manager, operator);
        }
        if staged.needs_commit() {
            self.committer.commit().await?;
        }
        Ok(staged.acknowledge())
    }

    /// Counts what a submission's outcome says in the counters, and logs a refusal.
    pub(crate) fn count_outcome(&self, submission: &SignedSubmission, outcome: &Result<EnvelopeStatus>) {
        match outcome {
            Err(AggregatorError::Forbidden(_) | AggregatorError::Invalid(_)) => Counters::bump(&self.counters.rejected_signatures, 1),
            Err(AggregatorError::UnknownTarget(_) | AggregatorError::ChainNotConfigured(_)) => Counters::bump(&self.counters.refused_targets, 1),
            Err(AggregatorError::Busy(_)) => Counters::bump(&self.counters.over_capacity, 1),
            _ => {}
        }
        if let Err(e) = outcome {
            tracing::warn!(service = %submission.service_id, "submission refused: {e}");
        }
    }

    /// Verifies a signed envelope for a served target and stages its signature in the
    /// queue; the caller commits before acknowledging it.
    pub(crate) async fn stage_signature(&self, s: &SignedSubmission) -> Result<Staged> {
        s.envelope.validate().map_err(AggregatorError::Invalid)?;
        if let Some(fault) = self.queue.lock().fault() {
            return Err(AggregatorError::StoreUnavailable(fault.to_string()));
        }
        // Refused here, before any RPC or WASM call, unless the target is known.
        let (target, chain) = self.serve(&s.chain, &s.manager, &s.handler).await?;
        // A finished event id is answered with its final status, never counted again.
        if let Some(status) = self.queue.lock().finished_status(&target, &s.envelope.event_id) {
            return Ok(Staged::answered(status));
        }
        // The digest comes from the adapter, bound to the target's handler, never from
        // the operator.
        let digest = self.readers.digest(&target, &*chain, &s.envelope).await?;
        let key = Key { target, event_id: s.envelope.event_id.clone(), digest };
        if let Some(status) = self.queue.lock().status_of(&key)
            && status.state.is_final()
        {
            return Ok(Staged::answered(status));
        }
        // The adapter checks the signature (host-native curve arithmetic) and names the
        // operator it proves; nothing the poster says about the signer is believed.
        let signature = Signature { scheme: s.scheme.into(), public_key: s.public_key.clone(), bytes: s.signature.clone() };
        let target = &key.target;
        let operator = match chain.verify(&key.digest, &signature).await {
            Ok(operator) => operator,
            Err(RuntimeError::Adapter { kind: AdapterErrorKind::Rejected | AdapterErrorKind::InvalidConfig, message }) => {
                // Not an operator's signature of this digest: refused as one by a stranger.
                return Err(AggregatorError::Forbidden(format!("the signature does not verify: {message}")));
            }
            Err(RuntimeError::Adapter { kind: AdapterErrorKind::Unsupported, message }) => {
                return Err(AggregatorError::Invalid(format!(
                    "chain {} does not take {} signatures: {message}",
                    target.chain, s.scheme
                )));
            }
            Err(e) => return Err(e.into()),
        };
        // The weights and the threshold come from the target's manager on chain only.
        let quorum = self.operator_sets.get(&target.chain, &*chain, &target.manager).await?;
        if quorum.weight(&operator) == 0 {
            // A signature over other bytes recovers to an unrelated key, so a replayed or
            // forged signature ends up here too.
            return Err(AggregatorError::Forbidden(format!(
                "signer {operator} is not an operator of manager {} on chain {}: sign the chain's digest of this exact envelope for handler {} with an operator key",
                target.manager, target.chain, target.handler
            )));
        }
        // An operator signed this digest: the next operators' signatures skip the adapter.
        self.readers.remember_digest(target, &s.envelope, &key.digest);
        let caps = self.config.limits.caps();
        let (event_id, manager) = (wavs_types::hex_bytes::encode(&key.event_id), target.manager.clone());
        // Committed to the store before the answer (by the caller): an acknowledged
        // signature survives a crash. Staged, then written by the group committer with
        // whatever else is staged, so no one waits for the disk while holding the queue.
        let chain_name = key.target.chain.clone();
        let signed = Signed { scheme: s.scheme, public_key: s.public_key.clone(), bytes: s.signature.clone() };
        let added = self.queue.lock().stage(|q| q.add(key, &s.envelope, operator.clone(), signed, &quorum, &caps, crate::now_ms()));
        match added {
            Ok(status) => Ok(Staged { status, signer: Some((chain_name, manager.clone(), operator.clone())), counted: Some((event_id, operator)) }),
            Err(Refusal::Full(why)) => Err(AggregatorError::Busy(why)),
            Err(Refusal::Overflow(why)) => Err(AggregatorError::Invalid(format!("{why} (weights of manager {manager})"))),
        }
    }
}

/// Narrows `GET /envelopes/{event-id}` to one target.
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub(super) struct TargetFilter {
    /// Its chain: the aggregator's name for it, or `family:chain-id`.
    chain: Option<String>,
    /// Its service manager.
    manager: Option<String>,
    /// Its handler.
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

/// Where an envelope stands: collecting signatures, queued, landed (with the
/// transaction), already handled or failed (with the reason).
#[utoipa::path(get, path = "/envelopes/{event_id}", tag = "envelopes", operation_id = "envelopeStatus",
    params(("event_id" = String, Path, description = "The envelope's event id, hex (`0x` optional)."), TargetFilter),
    responses(
        (status = 200, description = "Where it stands.", body = EnvelopeStatus),
        (status = 400, description = "Not a hex event id.", body = ApiError),
        (status = 404, description = "No envelope with that event id (for that target).", body = ApiError)))]
pub(super) async fn status(
    State(agg): State<Arc<Aggregator>>,
    Path(event_id): Path<String>,
    Query(filter): Query<TargetFilter>,
) -> Result<Json<EnvelopeStatus>> {
    let id = wavs_types::hex_bytes::decode(&event_id).map_err(AggregatorError::Invalid)?;
    // `?chain=` may name the chain by `family:chain-id`; targets are kept by local name.
    let chain = filter.chain.as_deref().map(|c| agg.chains.name(c.trim()).unwrap_or_else(|| c.to_string()));
    let filter = TargetFilter { chain, ..filter };
    let status = agg.queue.lock().status(&id, |t| filter.admits(t));
    status.map(Json).ok_or_else(|| AggregatorError::NotFound(format!("no envelope with event id {event_id}")))
}
