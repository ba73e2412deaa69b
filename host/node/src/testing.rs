//! What the stages' unit tests share: an aggregator double that answers `POST
//! /envelopes` as told and keeps what it was sent, signed submissions and execution
//! records to put in a store, and the guests `scripts/build-guests.sh` builds.

mod guests;
mod rig;

pub(crate) use rig::{FAKE_BLOCK_MS, FakeTargets, KEY, Rig, rig, rig_with, task};

use crate::executions::{ExecutionRecord, Outcome, ResultRecord, Submission};
pub(crate) use guests::guest;
use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::post;
use parking_lot::Mutex;
use std::collections::VecDeque;
use std::sync::Arc;
use wavs_types::{EnvelopeState, EnvelopeStatus, RefusedSubmission, SignedSubmission, SubmissionResult, WireEnvelope};

/// One answer of the aggregator double.
#[derive(Clone)]
pub(crate) enum Answer {
    /// 200 with this state for the envelope sent.
    State(EnvelopeState),
    /// An `ApiError` with this HTTP status.
    Refuse(StatusCode, bool),
}

#[derive(Default)]
struct Inner {
    answers: VecDeque<Answer>,
    received: Vec<SignedSubmission>,
    /// The size of each batch posted.
    batches: Vec<usize>,
}

/// An aggregator on a local port: answers from a queue (then `pending` for ever) and
/// keeps every submission it was sent. Closed, it holds every answer until opened.
#[derive(Clone)]
pub(crate) struct FakeAggregator(Arc<Mutex<Inner>>, tokio::sync::watch::Sender<bool>);

impl Default for FakeAggregator {
    fn default() -> Self {
        FakeAggregator(Arc::default(), tokio::sync::watch::Sender::new(true))
    }
}

impl FakeAggregator {
    /// Starts it; returns it and its base URL.
    pub(crate) async fn start() -> (FakeAggregator, String) {
        FakeAggregator::serve(true).await
    }

    /// One of an older release, without `POST /envelopes/batch`.
    pub(crate) async fn start_without_batches() -> (FakeAggregator, String) {
        FakeAggregator::serve(false).await
    }

    async fn serve(batches: bool) -> (FakeAggregator, String) {
        let fake = FakeAggregator::default();
        let mut app = Router::new().route("/envelopes", post(answer));
        if batches {
            app = app.route("/envelopes/batch", post(answer_batch));
        }
        let app = app.with_state(fake.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, app).await });
        (fake, url)
    }

    /// Queues the next answers.
    pub(crate) fn answer(&self, answers: impl IntoIterator<Item = Answer>) {
        self.0.lock().answers.extend(answers);
    }

    /// Holds every answer from now on, until [`FakeAggregator::open`].
    pub(crate) fn close(&self) {
        self.1.send_replace(false);
    }

    /// Answers again, the held ones first.
    pub(crate) fn open(&self) {
        self.1.send_replace(true);
    }

    /// Waits while closed.
    async fn until_open(&self) {
        let _ = self.1.subscribe().wait_for(|open| *open).await;
    }

    /// The size of each batch it was sent.
    pub(crate) fn batches(&self) -> Vec<usize> {
        self.0.lock().batches.clone()
    }

    /// What it was sent so far.
    pub(crate) fn received(&self) -> Vec<SignedSubmission> {
        self.0.lock().received.clone()
    }
}

impl FakeAggregator {
    /// Takes `submission` and the next answer for it.
    fn take(&self, submission: SignedSubmission) -> Answer {
        let mut inner = self.0.lock();
        inner.received.push(submission);
        inner.answers.pop_front().unwrap_or(Answer::State(EnvelopeState::Pending { signed_weight: 1, threshold: 2, signers: 1 }))
    }
}

async fn answer(State(fake): State<FakeAggregator>, body: String) -> axum::response::Response {
    use axum::response::IntoResponse;
    let submission: SignedSubmission = serde_json::from_str(&body).expect("the node sends a SignedSubmission");
    let event_id = submission.envelope.event_id.clone();
    fake.until_open().await;
    match fake.take(submission) {
        Answer::State(state) => axum::Json(EnvelopeStatus { event_id, state, detail: "as told".into() }).into_response(),
        Answer::Refuse(status, retryable) => {
            (status, axum::Json(wavs_types::ApiError { error: "refused as told".into(), retryable })).into_response()
        }
    }
}

async fn answer_batch(State(fake): State<FakeAggregator>, body: String) -> axum::Json<Vec<SubmissionResult>> {
    let submissions: Vec<SignedSubmission> = serde_json::from_str(&body).expect("the node sends an array of SignedSubmission");
    fake.until_open().await;
    fake.0.lock().batches.push(submissions.len());
    let answers = submissions.into_iter().map(|submission| {
        let event_id = submission.envelope.event_id.clone();
        match fake.take(submission) {
            Answer::State(state) => SubmissionResult::Status(EnvelopeStatus { event_id, state, detail: "as told".into() }),
            Answer::Refuse(status, retryable) => SubmissionResult::Error(RefusedSubmission {
                code: status.as_u16(),
                error: "refused as told".into(),
                retryable,
            }),
        }
    });
    axum::Json(answers.collect())
}

/// A signed submission for event id `[n; 20]`.
pub(crate) fn signed(n: u8) -> SignedSubmission {
    SignedSubmission {
        service_id: "svc".into(),
        workflow_id: "main".into(),
        chain: "fake".into(),
        handler: "0x02".into(),
        manager: "0x03".into(),
        envelope: WireEnvelope { event_id: vec![n; 20], ordering: vec![0; 12], payload: vec![n] },
        signature: vec![7; 65],
        scheme: Default::default(),
        public_key: vec![],
    }
}

/// The record of an execution that signed `signed`.
pub(crate) fn record_of(signed: &[SignedSubmission]) -> ExecutionRecord {
    ExecutionRecord {
        seq: 0,
        service_id: "svc".into(),
        workflow_id: "main".into(),
        trigger: "manual task t".into(),
        outcome: Outcome::Ok,
        fuel_used: 1,
        elapsed_ms: 1,
        retries: 0,
        results: signed
            .iter()
            .map(|s| ResultRecord {
                event_id: s.envelope.event_id.clone(),
                payload: s.envelope.payload.clone(),
                submission: Submission::Signed { attempts: 0, last_error: None },
            })
            .collect(),
    }
}
