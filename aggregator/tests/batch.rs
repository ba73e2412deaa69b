//! `POST /envelopes/batch` against a real anvil: each item is judged as `POST /envelopes`
//! would judge it alone. Honest signatures are counted and land; in the same batch a
//! non-operator's signature, an honest signature replayed onto another payload, and an
//! envelope for a target nobody registered are refused item by item (403, not
//! retryable), without sinking the honest ones. An oversized batch is refused whole.

mod common;

use common::{Api, envelope, signed};
use reqwest::StatusCode;
use std::time::Duration;
use wavs_types::{EnvelopeState, SignedSubmission, SubmissionResult};

async fn post_batch(api: &Api, items: &[SignedSubmission]) -> (StatusCode, serde_json::Value) {
    let answer = api.http.post(format!("{}/envelopes/batch", api.base)).json(items).send().await.unwrap();
    (answer.status(), answer.json().await.unwrap_or(serde_json::Value::Null))
}

#[tokio::test(flavor = "multi_thread")]
async fn a_batch_counts_the_honest_items_and_refuses_the_others_one_by_one() {
    let common::TwoOperators { dir, chain, service, manager: m, handler: h } = common::two_operators().await;
    let process = common::Process::start(dir.path(), &chain.config(&dir.path().join("agg"), "batch-interval-ms = 100", "", &[&service])).await;
    let api = &process.api;

    let honest = envelope(1, b"honest".to_vec());
    let other = envelope(2, b"other".to_vec());
    let mut replayed = signed(&chain, &m, &h, &envelope(1, b"forged payload".to_vec()), 2).await;
    replayed.signature = signed(&chain, &m, &h, &honest, 2).await.signature;
    let mut unknown = signed(&chain, &m, &h, &other, 2).await;
    unknown.handler = format!("0x{:040x}", 0xdead_u32);
    let items = vec![
        signed(&chain, &m, &h, &honest, 2).await,
        signed(&chain, &m, &h, &other, 9).await, // not an operator
        replayed,                                // operator 2's signature and key, another payload
        unknown,                                 // a target this aggregator does not serve
        signed(&chain, &m, &h, &honest, 3).await,
    ];
    let (status, body) = post_batch(api, &items).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let results: Vec<SubmissionResult> = serde_json::from_value(body.clone()).unwrap();
    assert_eq!(results.len(), items.len(), "{body}");
    assert!(matches!(&results[0], SubmissionResult::Status(s) if matches!(s.state, EnvelopeState::Pending { signed_weight: 1, .. })), "{body}");
    for (i, why) in [(1, "is not an operator"), (2, "does not verify"), (3, "not served")] {
        match &results[i] {
            SubmissionResult::Error(e) => {
                assert_eq!((e.code, e.retryable), (403, false), "item {i}: {body}");
                assert!(e.error.contains(why), "item {i}: {body}");
            }
            other => panic!("item {i} was not refused: {other:?}"),
        }
    }
    assert!(matches!(&results[4], SubmissionResult::Status(s) if s.state == EnvelopeState::Queued), "{body}");

    // The honest result lands with its own payload; the refused ones left nothing.
    let landed = api.final_status(&honest.event_id, &h, Duration::from_secs(60)).await;
    assert!(matches!(landed.state, EnvelopeState::Landed { .. }), "{landed:?}");
    assert_eq!(chain.handled(&h, &honest.event_id).await.as_deref(), Some(&b"honest"[..]));
    assert_eq!(api.status(&other.event_id, &h).await, None, "a non-operator's envelope is not kept");
    let (_, health) = api.get("/health").await;
    assert_eq!(health["counters"]["received"], 5, "{health}");
    assert_eq!(health["counters"]["rejected-signatures"], 2, "{health}");
    assert_eq!(health["counters"]["refused-targets"], 1, "{health}");

    // More than the most a batch may hold is refused whole, before any work.
    let too_many = vec![items[0].clone(); 1001];
    let (status, body) = post_batch(api, &too_many).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert!(body["error"].as_str().unwrap().contains("at most 1000"), "{body}");
}
