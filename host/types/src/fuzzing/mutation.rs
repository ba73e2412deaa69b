//! Structure-aware edits of a JSON document. A path picks, at each level, child
//! `n % len`; paths shrink towards the root and the first child.

use super::{Fields, arb_json, arb_key, arb_text};
use proptest::prelude::*;
use serde_json::Value;

/// One structure-aware edit of a JSON document.
#[derive(Debug, Clone)]
pub enum Mutation {
    /// Remove the selected member or element.
    Remove(Vec<u16>),
    /// Replace the selected value with any JSON value (type confusion).
    Replace(Vec<u16>, Value),
    /// Add (or overwrite) a member in the selected object, or push onto an array.
    Insert(Vec<u16>, String, Value),
    /// Rename the selected member's key.
    Rename(Vec<u16>, String),
    /// Replace the first number at or below the selection with another (often extreme)
    /// one: keeps the shape.
    Number(Vec<u16>, Value),
    /// Replace the first string at or below the selection with another string: keeps the
    /// shape, so the document gets past the parser and reaches validation.
    Text(Vec<u16>, String),
}

fn arb_path() -> impl Strategy<Value = Vec<u16>> + Clone {
    prop::collection::vec(any::<u16>(), 0..6)
}

/// Numbers that break limits: zero, one, the extremes, fuel above the operator maximum.
fn arb_number() -> impl Strategy<Value = Value> + Clone {
    prop_oneof![
        Just(Value::from(0u64)),
        Just(Value::from(1u64)),
        Just(Value::from(u64::MAX)),
        Just(Value::from(10_000_000_001u64)),
        any::<u64>().prop_map(Value::from),
    ]
}

/// Any edit, including those that change the document's shape (type confusion, missing,
/// unknown and renamed members, numbers out of every range).
pub fn arb_mutation(fields: Fields) -> impl Strategy<Value = Mutation> + Clone {
    let extreme = prop_oneof![
        3 => arb_number(),
        1 => Just(Value::from(-1i64)),
        1 => Just(Value::from(i64::MIN)),
        1 => Just(Value::from(1.5f64)),
        1 => Just(Value::from(1e300f64)),
        1 => Just(serde_json::from_str::<Value>("18446744073709551616").expect("2^64 is JSON")),
    ];
    prop_oneof![
        2 => arb_path().prop_map(Mutation::Remove),
        3 => (arb_path(), arb_json(fields)).prop_map(|(p, v)| Mutation::Replace(p, v)),
        2 => (arb_path(), arb_key(fields), arb_json(fields)).prop_map(|(p, k, v)| Mutation::Insert(p, k, v)),
        2 => (arb_path(), arb_key(fields)).prop_map(|(p, k)| Mutation::Rename(p, k)),
        2 => (arb_path(), extreme).prop_map(|(p, v)| Mutation::Number(p, v)),
        3 => (arb_path(), arb_text()).prop_map(|(p, t)| Mutation::Text(p, t)),
    ]
}

/// Edits that mostly keep the document's shape (values change, types stay): these get
/// past the parser and exercise validation and the handlers.
pub fn arb_value_mutation(fields: Fields) -> impl Strategy<Value = Mutation> + Clone {
    prop_oneof![
        3 => (arb_path(), arb_text()).prop_map(|(p, t)| Mutation::Text(p, t)),
        1 => (arb_path(), arb_number()).prop_map(|(p, v)| Mutation::Number(p, v)),
        1 => (arb_path(), arb_key(fields)).prop_map(|(p, k)| Mutation::Rename(p, k)),
        1 => arb_path().prop_map(Mutation::Remove),
    ]
}

/// Follows `path` while the chosen children are containers; returns the container reached
/// and the index of the child chosen in it (`None` when the walk stopped on a leaf or an
/// empty container).
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
    let descend = !rest.is_empty() && child_mut(v, i).is_some_and(|c| c.is_object() || c.is_array());
    if !descend {
        return (v, Some(i));
    }
    walk(child_mut(v, i).expect("index in range"), rest)
}

fn child_mut(v: &mut Value, i: usize) -> Option<&mut Value> {
    match v {
        Value::Object(m) => m.values_mut().nth(i),
        Value::Array(a) => a.get_mut(i),
        _ => None,
    }
}

/// The value a path selects: the chosen child, or the leaf the walk stopped on.
fn selected<'a>(doc: &'a mut Value, path: &[u16]) -> &'a mut Value {
    match walk(doc, path) {
        (parent, Some(i)) => child_mut(parent, i).expect("index in range"),
        (leaf, None) => leaf,
    }
}

/// The first value at or below `v` (depth first) for which `pick` holds.
fn first_below(v: &mut Value, pick: fn(&Value) -> bool) -> Option<&mut Value> {
    if pick(v) {
        return Some(v);
    }
    match v {
        Value::Object(m) => m.values_mut().find_map(|c| first_below(c, pick)),
        Value::Array(a) => a.iter_mut().find_map(|c| first_below(c, pick)),
        _ => None,
    }
}

/// Applies one mutation to a JSON document.
pub fn mutate(doc: &mut Value, m: &Mutation) {
    match m {
        Mutation::Remove(path) => match walk(doc, path) {
            (Value::Object(map), Some(i)) => {
                let key = map.keys().nth(i).cloned().expect("index in range");
                map.remove(&key);
            }
            (Value::Array(a), Some(i)) => {
                a.remove(i);
            }
            _ => {}
        },
        Mutation::Replace(path, value) => *selected(doc, path) = value.clone(),
        Mutation::Number(path, value) => {
            if let Some(n) = first_below(selected(doc, path), Value::is_number) {
                *n = value.clone();
            }
        }
        Mutation::Text(path, text) => {
            if let Some(s) = first_below(selected(doc, path), Value::is_string) {
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
