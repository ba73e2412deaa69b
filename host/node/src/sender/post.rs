//! The aggregator's envelope endpoints as the sender uses them: `POST /envelopes` for
//! one, `POST /envelopes/batch` for many. An aggregator without the batch endpoint (an
//! older release) gets them one by one.

use super::Sender;
use crate::error::{NodeError, Result};
use serde::de::DeserializeOwned;
use wavs_types::{ApiError, EnvelopeStatus, SignedSubmission, SubmissionResult};

impl Sender {
    /// Posts one envelope; its status, or why not.
    pub(super) async fn post_one(&self, submission: &SignedSubmission) -> Result<EnvelopeStatus> {
        self.post("envelopes", submission).await.map_err(Refused::into_error)
    }

    /// Posts `submissions` in one request; an answer for each, in order.
    pub(super) async fn post_many(&self, submissions: &[&SignedSubmission]) -> Vec<Result<EnvelopeStatus>> {
        let answers: std::result::Result<Vec<SubmissionResult>, Refused> = self.post("envelopes/batch", &submissions).await;
        match answers {
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

    /// Posts `body` to `path` of the aggregator and reads the JSON answer.
    async fn post<T: DeserializeOwned>(&self, path: &str, body: &impl serde::Serialize) -> std::result::Result<T, Refused> {
        let Some(base) = self.aggregator_url.as_deref() else {
            let message = "no aggregator-url configured: set it in the config or WAVS_AGGREGATOR_URL".to_string();
            return Err(Refused { status: None, message, retryable: false });
        };
        let url = format!("{}/{path}", base.trim_end_matches('/'));
        let response = self.http.post(&url).json(body).send().await.map_err(|e| Refused {
            status: None,
            message: format!("cannot reach {url}: {e}"),
            retryable: true,
        })?;
        let status = response.status();
        let text = response.text().await.unwrap_or_default();
        if status.is_success() {
            return serde_json::from_str(&text).map_err(|e| Refused {
                status: None,
                message: format!("unreadable answer from {url}: {e}: {text}"),
                retryable: true,
            });
        }
        let (message, retryable) = match serde_json::from_str::<ApiError>(&text) {
            Ok(err) => (err.error, err.retryable),
            Err(_) => (text, status.is_server_error()),
        };
        Err(Refused { status: Some(status.as_u16()), message: format!("{status}: {message}"), retryable })
    }
}

/// A request the aggregator did not answer with what was asked.
struct Refused {
    /// The HTTP status, if there was an answer.
    status: Option<u16>,
    message: String,
    retryable: bool,
}

impl Refused {
    fn into_error(self) -> NodeError {
        match self.status {
            // Nothing to send it to: a configuration error, not the aggregator's answer.
            None if !self.retryable => NodeError::Invalid(self.message),
            _ => NodeError::Aggregator { message: self.message, retryable: self.retryable },
        }
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
