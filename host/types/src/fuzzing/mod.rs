//! What the proptest fuzz suites share (feature `fuzzing`, enabled only by the
//! dev-dependencies of wavs-types, wavs-node and wavs-aggregator): the case count, JSON
//! strategies and structure-aware mutations, text edits, the seeds, the HTTP error
//! contract, request strategies, the [`Target`] harness that runs a property against
//! a live API and prints its summary line, [`prometheus_samples`] for `/metrics`, and the OpenAPI
//! checks ([`handlers_in_router`], [`check_copy`]).
//!
//! The suites: `host/types/tests/fuzz_manifest`, `host/node/tests/fuzz_api`,
//! `aggregator/tests/fuzz_api`. See docs/FUZZING.md.

mod contract;
pub mod fields;
mod inputs;
mod json;
mod metrics_text;
mod mutation;
mod openapi_copy;
mod request;
mod seeds;
mod target;
mod text;

pub use contract::{Answer, check_contract, check_robust};
pub use inputs::{inputs, mutated, seed};
pub use json::{arb_json, arb_key, arb_text};
pub use metrics_text::prometheus_samples;
pub use mutation::{Mutation, arb_mutation, arb_value_mutation, mutate};
pub use openapi_copy::{check_copy, handlers_in_router};
pub use request::{arb_body, arb_method, arb_query, arb_segment, arb_uri, encode};
pub use seeds::{DIGEST, readme_manifest, valid_manifest_json};
pub use target::{Sandbox, Tally, Target};
pub use text::{TextEdit, arb_text_edit, edit_text};

/// Object keys the JSON strategies prefer: a target's own field names (see [`fields`]),
/// so that mutations hit real fields.
pub type Fields = &'static [&'static str];

/// Cases per property: `PROPTEST_CASES`, or 256 (the CI size). No regression files are
/// written into the source tree: a failure prints its minimal input, which belongs in a
/// named `#[test]` next to the properties.
pub fn config() -> proptest::test_runner::Config {
    let cases = std::env::var("PROPTEST_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(256);
    proptest::test_runner::Config {
        failure_persistence: None,
        max_shrink_iters: 2048,
        ..proptest::test_runner::Config::with_cases(cases)
    }
}
