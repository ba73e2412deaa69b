//! The aggregator's envelope endpoints as the sender uses them, through
//! `wavs_client::AggregatorClient`: `POST /envelopes` for one, `POST /envelopes/batch` for
//! many. An aggregator without the batch endpoint (an older release) gets them one by
//! one. What the sender adds is its reading of failures: whether to send again.

use super::Sender;
use crate::error::{NodeError, Result};
use wavs_client::{AggregatorClient, ClientError};
use wavs_types::{EnvelopeStatus, SignedSubmission, SubmissionResult};

impl Sender {
    /// Posts one envelope; its status, or why not.
    pub(super) async fn post_one(&self, submission: &SignedSubmission) -> Result<EnvelopeStatus> {
        self.aggregator()?.submit(submission).await.map_err(|e| aggregator_error(&e))
    }

    /// Posts `submissions` in one request; an answer for each, in order.
    pub(super) async fn post_many(&self, submissions: &[&SignedSubmission]) -> Vec<Result<EnvelopeStatus>> {
        let aggregator = match self.aggregator() {
            Ok(aggregator) => aggregator,
            Err(e) => return submissions.iter().map(|_| Err(NodeError::Invalid(e.to_string()))).collect(),
        };
        match aggregator.submit_batch(submissions).await {
            Ok(answers) if answers.len() == submissions.len() => answers.into_iter().map(item_answer).collect(),
            Ok(answers) => {
                let why = format!("the aggregator answered {} items for a batch of {}", answers.len(), submissions.len());
                submissions.iter().map(|_| Err(NodeError::Aggregator { message: why.clone(), retryable: true })).collect()
            }
            Err(e) if matches!(e.status().map(|s| s.as_u16()), Some(404 | 405)) => {
                tracing::debug!("the aggregator has no POST /envelopes/batch; posting one by one");
                let mut out = Vec::with_capacity(submissions.len());
                for submission in submissions {
                    out.push(self.post_one(submission).await);
                }
                out
            }
            Err(e) => submissions.iter().map(|_| Err(aggregator_error(&e))).collect(),
        }
    }

    /// The aggregator, or the configuration error of having none.
    fn aggregator(&self) -> Result<&AggregatorClient> {
        self.aggregator
            .as_ref()
            .ok_or_else(|| NodeError::Invalid("no aggregator-url configured: set it in the config or WAVS_AGGREGATOR_URL".into()))
    }
}

/// A failed post as the sender reads it. A refusal keeps the aggregator's word on
/// retrying; unreachable, or an answer that is not what was asked for, may pass (the
/// aggregator restarts, or a proxy in front of it recovers).
fn aggregator_error(e: &ClientError) -> NodeError {
    match e {
        ClientError::Refused { status, error, .. } => {
            NodeError::Aggregator { message: format!("{status}: {}", error.error), retryable: error.retryable }
        }
        other => NodeError::Aggregator { message: other.to_string(), retryable: true },
    }
}

/// One item of a batch's answer, as a lone `POST /envelopes` would have had it.
fn item_answer(answer: SubmissionResult) -> Result<EnvelopeStatus> {
    match answer {
        SubmissionResult::Status(status) => Ok(status),
        SubmissionResult::Error(refused) => Err(NodeError::Aggregator {
            message: format!("{} {}", refused.code, refused.error),
            retryable: refused.retryable,
        }),
    }
}
