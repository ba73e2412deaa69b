//! Property-based fuzzing (proptest) of the manifest parser and the other JSON wire
//! types: arbitrary text, arbitrary JSON and structure-aware mutations of the README's
//! manifest never panic; every refusal names a position or a field; valid values
//! round-trip through JSON unchanged.
//!
//! The strategies are shared with the API suites (`wavs_types::fuzzing`); the manifest
//! values are in `values.rs`. Cases per property: `PROPTEST_CASES` (default 256, the CI
//! size); `scripts/fuzz.sh` runs a long campaign. See docs/FUZZING.md.

mod values;

use proptest::prelude::*;
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;
use values::{arb_any_manifest, arb_valid_manifest};
use wavs_types::fuzzing::{
    Mutation, arb_text, config, fields, inputs, mutate, readme_manifest, seed, valid_manifest_json,
};
use wavs_types::{ApiError, ChainSpec, EnvelopeStatus, ServiceManifest, SignedSubmission, WireEnvelope, hex_bytes};

// ---------------------------------------------------------------------------------
// Seeds
// ---------------------------------------------------------------------------------

fn known_chain(c: &str) -> bool {
    c == "anvil"
}

const CHAIN_SPEC: &str = r#"{ "family": "evm", "chain-id": "31337", "rpc-urls": ["http://127.0.0.1:8545"],
    "confirmations": 1, "start-height": 7, "poll-interval-ms": 100, "max-block-range": 50,
    "options": { "gas": "auto" } }"#;

const ENVELOPE_STATUS: &str =
    r#"{ "event-id": "0x00", "state": "pending", "signed-weight": 1, "threshold": 2, "signers": 1, "detail": "d" }"#;

fn wire_envelope_json() -> String {
    format!(
        r#"{{ "event-id": "0x{}", "ordering": "0x{}", "payload": "0x0102" }}"#,
        "11".repeat(20),
        "00".repeat(12)
    )
}

fn signed_submission_json() -> String {
    format!(
        r#"{{ "service-id": "square", "workflow-id": "main", "chain": "anvil", "handler": "0x02",
            "manager": "0x03", "envelope": {}, "signature": "0x{}" }}"#,
        wire_envelope_json(),
        "ab".repeat(65)
    )
}

/// Any input text: arbitrary Unicode, arbitrary JSON, or a mutation of the valid README
/// manifest.
fn manifest_inputs() -> impl Strategy<Value = String> {
    inputs(seed(&valid_manifest_json()), fields::MANIFEST)
}

// ---------------------------------------------------------------------------------
// Checks
// ---------------------------------------------------------------------------------

/// A parse refusal must say where: serde_json puts "line L column C" on every error.
fn assert_positioned(err: &str, prefix: &str) -> Result<(), TestCaseError> {
    prop_assert!(err.starts_with(prefix), "refusal without the {prefix:?} prefix: {err:?}");
    prop_assert!(err.len() > prefix.len(), "empty refusal: {err:?}");
    prop_assert!(err.contains(" line ") && err.contains(" column "), "refusal names no position: {err:?}");
    Ok(())
}

/// A validation refusal must start with the path of the field at fault.
fn assert_names_field(err: &str) -> Result<(), TestCaseError> {
    const FIELDS: &[&str] = &["id ", "workflows", "components."];
    prop_assert!(FIELDS.iter().any(|f| err.starts_with(f)), "validation refusal names no field: {err:?}");
    prop_assert!(err.len() > 12, "validation refusal says nothing: {err:?}");
    Ok(())
}

fn assert_round_trip<T>(value: &T) -> Result<(), TestCaseError>
where
    T: Serialize + DeserializeOwned + PartialEq + std::fmt::Debug,
{
    for text in [serde_json::to_string(value).unwrap(), serde_json::to_string_pretty(value).unwrap()] {
        let back: T = serde_json::from_str(&text).map_err(|e| TestCaseError::fail(format!("{e}: {text}")))?;
        prop_assert_eq!(&back, value, "round trip changed the value: {}", text);
    }
    Ok(())
}

/// Parses any text as a manifest: never panics; refusals name a position, validation
/// refusals a field; what validates round-trips.
fn check_manifest_text(text: &str) -> Result<(), TestCaseError> {
    match ServiceManifest::from_json(text) {
        Err(err) => assert_positioned(&err, "invalid service manifest: "),
        Ok(m) => {
            match m.validate(known_chain) {
                Err(err) => assert_names_field(&err)?,
                Ok(()) => {
                    let back = ServiceManifest::from_json(&serde_json::to_string(&m).unwrap())
                        .map_err(TestCaseError::fail)?;
                    prop_assert_eq!(&back, &m);
                }
            }
            // Whatever parses also serializes and parses back to itself.
            assert_round_trip(&m)
        }
    }
}

/// Any JSON wire type: parsing never panics, refusals name a position, values that
/// parse round-trip, and `extra` (its validation) never panics.
fn check_wire<T>(text: &str, extra: impl FnOnce(&T)) -> Result<(), TestCaseError>
where
    T: Serialize + DeserializeOwned + PartialEq + std::fmt::Debug,
{
    match serde_json::from_str::<T>(text) {
        Err(e) => assert_positioned(&e.to_string(), ""),
        Ok(v) => {
            extra(&v);
            assert_round_trip(&v)
        }
    }
}

// ---------------------------------------------------------------------------------
// Fixed cases
// ---------------------------------------------------------------------------------

#[test]
fn seeds_are_valid() {
    let m = ServiceManifest::from_json(&readme_manifest()).expect("the README manifest parses");
    assert!(m.validate(known_chain).unwrap_err().starts_with("components.square.digest"));
    let m = ServiceManifest::from_json(&valid_manifest_json()).unwrap();
    m.validate(known_chain).unwrap();
    serde_json::from_str::<ChainSpec>(CHAIN_SPEC).unwrap().validate("anvil").unwrap();
    serde_json::from_str::<WireEnvelope>(&wire_envelope_json()).unwrap().validate().unwrap();
    serde_json::from_str::<SignedSubmission>(&signed_submission_json()).unwrap().envelope.validate().unwrap();
    serde_json::from_str::<EnvelopeStatus>(ENVELOPE_STATUS).unwrap();
}

#[test]
fn mutations_reach_deep_fields() {
    // The mutation machinery really edits nested members (guards the strategies).
    let mut doc: Value = serde_json::from_str(&valid_manifest_json()).unwrap();
    // {components, id, workflows} (keys sorted) -> components -> square ->
    // {config, digest, limits, permissions} -> digest
    mutate(&mut doc, &Mutation::Replace(vec![0, 0, 1], Value::from(5)));
    let err = ServiceManifest::from_json(&doc.to_string()).unwrap_err();
    assert!(err.contains("invalid type") && err.contains("line"), "{err}");
    assert_eq!(doc["components"]["square"]["digest"], Value::from(5), "{doc}");
}

#[test]
fn manifest_inputs_reach_every_outcome() {
    // The input strategy is only useful if it reaches every stage of the parser: syntax
    // errors, type/field errors, validation refusals and valid manifests.
    use proptest::strategy::ValueTree;
    let mut runner = proptest::test_runner::TestRunner::deterministic();
    let strategy = manifest_inputs();
    let (mut syntax, mut data, mut invalid, mut valid) = (0, 0, 0, 0);
    for _ in 0..1000 {
        let text = strategy.new_tree(&mut runner).unwrap().current();
        match ServiceManifest::from_json(&text) {
            Err(_) if serde_json::from_str::<Value>(&text).is_err() => syntax += 1,
            Err(_) => data += 1,
            Ok(m) if m.validate(known_chain).is_err() => invalid += 1,
            Ok(_) => valid += 1,
        }
    }
    eprintln!("1000 inputs: {syntax} syntax errors, {data} data errors, {invalid} validation refusals, {valid} valid");
    assert!(syntax > 0 && data > 0 && invalid > 0 && valid > 0);
}

// ---------------------------------------------------------------------------------
// Properties
// ---------------------------------------------------------------------------------

proptest! {
    #![proptest_config(config())]

    /// Arbitrary text and structure-aware mutations of the README manifest.
    #[test]
    fn manifest_parser_never_panics_and_names_every_refusal(text in manifest_inputs()) {
        check_manifest_text(&text)?;
    }

    /// Any manifest value serializes and parses back to the same value.
    #[test]
    fn any_manifest_round_trips(m in arb_any_manifest()) {
        assert_round_trip(&m)?;
        // validate() never panics either, whatever the values.
        if let Err(err) = m.validate(known_chain) {
            assert_names_field(&err)?;
        }
    }

    /// Generated valid manifests validate and round-trip.
    #[test]
    fn valid_manifests_validate_and_round_trip(m in arb_valid_manifest()) {
        prop_assert_eq!(m.validate(known_chain), Ok(()));
        let text = serde_json::to_string_pretty(&m).unwrap();
        let back = ServiceManifest::from_json(&text).map_err(TestCaseError::fail)?;
        prop_assert_eq!(&back, &m);
        prop_assert_eq!(back.validate(known_chain), Ok(()));
    }

    #[test]
    fn chain_spec_parsing_never_panics(text in inputs(seed(CHAIN_SPEC), fields::CHAIN_SPEC), name in arb_text()) {
        check_wire::<ChainSpec>(&text, |c| {
            if let Err(e) = c.validate(&name) {
                assert!(e.starts_with("chain "), "chain refusal names no chain: {e:?}");
            }
        })?;
    }

    #[test]
    fn wire_envelope_parsing_never_panics(text in inputs(seed(&wire_envelope_json()), fields::SUBMISSION)) {
        check_wire::<WireEnvelope>(&text, |e| {
            if let Err(msg) = e.validate() {
                assert!(msg.starts_with("event-id") || msg.starts_with("ordering"), "{msg:?}");
            }
        })?;
    }

    #[test]
    fn signed_submission_parsing_never_panics(text in inputs(seed(&signed_submission_json()), fields::SUBMISSION)) {
        check_wire::<SignedSubmission>(&text, |s| {
            let _ = s.envelope.validate();
        })?;
    }

    /// What the node parses from the aggregator's answers.
    #[test]
    fn aggregator_answers_parsing_never_panics(text in inputs(seed(ENVELOPE_STATUS), fields::ANSWER)) {
        check_wire::<EnvelopeStatus>(&text, |_| {})?;
        check_wire::<ApiError>(&text, |_| {})?;
    }

    /// Hex decoding of any text never panics; what it accepts re-encodes to the same bytes.
    #[test]
    fn hex_decoding_never_panics(text in prop_oneof![any::<String>(), "(0x)?[0-9a-fA-FxX]{0,70}"]) {
        match hex_bytes::decode(&text) {
            Ok(bytes) => prop_assert_eq!(hex_bytes::decode(&hex_bytes::encode(&bytes)).unwrap(), bytes),
            Err(e) => prop_assert!(e.starts_with("invalid hex"), "{}", e),
        }
    }
}
