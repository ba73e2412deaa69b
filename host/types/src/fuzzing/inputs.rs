//! Input texts for a JSON parser or endpoint: arbitrary text, arbitrary JSON, and
//! mutations of a valid document.

use super::{Fields, arb_json, arb_mutation, arb_text_edit, arb_value_mutation, edit_text, mutate};
use proptest::prelude::*;
use serde_json::Value;

/// A fixed seed document, for [`mutated`] and [`inputs`].
pub fn seed(json: &str) -> Just<Value> {
    Just(serde_json::from_str(json).unwrap_or_else(|e| panic!("seed is not JSON ({e}): {json}")))
}

/// A document from `docs` after JSON-level mutations (any edits, or shape-keeping ones
/// that reach validation), serialized compact or pretty, then (sometimes) text edits.
pub fn mutated(docs: impl Strategy<Value = Value>, fields: Fields) -> impl Strategy<Value = String> {
    let mutations = prop_oneof![
        prop::collection::vec(arb_mutation(fields), 0..5),
        prop::collection::vec(arb_value_mutation(fields), 1..4),
    ];
    let edits = prop_oneof![3 => Just(vec![]), 1 => prop::collection::vec(arb_text_edit(), 1..3)];
    (docs, mutations, edits, any::<bool>()).prop_map(|(mut doc, mutations, edits, pretty)| {
        for m in &mutations {
            mutate(&mut doc, m);
        }
        let mut text = if pretty { serde_json::to_string_pretty(&doc) } else { serde_json::to_string(&doc) }
            .expect("a Value serializes");
        for e in &edits {
            text = edit_text(&text, e);
        }
        text
    })
}

/// Any input text (always valid UTF-8): arbitrary Unicode, lossy-decoded bytes,
/// arbitrary JSON, or (mostly) a mutation of a document from `docs`.
pub fn inputs(docs: impl Strategy<Value = Value>, fields: Fields) -> impl Strategy<Value = String> {
    prop_oneof![
        1 => any::<String>(),
        1 => prop::collection::vec(any::<u8>(), 0..256).prop_map(|b| String::from_utf8_lossy(&b).into_owned()),
        2 => arb_json(fields).prop_map(|v| v.to_string()),
        6 => mutated(docs, fields),
    ]
}
