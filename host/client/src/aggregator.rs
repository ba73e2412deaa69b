//! [`AggregatorClient`]: the aggregator's API as nodes, the CLI, the devnet and the bench
//! call it.

use crate::ClientError;
use crate::http::Api;
use wavs_types::aggregator_chains::{AggregatorChainAdded, AggregatorChainRequest};
use wavs_types::aggregator_targets::{TargetEntry, TargetRequest, TargetsAnswer};
use wavs_types::aggregator_health::AggregatorHealth;
use wavs_types::{EnvelopeStatus, SignedSubmission, SubmissionResult};

/// An aggregator's API at one base URL.
#[derive(Clone, Debug)]
pub struct AggregatorClient {
    api: Api,
}

impl AggregatorClient {
    /// A client for the aggregator at `base` (e.g. `http://127.0.0.1:8001`), sending no token.
    pub fn new(base: &str) -> Self {
        Self::with_http(base, reqwest::Client::new())
    }

    /// A client for the aggregator at `base` on `http` (its timeouts and connection pool).
    pub fn with_http(base: &str, http: reqwest::Client) -> Self {
        AggregatorClient { api: Api::new(base, http) }
    }

    /// This client, sending `token` (the aggregator's `api-token`, which registering a
    /// target and adding a chain need) as a bearer token; none if `None` or blank.
    pub fn with_token(mut self, token: Option<String>) -> Self {
        self.api.set_token(token);
        self
    }

    /// The aggregator's base URL.
    pub fn base(&self) -> &str {
        self.api.base()
    }

    /// `POST /envelopes`: one signed envelope; its status once its signature is counted.
    pub async fn submit(&self, submission: &SignedSubmission) -> Result<EnvelopeStatus, ClientError> {
        let answer = self.api.send(self.api.http().post(self.api.url("/envelopes")).json(submission)).await?;
        Api::typed("POST /envelopes", answer)
    }

    /// `POST /envelopes/batch`: many in one request; an answer per envelope, in order
    /// (each as a lone `POST /envelopes` would have had it). An aggregator of an older
    /// release answers 404.
    pub async fn submit_batch(&self, submissions: &[&SignedSubmission]) -> Result<Vec<SubmissionResult>, ClientError> {
        let answer = self.api.send(self.api.http().post(self.api.url("/envelopes/batch")).json(submissions)).await?;
        Api::typed("POST /envelopes/batch", answer)
    }

    /// `GET /envelopes/{event-id}`: where the envelope stands (of `handler`'s target, if
    /// given); a 404 refusal if the aggregator does not know it.
    pub async fn status(&self, event_id: &[u8], handler: Option<&str>) -> Result<EnvelopeStatus, ClientError> {
        let mut path = format!("/envelopes/{}", wavs_types::hex_bytes::encode(event_id));
        if let Some(handler) = handler {
            path.push_str(&format!("?handler={handler}"));
        }
        Api::typed("GET /envelopes/{event-id}", self.api.get(&path).await?)
    }

    /// `GET /health`: queue, chains, counters and adapters. An aggregator whose store
    /// cannot write answers 503, which is a [`ClientError::Refused`] here.
    pub async fn health(&self) -> Result<AggregatorHealth, ClientError> {
        Api::typed("GET /health", self.api.get("/health").await?)
    }

    /// `POST /targets`: serves (chain, manager, handler) from now on, once the handler
    /// is checked on chain; the aggregator's account of that check.
    pub async fn register_target(&self, target: &TargetRequest) -> Result<TargetEntry, ClientError> {
        Api::typed("POST /targets", self.api.send(self.api.http().post(self.api.url("/targets")).json(target)).await?)
    }

    /// `POST /chains`: submits to `chain` from now on (kept across restarts; needs the
    /// token); the chain added and the account that pays for its submissions.
    pub async fn add_chain(&self, chain: &AggregatorChainRequest) -> Result<AggregatorChainAdded, ClientError> {
        Api::typed("POST /chains", self.api.send(self.api.http().post(self.api.url("/chains")).json(chain)).await?)
    }

    /// `GET /targets`: every target served.
    pub async fn targets(&self) -> Result<TargetsAnswer, ClientError> {
        Api::typed("GET /targets", self.api.get("/targets").await?)
    }
}
