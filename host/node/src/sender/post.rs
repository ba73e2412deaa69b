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
        self.aggregator()?.submit(submission).await.map_err(|e| Refused::from(e).into_error())
    }

    /// Posts `submissions` in one request; an answer for each, in order.
    pub(super) async fn post_many(&self, submissions: &[&SignedSubmission]) -> Vec<Result<EnvelopeStatus>> {
        let aggregator = match self.aggregator() {
            Ok(aggregator) => aggregator,
            Err(e) => return submissions.iter().map(|_| Err(NodeError::Invalid(e.to_string()))).collect(),
        };
        match aggregator.submit_batch(submissions).await.map_err(Refused::from) {
            Ok(answers) if answers.len() == submissions.len() => answers.into_iter().map(item_answer).collect(),
            Ok(answers) => {
                let why = format!("the aggregator answered {} items for a batch of {}", answers.len(), submissions.len());
                submissions.iter().map(|_| Err(NodeError::Aggregator { message: why.clone(), retryable: true })).collect()
            }
            Err(Refused { status: Some(404 | 405), .. }) => {
                tracing::debug!("the aggregator has no POST /envelopes/batch; posting one by one");
                let mut out = Vec::with_capacity(submissions.len());
                for submission in submissions {
                    out.push(self.post_one(submission).await);
                }
                out
            }
            Err(refused) => submissions
                .iter()
                .map(|_| Err(NodeError::Aggregator { message: refused.message.clone(), retryable: refused.retryable }))
                .collect(),
        }
    }

    /// The aggregator, or the configuration error of having none.
    fn aggregator(&self) -> Result<&AggregatorClient> {
        self.aggregator
            .as_ref()
            .ok_or_else(|| NodeError::Invalid("no aggregator-url configured: set it in the config or WAVS_AGGREGATOR_URL".into()))
    }
}

/// A request the aggregator did not answer with what was asked.
struct Refused {
    /// The HTTP status, if there was an answer.
    status: Option<u16>,
    message: String,
    retryable: bool,
}

impl From<ClientError> for Refused {
    /// Unreachable, or an answer that is not what was asked for, may pass: the
    /// aggregator restarts, or a proxy in front of it recovers.
    fn from(e: ClientError) -> Refused {
        match e {
            ClientError::Refused { status, error, .. } => {
                Refused { status: Some(status.as_u16()), message: format!("{status}: {}", error.error), retryable: error.retryable }
            }
            other => Refused { status: None, message: other.to_string(), retryable: true },
        }
    }
}

impl Refused {
    fn into_error(self) -> NodeError {
        NodeError::Aggregator { message: self.message, retryable: self.retryable }
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
