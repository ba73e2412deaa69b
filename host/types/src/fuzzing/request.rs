//! Strategies for HTTP requests: methods, path segments, queries, URIs and bodies.

use super::{Fields, arb_text};
use axum::http::Method;
use proptest::prelude::*;

/// Percent-encodes everything but unreserved characters.
pub fn encode(bytes: &[u8]) -> String {
    bytes
        .iter()
        .map(|&b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// Methods: mostly GET and POST, the other standard ones, and random tokens. CONNECT only
/// if `connect` (in process; an HTTP client turns it into a tunnel request).
pub fn arb_method(connect: bool) -> impl Strategy<Value = Method> {
    let mut other = vec![Method::PUT, Method::DELETE, Method::PATCH, Method::HEAD, Method::OPTIONS, Method::TRACE];
    if connect {
        other.push(Method::CONNECT);
    }
    prop_oneof![
        4 => prop::sample::select(vec![Method::GET, Method::POST]),
        3 => prop::sample::select(other),
        1 => "[A-Z]{1,8}".prop_map(|m| Method::from_bytes(m.as_bytes()).expect("a token")),
    ]
}

/// A non-empty path segment: one of `known` (real ids, or ids of the right form),
/// plausible text, any Unicode percent-encoded, sub-delimiters, or (if `raw`) any bytes
/// percent-encoded (which may not be UTF-8). `..` too if `dots`; otherwise never `.` or
/// `..`, which a URL client resolves before sending (`/envelopes/.` goes out as
/// `/envelopes/`).
pub fn arb_segment(known: BoxedStrategy<String>, raw: bool, dots: bool) -> BoxedStrategy<String> {
    let utf8 = prop_oneof![
        4 => known,
        2 => "[a-zA-Z0-9_-]{1,12}",
        2 => prop::collection::vec(any::<char>(), 1..8).prop_map(|c| encode(String::from_iter(c).as_bytes())),
        1 => "[a-zA-Z0-9!$&'()*+,;=:@._~-]{1,12}",
    ];
    let segment = match raw {
        true => prop_oneof![4 => utf8, 1 => prop::collection::vec(any::<u8>(), 1..16).prop_map(|b| encode(&b))].boxed(),
        false => utf8.boxed(),
    };
    match dots {
        true => prop_oneof![9 => segment, 1 => Just("..".to_string())].boxed(),
        false => segment.prop_filter("dot segments", |s| s != "." && s != "..").boxed(),
    }
}

/// Query strings: the route's `keys` and unknown ones, with numeric, negative,
/// overflowing, empty, text and raw-byte values.
pub fn arb_query(keys: Fields) -> impl Strategy<Value = String> {
    let value = prop_oneof![
        any::<u64>().prop_map(|n| n.to_string()),
        Just("18446744073709551616".to_string()),
        Just("-1".to_string()),
        Just(String::new()),
        arb_text().prop_map(|t| encode(t.as_bytes())),
        prop::collection::vec(any::<u8>(), 0..8).prop_map(|b| encode(&b)),
    ];
    let key = prop_oneof![3 => prop::sample::select(keys).prop_map(str::to_string), 1 => "[a-z%0-9]{0,8}"];
    prop::collection::vec((key, value), 0..4)
        .prop_map(|pairs| pairs.into_iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join("&"))
}

/// URIs from route `paths`, sometimes near misses (trailing `/`, `//`, an extra
/// segment), sometimes with a query of [`arb_query`].
pub fn arb_uri(paths: impl Strategy<Value = String>, query_keys: Fields) -> impl Strategy<Value = String> {
    let near_miss = prop_oneof![6 => Just(""), 1 => Just("/"), 1 => Just("//"), 1 => Just("/x")];
    (paths, near_miss, prop::option::weighted(0.3, arb_query(query_keys))).prop_map(|(p, suffix, q)| match q {
        Some(q) => format!("{p}{suffix}?{q}"),
        None => format!("{p}{suffix}"),
    })
}

/// Request bodies: empty, `json` texts, or any bytes.
pub fn arb_body(json: impl Strategy<Value = String>) -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        2 => Just(vec![]),
        2 => json.prop_map(String::into_bytes),
        1 => prop::collection::vec(any::<u8>(), 0..256),
    ]
}
