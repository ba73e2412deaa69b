//! Strategies for arbitrary strings, object keys and JSON values.

use super::Fields;
use proptest::prelude::*;
use serde_json::Value;

/// Strings: mostly plausible names, sometimes any Unicode (controls, quotes, NUL),
/// sometimes hex (with and without `0x`, of any length) for the hex fields.
pub fn arb_text() -> impl Strategy<Value = String> + Clone {
    prop_oneof![
        3 => "[a-zA-Z0-9_.:-]{0,16}",
        2 => any::<String>(),
        1 => "0x[0-9a-fA-F]{0,80}",
        1 => "(0x)?([0-9a-fA-F]{2}){0,70}",
    ]
}

/// Object keys: the target's own field names (so mutations hit real fields), or anything.
pub fn arb_key(fields: Fields) -> impl Strategy<Value = String> + Clone {
    prop_oneof![
        3 => prop::sample::select(fields).prop_map(str::to_string),
        2 => arb_text(),
    ]
}

/// Any JSON value: scalars of every kind (including huge, negative and fractional
/// numbers and arbitrary Unicode) nested in arrays and objects keyed by [`arb_key`].
pub fn arb_json(fields: Fields) -> impl Strategy<Value = Value> + Clone {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        any::<f64>().prop_filter("JSON has no NaN/inf", |f| f.is_finite()).prop_map(Value::from),
        arb_text().prop_map(Value::String),
    ];
    leaf.prop_recursive(4, 48, 6, move |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::btree_map(arb_key(fields), inner, 0..6)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}
