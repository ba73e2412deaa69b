//! The sender on a real on-disk store against an aggregator double: what each answer
//! leaves in the outbox and on the execution record, and re-sending after a restart.

use super::Sender;
use crate::executions::Submission;
use crate::metrics::NodeMetrics;
use crate::store::{OutboxState, Store};
use crate::testing::{Answer, FakeAggregator, record_of, signed};
use axum::http::StatusCode;
use std::sync::Arc;
use wavs_types::{EnvelopeState, SignedSubmission};

/// A store holding one execution that signed `submission`, and a sender to `url`.
async fn outbox_with(dir: &std::path::Path, submission: &SignedSubmission, url: Option<String>) -> (Arc<Store>, Arc<Sender>) {
    let store = Arc::new(Store::open(dir).unwrap());
    store.finish_job(None, record_of(std::slice::from_ref(submission)), vec![submission.clone()]).await.unwrap();
    let sender = Sender::new(store.clone(), url, Arc::new(NodeMetrics::default())).unwrap();
    (store, sender)
}

fn recorded(store: &Store) -> Submission {
    store.recent_executions(None, 1).unwrap()[0].results[0].submission.clone()
}

#[tokio::test]
async fn an_acked_envelope_is_asked_about_until_its_state_is_final() {
    let dir = tempfile::tempdir().unwrap();
    let (aggregator, url) = FakeAggregator::start().await;
    let s = signed(1);
    let (store, sender) = outbox_with(dir.path(), &s, Some(url)).await;
    aggregator.answer([Answer::State(EnvelopeState::Queued), Answer::State(EnvelopeState::Landed { tx_hash: vec![9; 32], height: 5 })]);

    let state = sender.send(&s).await;
    assert!(matches!(state, OutboxState::Acked { checks: 1, .. }), "{state:?}");
    assert!(!state.is_final());
    assert_eq!(store.due_outbox(u64::MAX).unwrap().len(), 1, "a queued envelope is asked about again");
    assert!(matches!(recorded(&store), Submission::Sent { .. }));

    let state = sender.send_due(u64::MAX).await.unwrap().remove(0);
    assert!(state.is_final(), "{state:?}");
    assert!(store.due_outbox(u64::MAX).unwrap().is_empty(), "a landed envelope is not sent again");
    match recorded(&store) {
        Submission::Sent { aggregator } => assert!(matches!(aggregator.state, EnvelopeState::Landed { height: 5, .. })),
        other => panic!("{other:?}"),
    }
    assert_eq!(aggregator.received(), vec![s.clone(), s], "the same signed envelope both times");
}

#[tokio::test]
async fn a_refusal_that_may_pass_is_retried_later_and_a_final_one_is_not() {
    let dir = tempfile::tempdir().unwrap();
    let (aggregator, url) = FakeAggregator::start().await;
    let s = signed(2);
    let (store, sender) = outbox_with(dir.path(), &s, Some(url)).await;
    aggregator.answer([Answer::Refuse(StatusCode::SERVICE_UNAVAILABLE, true), Answer::Refuse(StatusCode::BAD_REQUEST, false)]);

    let first = sender.send(&s).await;
    let OutboxState::Pending { attempts: 1, not_before_ms, last_error: Some(error) } = &first else { panic!("{first:?}") };
    assert!(error.contains("503") && error.contains("refused as told"), "{error}");
    assert!(*not_before_ms > crate::backoff::unix_ms(), "sent again later, not at once");
    assert!(store.due_outbox(crate::backoff::unix_ms()).unwrap().is_empty());
    assert_eq!(store.due_outbox(u64::MAX).unwrap().len(), 1);
    assert!(matches!(recorded(&store), Submission::Signed { attempts: 1, .. }));

    let second = sender.send_due(u64::MAX).await.unwrap().remove(0);
    assert!(matches!(&second, OutboxState::Failed { reason } if reason.contains("400")), "{second:?}");
    assert!(store.due_outbox(u64::MAX).unwrap().is_empty(), "refused for good: never sent again");
    assert!(matches!(recorded(&store), Submission::Failed { reason } if reason.contains("refused as told")));
}

/// An aggregator that does not serve the chain yet refuses as retryable until an operator
/// adds it, which may take hours: however many refusals came, the envelope is kept and
/// sent again within 30 s.
#[test]
fn a_retryable_refusal_is_sent_again_however_many_came_before() {
    let refusal = || crate::error::NodeError::Aggregator { message: "503: chain \"b\" is not configured here yet".into(), retryable: true };
    for attempts in [0, 7, 100, 100_000, u32::MAX] {
        let state = super::next_state(&[1], Err(refusal()), attempts, 0);
        let OutboxState::Pending { attempts: now, not_before_ms, last_error: Some(error) } = &state else { panic!("{state:?}") };
        assert_eq!(*now, attempts.saturating_add(1));
        assert!(*not_before_ms <= crate::backoff::unix_ms() + 30_000, "sent again within 30 s after {attempts} refusals");
        assert!(error.contains("not configured here yet") && !state.is_final(), "{state:?}");
    }
}

#[tokio::test]
async fn an_unreachable_aggregator_is_tried_again_and_a_missing_url_is_said() {
    let dir = tempfile::tempdir().unwrap();
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", closed.local_addr().unwrap());
    drop(closed);
    let s = signed(3);
    let (_store, sender) = outbox_with(dir.path(), &s, Some(url)).await;
    let state = sender.send(&s).await;
    assert!(matches!(&state, OutboxState::Pending { attempts: 1, last_error: Some(e), .. } if e.contains("cannot reach")), "{state:?}");

    let dir = tempfile::tempdir().unwrap();
    let (_store, sender) = outbox_with(dir.path(), &s, None).await;
    let state = sender.send(&s).await;
    assert!(matches!(&state, OutboxState::Failed { reason } if reason.contains("aggregator-url")), "{state:?}");
}

/// A store holding one execution that signed each of `submissions`.
async fn outbox_of(dir: &std::path::Path, submissions: &[SignedSubmission]) -> Arc<Store> {
    let store = Arc::new(Store::open(dir).unwrap());
    store.finish_job(None, record_of(submissions), submissions.to_vec()).await.unwrap();
    store
}

/// Runs `sender`'s loop until nothing in `store` is due, then stops it.
async fn until_sent(sender: Arc<Sender>, store: &Store) {
    let task = tokio::spawn(sender.run());
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while !store.due_outbox(crate::backoff::unix_ms()).unwrap().is_empty() {
        assert!(std::time::Instant::now() < deadline, "the outbox loop did not send what was due");
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    task.abort();
}

#[tokio::test]
async fn what_is_due_goes_in_one_batch_and_each_answer_is_recorded_on_its_own() {
    let dir = tempfile::tempdir().unwrap();
    let (aggregator, url) = FakeAggregator::start().await;
    let sent = [signed(5), signed(6), signed(7)];
    let store = outbox_of(dir.path(), &sent).await;
    aggregator.answer([
        Answer::State(EnvelopeState::AlreadyHandled),
        Answer::Refuse(StatusCode::SERVICE_UNAVAILABLE, true),
        Answer::Refuse(StatusCode::FORBIDDEN, false),
    ]);
    let sender = Sender::new(store.clone(), Some(url), Arc::new(NodeMetrics::default())).unwrap();
    until_sent(sender, &store).await;

    assert_eq!(aggregator.batches()[0], 3, "one request for the three");
    let results = &store.recent_executions(None, 1).unwrap()[0].results;
    assert!(matches!(&results[0].submission, Submission::Sent { aggregator } if aggregator.state == EnvelopeState::AlreadyHandled));
    assert!(matches!(&results[1].submission, Submission::Signed { attempts: 1, last_error: Some(e) } if e.contains("503")), "{:?}", results[1]);
    assert!(matches!(&results[2].submission, Submission::Failed { reason } if reason.contains("403")), "{:?}", results[2]);
    assert_eq!(store.due_outbox(u64::MAX).unwrap().len(), 1, "only the one that may pass is sent again");
}

#[tokio::test]
async fn an_aggregator_without_batches_gets_them_one_by_one() {
    let dir = tempfile::tempdir().unwrap();
    let (aggregator, url) = FakeAggregator::start_without_batches().await;
    let sent = [signed(8), signed(9)];
    let store = outbox_of(dir.path(), &sent).await;
    aggregator.answer([Answer::State(EnvelopeState::AlreadyHandled), Answer::State(EnvelopeState::AlreadyHandled)]);
    let sender = Sender::new(store.clone(), Some(url), Arc::new(NodeMetrics::default())).unwrap();
    until_sent(sender, &store).await;
    assert!(aggregator.batches().is_empty());
    assert_eq!(aggregator.received(), sent.to_vec());
    assert!(store.due_outbox(u64::MAX).unwrap().is_empty());
}

#[tokio::test]
async fn after_a_restart_the_loop_sends_what_was_not_acknowledged() {
    let dir = tempfile::tempdir().unwrap();
    let (aggregator, url) = FakeAggregator::start().await;
    let s = signed(4);
    {
        // Signed and stored, then the node stopped before sending.
        let (store, sender) = outbox_with(dir.path(), &s, None).await;
        drop((store, sender));
    }
    let store = Arc::new(Store::open(dir.path()).unwrap());
    let sender = Sender::new(store.clone(), Some(url), Arc::new(NodeMetrics::default())).unwrap();
    aggregator.answer([Answer::State(EnvelopeState::AlreadyHandled)]);
    let task = tokio::spawn(sender.run());
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while !store.due_outbox(u64::MAX).unwrap().is_empty() {
        assert!(std::time::Instant::now() < deadline, "the outbox loop did not send the envelope");
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    task.abort();
    assert_eq!(aggregator.received(), vec![s]);
    assert!(matches!(recorded(&store), Submission::Sent { aggregator } if aggregator.state == EnvelopeState::AlreadyHandled));
}

#[tokio::test]
async fn fresh_envelopes_signed_together_share_a_request() {
    let dir = tempfile::tempdir().unwrap();
    let (aggregator, url) = FakeAggregator::start().await;
    let sent: Vec<SignedSubmission> = (10..30).map(signed).collect();
    let store = outbox_of(dir.path(), &sent).await;
    let sender = Sender::new(store.clone(), Some(url), Arc::new(NodeMetrics::default())).unwrap();
    let sends = sent.iter().cloned().map(|s| {
        let sender = sender.clone();
        tokio::spawn(async move { sender.send(&s).await })
    });
    let tasks: Vec<_> = sends.collect();
    for task in tasks {
        let state = task.await.unwrap();
        assert!(matches!(state, OutboxState::Acked { checks: 1, .. }), "{state:?}");
    }
    let batches = aggregator.batches();
    assert_eq!(batches.iter().sum::<usize>(), 20, "{batches:?}");
    assert!(batches.len() < 20, "sends queued together share requests: {batches:?}");
    let results = &store.recent_executions(None, 1).unwrap()[0].results;
    assert!(results.iter().all(|r| matches!(r.submission, Submission::Sent { .. })));
}
