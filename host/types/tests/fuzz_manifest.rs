//! Property-based fuzzing (proptest) of the manifest parser and the other JSON wire
//! types: arbitrary text, arbitrary JSON and structure-aware mutations of the README's
//! manifest never panic; every refusal names a position or a field; valid values
//! round-trip through JSON unchanged.
//!
//! Cases per property: `PROPTEST_CASES` (default 256, the CI size); `scripts/fuzz.sh`
//! runs a long campaign. See docs/FUZZING.md.

use proptest::prelude::*;
use proptest::sample::Index;
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;
use wavs_types::{
    ApiError, ChainSpec, ComponentSpec, EnvelopeStatus, LimitOverrides, Permissions, ServiceManifest,
    SignedSubmission, SubmitSpec, TriggerSpec, WireEnvelope, WorkflowSpec, hex_bytes,
};

// ---------------------------------------------------------------------------------
// Configuration and seeds
// ---------------------------------------------------------------------------------

/// Cases per property: `PROPTEST_CASES`, or 256 (the CI size).
fn config() -> ProptestConfig {
    let cases = std::env::var("PROPTEST_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(256);
    // No regression files are written into the source tree; a failure prints its
    // minimal input, which goes into a named #[test] below.
    ProptestConfig { failure_persistence: None, ..ProptestConfig::with_cases(cases) }
}

/// The manifest shown in README.md ("A service manifest"), read from the README itself so
/// the documented example stays parseable.
fn readme_manifest() -> String {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../README.md");
    let readme = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{path}: {e}"));
    let at = readme.find("A service manifest").expect("README has a \"A service manifest\" section");
    let rest = &readme[at..];
    let start = rest.find("```json\n").expect("a ```json block follows") + "```json\n".len();
    let end = rest[start..].find("```").expect("the json block is closed");
    rest[start..start + end].to_string()
}

const DIGEST: &str = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";

/// The README manifest with a real-looking digest: parses and validates.
fn valid_manifest_json() -> String {
    readme_manifest().replace("<sha256 of the .wasm>", DIGEST)
}

fn known_chain(c: &str) -> bool {
    c == "anvil"
}

const CHAIN_SPEC: &str = r#"{ "family": "evm", "chain-id": "31337", "rpc-urls": ["http://127.0.0.1:8545"],
    "confirmations": 1, "start-height": 7, "poll-interval-ms": 100, "max-block-range": 50,
    "options": { "gas": "auto" } }"#;

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

// ---------------------------------------------------------------------------------
// Strategies
// ---------------------------------------------------------------------------------

/// Any JSON value: scalars of every kind (including huge, negative and fractional
/// numbers and arbitrary Unicode) nested in arrays and objects.
fn arb_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        any::<f64>().prop_filter("JSON has no NaN/inf", |f| f.is_finite()).prop_map(Value::from),
        arb_text().prop_map(Value::String),
    ];
    leaf.prop_recursive(4, 48, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::btree_map(arb_key(), inner, 0..6).prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

/// Strings: mostly plausible names, sometimes any Unicode (controls, quotes, NUL).
fn arb_text() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => "[a-zA-Z0-9_.:-]{0,16}",
        2 => any::<String>(),
        1 => "0x[0-9a-fA-F]{0,80}",
    ]
}

/// Object keys: the manifest's own field names (so mutations hit real fields), or
/// anything.
fn arb_key() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => prop::sample::select(FIELD_NAMES).prop_map(str::to_string),
        2 => arb_text(),
    ]
}

const FIELD_NAMES: &[&str] = &[
    "id", "name", "components", "workflows", "digest", "limits", "permissions", "config", "fuel", "time-ms",
    "memory-bytes", "output-bytes", "allowed-http-hosts", "trigger", "component", "submit", "chain-event",
    "block-interval", "manual", "none", "aggregator", "chain", "contract", "event", "every", "start", "handler",
    "manager", "family", "chain-id", "rpc-urls", "confirmations", "start-height", "poll-interval-ms",
    "max-block-range", "options", "event-id", "ordering", "payload", "signature", "service-id", "workflow-id",
    "envelope", "state", "detail", "error", "retryable",
];

/// One structure-aware edit of a JSON document. A path picks, at each level, child
/// `n % len`; paths shrink towards the root and the first child.
#[derive(Debug, Clone)]
enum Mutation {
    /// Remove the selected member or element.
    Remove(Vec<u16>),
    /// Replace the selected value with any JSON value (type confusion).
    Replace(Vec<u16>, Value),
    /// Add (or overwrite) a member in the selected object.
    Insert(Vec<u16>, String, Value),
    /// Rename the selected member's key.
    Rename(Vec<u16>, String),
    /// Replace the selected number with an extreme one (numbers only: keeps the shape).
    Number(Vec<u16>, Value),
    /// Replace the selected string with another string (strings only: keeps the shape,
    /// reaches validation).
    Text(Vec<u16>, String),
}

fn arb_path() -> impl Strategy<Value = Vec<u16>> {
    prop::collection::vec(any::<u16>(), 0..6)
}

/// Edits that keep the document's shape (values change, types stay): these get past
/// the parser and exercise validation.
fn arb_value_mutation() -> impl Strategy<Value = Mutation> {
    let number = prop_oneof![Just(0u64), Just(1u64), Just(u64::MAX), any::<u64>()].prop_map(Value::from);
    prop_oneof![
        3 => (arb_path(), arb_text()).prop_map(|(p, t)| Mutation::Text(p, t)),
        1 => (arb_path(), number).prop_map(|(p, v)| Mutation::Number(p, v)),
        1 => (arb_path(), arb_key()).prop_map(|(p, k)| Mutation::Rename(p, k)),
        1 => arb_path().prop_map(Mutation::Remove),
    ]
}

fn arb_mutation() -> impl Strategy<Value = Mutation> {
    let extreme = prop_oneof![
        Just(Value::from(0u64)),
        Just(Value::from(u64::MAX)),
        Just(Value::from(-1i64)),
        Just(Value::from(i64::MIN)),
        Just(Value::from(1.5f64)),
        Just(Value::from(1e300f64)),
        Just(serde_json::from_str::<Value>("18446744073709551616").unwrap()),
    ];
    prop_oneof![
        2 => arb_path().prop_map(Mutation::Remove),
        3 => (arb_path(), arb_json()).prop_map(|(p, v)| Mutation::Replace(p, v)),
        2 => (arb_path(), arb_key(), arb_json()).prop_map(|(p, k, v)| Mutation::Insert(p, k, v)),
        2 => (arb_path(), arb_key()).prop_map(|(p, k)| Mutation::Rename(p, k)),
        2 => (arb_path(), extreme).prop_map(|(p, v)| Mutation::Number(p, v)),
        3 => (arb_path(), arb_text()).prop_map(|(p, t)| Mutation::Text(p, t)),
    ]
}

/// Follows `path` as far as it goes; returns the container reached and the index of
/// the child chosen in it (`None` when the walk stopped on a leaf or an empty container).
fn walk<'a>(v: &'a mut Value, path: &[u16]) -> (&'a mut Value, Option<usize>) {
    let Some((first, rest)) = path.split_first() else { return (v, None) };
    let len = match v {
        Value::Object(m) => m.len(),
        Value::Array(a) => a.len(),
        _ => 0,
    };
    if len == 0 {
        return (v, None);
    }
    let i = usize::from(*first) % len;
    if rest.is_empty() {
        return (v, Some(i));
    }
    // Descend only when the child is itself a container; otherwise stop here.
    let child_is_container = match &*v {
        Value::Object(m) => m.values().nth(i).is_some_and(|c| c.is_object() || c.is_array()),
        Value::Array(a) => a[i].is_object() || a[i].is_array(),
        _ => false,
    };
    if !child_is_container {
        return (v, Some(i));
    }
    let child = match v {
        Value::Object(m) => m.values_mut().nth(i).expect("index in range"),
        Value::Array(a) => &mut a[i],
        _ => unreachable!(),
    };
    walk(child, rest)
}

fn child_mut(v: &mut Value, i: usize) -> Option<&mut Value> {
    match v {
        Value::Object(m) => m.values_mut().nth(i),
        Value::Array(a) => a.get_mut(i),
        _ => None,
    }
}

/// The scalar a path selects: the first scalar at or below the selected child.
fn selected_scalar<'a>(doc: &'a mut Value, path: &[u16]) -> Option<&'a mut Value> {
    fn first_scalar(v: &mut Value) -> Option<&mut Value> {
        match v {
            Value::Object(m) => m.values_mut().find_map(first_scalar),
            Value::Array(a) => a.iter_mut().find_map(first_scalar),
            scalar => Some(scalar),
        }
    }
    match walk(doc, path) {
        (parent, Some(i)) => child_mut(parent, i).and_then(first_scalar),
        (leaf, None) => first_scalar(leaf),
    }
}

/// Applies one mutation to a JSON document.
fn mutate(doc: &mut Value, m: &Mutation) {
    match m {
        Mutation::Remove(path) => {
            if let (parent, Some(i)) = walk(doc, path) {
                match parent {
                    Value::Object(map) => {
                        let key = map.keys().nth(i).cloned().expect("index in range");
                        map.remove(&key);
                    }
                    Value::Array(a) => {
                        a.remove(i);
                    }
                    _ => {}
                }
            }
        }
        Mutation::Replace(path, value) => match walk(doc, path) {
            (parent, Some(i)) => {
                if let Some(child) = child_mut(parent, i) {
                    *child = value.clone();
                }
            }
            (leaf, None) => *leaf = value.clone(),
        },
        Mutation::Number(path, value) => {
            if let Some(n) = selected_scalar(doc, path).filter(|v| v.is_number()) {
                *n = value.clone();
            }
        }
        Mutation::Text(path, text) => {
            if let Some(s) = selected_scalar(doc, path).filter(|v| v.is_string()) {
                *s = Value::String(text.clone());
            }
        }
        Mutation::Insert(path, key, value) => {
            let (parent, i) = walk(doc, path);
            let target = match i {
                Some(i) if child_mut(parent, i).is_some_and(|c| c.is_object()) => child_mut(parent, i).unwrap(),
                _ => parent,
            };
            match target {
                Value::Object(map) => {
                    map.insert(key.clone(), value.clone());
                }
                Value::Array(a) => a.push(value.clone()),
                _ => {}
            }
        }
        Mutation::Rename(path, new_key) => {
            if let (Value::Object(map), Some(i)) = walk(doc, path) {
                let key = map.keys().nth(i).cloned().expect("index in range");
                let value = map.remove(&key).expect("present");
                map.insert(new_key.clone(), value);
            }
        }
    }
}

/// A text-level edit of a serialized document (what JSON-level edits cannot produce:
/// syntax errors, duplicate keys, truncation).
#[derive(Debug, Clone)]
enum TextEdit {
    Truncate(Index),
    InsertChar(Index, char),
    Delete(Index, usize),
    /// Duplicates a `"key": value` pair right after the first `{`.
    DuplicateFirstMember,
    /// Inserts a raw snippet (unbalanced brackets, stray quotes, comments, ...).
    Snippet(Index, &'static str),
}

const SNIPPETS: &[&str] = &[
    "{", "}", "[", "]", "\"", ",", ":", "//", "/*", "\\", "\\u", "\\ud800", "null", "1e999", "-0", "NaN", "\u{0}",
    "\u{feff}", "\"id\":", ",,",
];

fn arb_text_edit() -> impl Strategy<Value = TextEdit> {
    prop_oneof![
        any::<Index>().prop_map(TextEdit::Truncate),
        (any::<Index>(), any::<char>()).prop_map(|(i, c)| TextEdit::InsertChar(i, c)),
        (any::<Index>(), 1usize..8).prop_map(|(i, n)| TextEdit::Delete(i, n)),
        Just(TextEdit::DuplicateFirstMember),
        (any::<Index>(), prop::sample::select(SNIPPETS)).prop_map(|(i, s)| TextEdit::Snippet(i, s)),
    ]
}

fn edit_text(text: &str, e: &TextEdit) -> String {
    let mut chars: Vec<char> = text.chars().collect();
    let at = |i: &Index, len: usize| if len == 0 { 0 } else { i.index(len + 1) };
    match e {
        TextEdit::Truncate(i) => chars.truncate(at(i, chars.len())),
        TextEdit::InsertChar(i, c) => chars.insert(at(i, chars.len()), *c),
        TextEdit::Delete(i, n) => {
            let start = at(i, chars.len()).min(chars.len());
            let end = (start + n).min(chars.len());
            chars.drain(start..end);
        }
        TextEdit::DuplicateFirstMember => {
            let s: String = chars.iter().collect();
            if let Ok(Value::Object(map)) = serde_json::from_str::<Value>(&s)
                && let Some((k, v)) = map.iter().next()
                && let Some(pos) = chars.iter().position(|&c| c == '{')
            {
                let pair = format!("{}: {},", Value::String(k.clone()), v);
                chars.splice(pos + 1..pos + 1, pair.chars());
            }
        }
        TextEdit::Snippet(i, snippet) => {
            let pos = at(i, chars.len());
            chars.splice(pos..pos, snippet.chars());
        }
    }
    chars.into_iter().collect()
}

/// A document built from `seed` by JSON-level mutations, then (sometimes) text edits.
fn mutated(seed: String) -> impl Strategy<Value = String> {
    let doc: Value = serde_json::from_str(&seed).expect("seed is JSON");
    let mutations = prop_oneof![
        prop::collection::vec(arb_mutation(), 0..5),
        prop::collection::vec(arb_value_mutation(), 1..4),
    ];
    let edits = prop_oneof![3 => Just(vec![]), 1 => prop::collection::vec(arb_text_edit(), 1..3)];
    (mutations, edits, any::<bool>())
        .prop_map(move |(muts, edits, pretty)| {
            let mut d = doc.clone();
            for m in &muts {
                mutate(&mut d, m);
            }
            let mut text = if pretty { serde_json::to_string_pretty(&d) } else { serde_json::to_string(&d) }
                .expect("a Value serializes");
            for e in &edits {
                text = edit_text(&text, e);
            }
            text
        })
}

/// Any input text: arbitrary Unicode, arbitrary JSON, or a mutation of `seed`.
fn inputs(seed: String) -> impl Strategy<Value = String> {
    prop_oneof![
        1 => any::<String>(),
        1 => prop::collection::vec(any::<u8>(), 0..256).prop_map(|b| String::from_utf8_lossy(&b).into_owned()),
        2 => arb_json().prop_map(|v| v.to_string()),
        6 => mutated(seed),
    ]
}

// Structured values, for round trips.

fn arb_limits() -> impl Strategy<Value = LimitOverrides> {
    (any::<Option<u64>>(), any::<Option<u64>>(), any::<Option<u64>>(), any::<Option<u64>>()).prop_map(
        |(fuel, time_ms, memory_bytes, output_bytes)| LimitOverrides { fuel, time_ms, memory_bytes, output_bytes },
    )
}

fn arb_component(digest: BoxedStrategy<String>) -> impl Strategy<Value = ComponentSpec> {
    (
        digest,
        arb_limits(),
        prop::collection::vec(arb_text(), 0..3),
        prop::collection::btree_map(arb_text(), arb_text(), 0..3),
    )
        .prop_map(|(digest, limits, hosts, config)| ComponentSpec {
            digest,
            limits,
            permissions: Permissions { allowed_http_hosts: hosts },
            config,
        })
}

fn arb_trigger(chain: BoxedStrategy<String>, every: BoxedStrategy<u64>) -> impl Strategy<Value = TriggerSpec> {
    prop_oneof![
        (chain.clone(), arb_text(), arb_text())
            .prop_map(|(chain, contract, event)| TriggerSpec::ChainEvent { chain, contract, event }),
        (chain, every, any::<u64>()).prop_map(|(chain, every, start)| TriggerSpec::BlockInterval { chain, every, start }),
        Just(TriggerSpec::Manual),
    ]
}

fn arb_submit(field: BoxedStrategy<String>) -> impl Strategy<Value = SubmitSpec> {
    prop_oneof![
        Just(SubmitSpec::None),
        (field.clone(), field.clone(), field)
            .prop_map(|(chain, handler, manager)| SubmitSpec::Aggregator { chain, handler, manager }),
    ]
}

/// Any manifest value, valid or not (for round trips).
fn arb_any_manifest() -> impl Strategy<Value = ServiceManifest> {
    let workflow = (
        arb_trigger(arb_text().boxed(), any::<u64>().boxed()),
        arb_text(),
        arb_submit(arb_text().boxed()),
    )
        .prop_map(|(trigger, component, submit)| WorkflowSpec { trigger, component, submit });
    (
        arb_text(),
        arb_text(),
        prop::collection::btree_map(arb_text(), arb_component(arb_text().boxed()), 0..3),
        prop::collection::btree_map(arb_text(), workflow, 0..3),
    )
        .prop_map(|(id, name, components, workflows)| ServiceManifest { id, name, components, workflows })
}

/// Manifests that must pass `validate(known_chain)`.
fn arb_valid_manifest() -> impl Strategy<Value = ServiceManifest> {
    let id = "[A-Za-z0-9_-]{1,64}";
    let digest = "[0-9a-fA-F]{64}".boxed();
    (
        id,
        arb_text(),
        prop::collection::btree_map(id, arb_component(digest), 1..4),
        prop::collection::btree_map(
            id,
            (
                arb_trigger(Just("anvil".to_string()).boxed(), (1..=u64::MAX).boxed()),
                any::<Index>(),
                arb_submit("[a-z0-9x]{1,20}".boxed()),
            ),
            1..4,
        ),
    )
        .prop_map(|(id, name, components, workflows)| {
            let names: Vec<String> = components.keys().cloned().collect();
            let workflows = workflows
                .into_iter()
                .map(|(wid, (trigger, pick, submit))| {
                    (wid, WorkflowSpec { trigger, component: pick.get(&names).clone(), submit })
                })
                .collect();
            ServiceManifest { id, name, components, workflows }
        })
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
}

#[test]
fn mutations_reach_deep_fields() {
    // The mutation machinery really edits nested members (guards the strategies).
    let mut doc: Value = serde_json::from_str(&valid_manifest_json()).unwrap();
    // {components, id, workflows} (keys sorted) -> components -> square -> digest
    let path = vec![1, 0, 0];
    mutate(&mut doc, &Mutation::Replace(path, Value::from(5)));
    let err = ServiceManifest::from_json(&doc.to_string()).unwrap_err();
    assert!(err.contains("invalid type") && err.contains("line"), "{err}");
}

#[test]
fn manifest_inputs_reach_every_outcome() {
    // The input strategy is only useful if it reaches every stage of the parser: syntax
    // errors, type/field errors, validation refusals and valid manifests.
    use proptest::strategy::ValueTree;
    let mut runner = proptest::test_runner::TestRunner::deterministic();
    let strategy = inputs(valid_manifest_json());
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
    fn manifest_parser_never_panics_and_names_every_refusal(text in inputs(valid_manifest_json())) {
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
    fn chain_spec_parsing_never_panics(text in inputs(CHAIN_SPEC.to_string()), name in arb_text()) {
        check_wire::<ChainSpec>(&text, |c| {
            if let Err(e) = c.validate(&name) {
                assert!(e.starts_with("chain "), "chain refusal names no chain: {e:?}");
            }
        })?;
    }

    #[test]
    fn wire_envelope_parsing_never_panics(text in inputs(wire_envelope_json())) {
        check_wire::<WireEnvelope>(&text, |e| {
            if let Err(msg) = e.validate() {
                assert!(msg.starts_with("event-id") || msg.starts_with("ordering"), "{msg:?}");
            }
        })?;
    }

    #[test]
    fn signed_submission_parsing_never_panics(text in inputs(signed_submission_json())) {
        check_wire::<SignedSubmission>(&text, |s| {
            let _ = s.envelope.validate();
        })?;
    }

    /// What the node parses from the aggregator's answers.
    #[test]
    fn aggregator_answers_parsing_never_panics(text in inputs(
        r#"{ "event-id": "0x00", "state": "pending", "signed-weight": 1, "threshold": 2, "signers": 1, "detail": "d" }"#.to_string()
    )) {
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
