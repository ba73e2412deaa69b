//! Reading a `/metrics` answer (Prometheus text format) in the API tests of the node and
//! the aggregator, which check the samples the fuzz suites' targets expose.

use std::collections::BTreeMap;

/// `name{labels}` -> value of each sample line; comments and blank lines are skipped.
/// Panics on a line that is not a sample: a malformed exposition is a test failure.
pub fn prometheus_samples(text: &str) -> BTreeMap<String, f64> {
    text.lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .map(|l| {
            let (name, value) = l.rsplit_once(' ').unwrap_or_else(|| panic!("not a sample: {l}"));
            (name.to_string(), value.parse().unwrap_or_else(|_| panic!("not a number: {l}")))
        })
        .collect()
}
