//! Structured values of the manifest types, valid or not, for round trips.

use proptest::prelude::*;
use proptest::sample::Index;
use wavs_types::fuzzing::arb_text;
use wavs_types::{ComponentSpec, LimitOverrides, Permissions, ServiceManifest, SubmitSpec, TriggerSpec, WorkflowSpec};

fn arb_limits() -> impl Strategy<Value = LimitOverrides> {
    (any::<Option<u64>>(), any::<Option<u64>>(), any::<Option<u64>>(), any::<Option<u64>>()).prop_map(
        |(fuel, time_ms, memory_bytes, output_bytes)| LimitOverrides {
            fuel,
            time_ms,
            memory_bytes,
            output_bytes,
            ..Default::default()
        },
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
            source: None,
            limits,
            permissions: Permissions { allowed_http_hosts: hosts },
            config,
            secrets: vec![],
        })
}

fn arb_trigger(chain: BoxedStrategy<String>, every: BoxedStrategy<u64>) -> impl Strategy<Value = TriggerSpec> {
    prop_oneof![
        (chain.clone(), arb_text(), arb_text())
            .prop_map(|(chain, contract, event)| TriggerSpec::ChainEvent { chain, contract, event }),
        (chain, every, any::<u64>()).prop_map(|(chain, every, start)| TriggerSpec::BlockInterval { chain, every, start }),
        Just(TriggerSpec::Manual),
        // Valid schedules only: the suite's manifests are the valid ones.
        "([1-5]?[0-9]|\\*|\\*/[1-9]) (1?[0-9]|\\*) \\* \\* \\*".prop_map(|schedule| TriggerSpec::Cron { schedule }),
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
pub fn arb_any_manifest() -> impl Strategy<Value = ServiceManifest> {
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
pub fn arb_valid_manifest() -> impl Strategy<Value = ServiceManifest> {
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
