//! Fault: bad signatures posted straight to the aggregator's `POST /envelopes` — random
//! bytes, an operator's signature over another payload, a key outside the operator set,
//! and a replay of an envelope that already landed. Each bad one is refused by name and
//! counted in `/health`; the replay gets its landed status and is not submitted again;
//! nothing extra lands on chain.

use serde_json::Value;
use std::time::Duration;
use wavs_devnet::{Devnet, DevnetOptions};
use wavs_runtime::Signer;
use wavs_runtime::bindings::adapter_api::{BlockTag, ContractEventFilter, EventBody, EventFilter};
use wavs_types::{EnvelopeState, SignedSubmission, WireEnvelope};
use wavs_devnet::bursts::uint;
use wavs_types::aggregator_health::AggregatorCounters;

fn envelope(id: u8, payload: u128) -> WireEnvelope {
    WireEnvelope { event_id: vec![id; 20], ordering: vec![0; 12], payload: uint(payload) }
}

/// `signer`'s signature over the chain's digest of `signed`, attached to `sent`.
async fn submission(devnet: &Devnet, sent: WireEnvelope, signed: &WireEnvelope, signer: &Signer) -> SignedSubmission {
    devnet.primary().submission("square", sent, signed, signer).await.unwrap()
}

async fn post(devnet: &Devnet, submission: &SignedSubmission) -> (u16, Value) {
    let url = format!("{}/envelopes", devnet.aggregator_url);
    let response = reqwest::Client::new().post(url).json(submission).send().await.unwrap();
    (response.status().as_u16(), response.json().await.unwrap_or(Value::Null))
}

async fn counters(devnet: &Devnet) -> AggregatorCounters {
    devnet.aggregator_health().await.unwrap().1.counters
}

/// `EnvelopeHandled` and `EnvelopeSkipped` logs of the handler for `event_id`.
async fn handler_logs(devnet: &Devnet, event_id: &[u8]) -> (usize, usize) {
    let chain = devnet.primary();
    let head = chain.deployer.head(BlockTag::Latest).await.unwrap().height;
    let mut counts = [0; 2];
    for (i, event) in ["EnvelopeHandled(bytes20,bytes)", "EnvelopeSkipped(bytes20)"].into_iter().enumerate() {
        let filter = [EventFilter::ContractEvent(ContractEventFilter { contract: chain.deployment.handler.clone(), event: event.into() })];
        for e in chain.deployer.events(&filter, 0, head).await.unwrap() {
            if matches!(&e.body, EventBody::Contract(log) if log.topics[1][..20] == *event_id) {
                counts[i] += 1;
            }
        }
    }
    (counts[0], counts[1])
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn forged_replayed_and_outsider_signatures_are_refused_and_a_landed_replay_is_not_resent() {
    let opts = DevnetOptions { operators: 1, threshold: 1, ..DevnetOptions::default() };
    let devnet = Devnet::start(opts, &|s| eprintln!("[devnet] {s}")).await.expect("devnet starts");
    let operator = devnet.primary().operator_key(0);
    let before = counters(&devnet).await;

    // A genuine envelope from the one operator lands.
    let genuine = submission(&devnet, envelope(1, 25), &envelope(1, 25), &operator).await;
    let (status, body) = post(&devnet, &genuine).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(devnet.wait_landed(&[1; 20], Duration::from_secs(30)).await.unwrap(), uint(25));
    let landed = loop {
        // The chain holds it; wait for the aggregator to have recorded it too.
        match devnet.aggregator_status(&[1; 20]).await.map(|s| s.state) {
            Some(state @ EnvelopeState::Landed { .. }) => break state,
            _ => tokio::time::sleep(Duration::from_millis(100)).await,
        }
    };
    let after_landing = counters(&devnet).await;

    // Random bytes.
    let mut forged = submission(&devnet, envelope(2, 4), &envelope(2, 4), &operator).await;
    let mut x: u32 = 0x9e37_79b9;
    forged.signature = (0..65)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            x as u8
        })
        .collect();
    // An operator's genuine signature over payload 6, sent with payload 7.
    let replayed = submission(&devnet, envelope(3, 7), &envelope(3, 6), &operator).await;
    // The right digest, signed by a key outside the operator set.
    let outsider = Signer::from_hex(&"42".repeat(32)).unwrap();
    let outside = submission(&devnet, envelope(4, 9), &envelope(4, 9), &outsider).await;

    let mut rejected = 0;
    for (what, bad) in [("forged", &forged), ("replayed", &replayed), ("outsider", &outside)] {
        let (status, body) = post(&devnet, bad).await;
        let error = body["error"].as_str().unwrap_or_default();
        eprintln!("{what}: {status} {error}");
        assert!(status == 400 || status == 403, "{what}: refused as a client error, got {status} {body}");
        assert_eq!(body["retryable"], false, "{what}: sending it again cannot help: {body}");
        assert!(error.contains("signature") || error.contains("not an operator"), "{what}: the error says why: {error}");
        if what != "forged" {
            assert!(error.contains("not an operator"), "{what}: {error}");
        }
        rejected += 1;
    }

    // The landed envelope again: its landed status, nothing submitted.
    let (status, body) = post(&devnet, &genuine).await;
    assert_eq!(status, 200, "{body}");
    let answer: wavs_types::EnvelopeStatus = serde_json::from_value(body).unwrap();
    assert_eq!(answer.state, landed, "the replay is answered with the landed status");
    // Several batch intervals (100 ms) pass for a wrong submission to happen.
    tokio::time::sleep(Duration::from_secs(2)).await;

    let after = counters(&devnet).await;
    assert_eq!(after.rejected_signatures - before.rejected_signatures, rejected, "/health counts each refusal: {after:?}");
    assert_eq!(after.received - before.received, 5, "{after:?}");
    assert_eq!(after.batches - after_landing.batches, 0, "the replay was not submitted again: {after:?}");
    assert_eq!(after.landed - before.landed, 1, "{after:?}");
    for id in [2u8, 3, 4] {
        assert_eq!(devnet.handled_payload(&[id; 20]).await.unwrap(), None, "event {id}: nothing lands for a bad signature");
        assert_eq!(devnet.aggregator_status(&[id; 20]).await, None, "event {id}: a bad signature is never queued");
    }
    let (handled, skipped) = handler_logs(&devnet, &[1; 20]).await;
    assert_eq!((handled, skipped), (1, 0), "the genuine envelope reached the handler exactly once");

    eprintln!("== forged signatures ==");
    eprintln!("sent:     5 (1 genuine, 3 bad signatures, 1 replay of a landed envelope)");
    eprintln!("rejected: {rejected} (/health rejected-signatures +{})", after.rejected_signatures - before.rejected_signatures);
    eprintln!("landed:   {} (the replay answered {:?}, batches sent after landing: {})", after.landed - before.landed, answer.detail, after.batches - after_landing.batches);
    eprintln!(
        "[figures] forged signatures: sent 5 (1 genuine, 3 bad, 1 replay), rejected {rejected}, landed {}, resubmitted after landing {}",
        after.landed - before.landed,
        after.batches - after_landing.batches
    );
}
