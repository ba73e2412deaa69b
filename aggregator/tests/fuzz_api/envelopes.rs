//! `POST /envelopes` and `GET /envelopes/{id}`.

use crate::Fixture;
use proptest::prelude::*;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use wavs_types::fuzzing::{Target, arb_segment, arb_text, check_contract, fields, inputs};

/// A well-formed submission: right field lengths, any values, some chain name.
fn arb_submission() -> impl Strategy<Value = Value> + Clone {
    let hex = |n: usize| prop::collection::vec(any::<u8>(), n).prop_map(|b| format!("0x{}", hex::encode(b)));
    (
        (arb_text(), arb_text(), prop_oneof![Just("anvil".to_string()), arb_text()], arb_text(), arb_text()),
        (hex(20), hex(12), prop::collection::vec(any::<u8>(), 0..128), hex(65)),
    )
        .prop_map(|((service, workflow, chain, handler, manager), (event_id, ordering, payload, signature))| {
            json!({
                "service-id": service, "workflow-id": workflow, "chain": chain, "handler": handler, "manager": manager,
                "envelope": { "event-id": event_id, "ordering": ordering, "payload": format!("0x{}", hex::encode(payload)) },
                "signature": signature,
            })
        })
}

/// Submission bodies (valid UTF-8: what the node sends): well-formed, mutated,
/// truncated, arbitrary JSON, arbitrary text.
pub fn submission_bodies() -> impl Strategy<Value = String> {
    prop_oneof![
        2 => arb_submission().prop_map(|v| v.to_string()),
        8 => inputs(arb_submission(), fields::SUBMISSION),
    ]
}

/// An event id segment: 20-byte hex (with and without 0x), other hex, any text or (if
/// `raw`) any bytes, percent-encoded. Never `.` or `..` (see `arb_segment`).
pub fn arb_event_id(raw: bool) -> BoxedStrategy<String> {
    let hex_id = prop_oneof![
        3 => prop::collection::vec(any::<u8>(), 20).prop_map(|b| format!("0x{}", hex::encode(b))),
        1 => prop::collection::vec(any::<u8>(), 20).prop_map(hex::encode),
        2 => "(0x)?[0-9a-fA-FxX]{1,50}",
    ];
    arb_segment(hex_id.boxed(), raw, false)
}

/// `POST /envelopes` with well-formed, mutated and arbitrary submissions: never
/// accepted (no chain is configured). A malformed one is a 4xx whose reason names a
/// position or a field; a well-formed one names the chain, refused as retryable (503:
/// its sender keeps it until the chain is added).
#[test]
fn envelopes_post() {
    let f = Fixture::new();
    f.fuzz("POST /envelopes", submission_bodies(), |f, body| {
        let answer = f.request(Method::POST, "/envelopes", body.into_bytes())?;
        let error = check_contract(&Method::POST, "/envelopes", &answer)?;
        let e = error.unwrap_or_default();
        let retryable = answer.json().unwrap()["retryable"].as_bool();
        if e.starts_with("chain ") && e.contains("is not configured here yet") {
            prop_assert_eq!(answer.status, StatusCode::SERVICE_UNAVAILABLE, "{}", answer.text());
            prop_assert_eq!(retryable, Some(true));
            return Ok(());
        }
        prop_assert!(answer.status.is_client_error(), "accepted with no chain configured: {}", answer.text());
        let named = (e.starts_with("invalid submission: ") && e.contains(" line ")) || e.starts_with("event-id") || e.starts_with("ordering");
        prop_assert!(named, "refusal names no position, field or chain: {:?}", e);
        prop_assert_eq!(retryable, Some(false));
        Ok(())
    });
}

/// `GET /envelopes/{id}` with arbitrary (UTF-8) ids: 400 for ids that are not hex, 404
/// for unknown ones (the queue is empty), each with a reason.
#[test]
fn envelopes_get() {
    let f = Fixture::new();
    f.fuzz("GET /envelopes/{id}", arb_event_id(false), |f, id| {
        let path = format!("/envelopes/{id}");
        let answer = f.call(Method::GET, &path, vec![])?;
        check_contract(&Method::GET, &path, &answer)?;
        prop_assert!(
            [StatusCode::BAD_REQUEST, StatusCode::NOT_FOUND].contains(&answer.status),
            "{} answered {}: {}",
            path,
            answer.status,
            answer.text()
        );
        Ok(())
    });
}
