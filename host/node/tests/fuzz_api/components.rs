//! `POST /components`.

use crate::Fixture;
use axum::http::{Method, StatusCode};
use proptest::prelude::*;
use proptest::sample::Index;
use wavs_types::fuzzing::{Target, check_contract};

/// `POST /components` with arbitrary bytes (400 with a reason, always) and with
/// mutations of a real component (201 or 400).
#[test]
fn components_post() {
    let f = Fixture::new();
    const CORE: &[u8] = b"\0asm\x01\0\0\0";
    const COMPONENT: &[u8] = b"\0asm\x0d\0\x01\0";
    let garbage = prop_oneof![
        3 => prop::collection::vec(any::<u8>(), 0..2048),
        2 => (prop::sample::select(&[CORE, COMPONENT][..]), prop::collection::vec(any::<u8>(), 0..512))
            .prop_map(|(head, tail)| [head, &tail[..]].concat()),
    ]
    .prop_map(|b| (false, b));
    let echo = f.echo_bytes.clone();
    // Truncations and byte flips of echo.wasm, anywhere in the file: most are refused by
    // the parser or validator, some compile (flips in data or custom sections) and reach
    // the service-world checks, or load as a new component.
    let mutated_echo = (
        prop::option::weighted(0.3, any::<Index>()),
        prop::collection::vec((any::<Index>(), 1u8..=255), 1..4),
    )
        .prop_map(move |(cut, flips)| {
            let mut b = echo.clone();
            let len = b.len();
            let mut flipped = std::collections::BTreeSet::new();
            for (at, xor) in flips {
                // Each position once, so the bytes always differ from echo.wasm.
                if flipped.insert(at.index(len)) {
                    b[at.index(len)] ^= xor;
                }
            }
            if let Some(cut) = cut {
                b.truncate(cut.index(len + 1));
            }
            (true, b)
        });
    let inputs = if f.echo.is_some() { prop_oneof![7 => garbage, 1 => mutated_echo].boxed() } else { garbage.boxed() };
    f.fuzz("POST /components", inputs, |f, (from_component, bytes)| {
        let answer = f.call(Method::POST, "/components", bytes);
        let error = check_contract(&Method::POST, "/components", &answer)?;
        if from_component && answer.status == StatusCode::CREATED {
            return Ok(());
        }
        prop_assert_eq!(answer.status, StatusCode::BAD_REQUEST, "{}", answer.text());
        prop_assert!(error.unwrap().starts_with("invalid component"), "{}", answer.text());
        Ok(())
    });
}
