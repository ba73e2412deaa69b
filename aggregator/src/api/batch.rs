//! `POST /envelopes/batch`: many signed envelopes in one request (a node's outbox
//! holds many), answered item by item in the order posted. Each item is verified and
//! counted exactly as `POST /envelopes` would (same checks, same refusals, same
//! counters); all that were counted are committed together, so a batch costs one
//! store commit and one round trip instead of one per envelope.

use crate::error::{AggregatorError, Result};
use crate::{Aggregator, Counters};
use axum::Json;
use axum::extract::State;
use std::sync::Arc;
use wavs_types::{ApiError, RefusedSubmission, SignedSubmission, SubmissionResult};

/// Most envelopes in one batch: bounds the work one request asks for.
pub const MAX_BATCH: usize = 1000;

/// Count many signed envelopes in one request (at most 1,000), each as `POST
/// /envelopes` would; all that are counted are committed together.
///
/// Answers 200 with one result per item, in order: its status, or what `POST /envelopes`
/// would have refused it with.
#[utoipa::path(post, path = "/envelopes/batch", tag = "envelopes", operation_id = "submitEnvelopes",
    request_body = Vec<SignedSubmission>,
    responses(
        (status = 200, description = "One result per item, in order.", body = Vec<SubmissionResult>),
        (status = 400, description = "Not a JSON array of signed submissions, or more than 1,000.", body = ApiError)))]
pub(super) async fn submit_batch(State(agg): State<Arc<Aggregator>>, body: String) -> Result<Json<Vec<SubmissionResult>>> {
    let submissions: Vec<SignedSubmission> = serde_json::from_str(&body)
        .map_err(|e| AggregatorError::Invalid(format!("invalid batch (a JSON array of submissions): {e}")))?;
    if submissions.len() > MAX_BATCH {
        return Err(AggregatorError::Invalid(format!(
            "a batch holds at most {MAX_BATCH} envelopes, this one {}: post the rest in another",
            submissions.len()
        )));
    }
    Counters::bump(&agg.counters.received, submissions.len() as u64);
    Ok(Json(agg.accept_many(&submissions).await))
}

impl Aggregator {
    /// [`Aggregator::accept`] for each of `submissions`, with one commit for all.
    pub async fn accept_many(&self, submissions: &[SignedSubmission]) -> Vec<SubmissionResult> {
        let mut staged = Vec::with_capacity(submissions.len());
        for s in submissions {
            staged.push(self.stage_signature(s).await);
        }
        let written = match staged.iter().any(|s| s.as_ref().is_ok_and(|s| s.needs_commit())) {
            true => self.committer.commit().await,
            false => Ok(()),
        };
        submissions
            .iter()
            .zip(staged)
            .map(|(submission, staged)| {
                let outcome = staged.and_then(|staged| match &written {
                    Err(e) if staged.needs_commit() => Err(e.duplicate()),
                    _ => Ok(staged.acknowledge()),
                });
                self.count_outcome(submission, &outcome);
                match outcome {
                    Ok(status) => SubmissionResult::Status(status),
                    Err(e) => SubmissionResult::Error(RefusedSubmission {
                        code: e.status_code().as_u16(),
                        error: e.to_string(),
                        retryable: e.is_retryable(),
                    }),
                }
            })
            .collect()
    }
}
