//! Deterministic workflows through the executor, on the real `entropy` component (16
//! random bytes, then the wall-clock ms) and a fake chain whose block `h` is at
//! `h * FAKE_BLOCK_MS`: two operators (two rigs) sign the same result for one trigger,
//! whose clock reads the trigger block's time; a manual task reads 0.

use crate::executions::Outcome;
use crate::job::{Job, TriggerKey};
use crate::testing::{FAKE_BLOCK_MS, Rig, guest, rig};
use std::sync::Arc;
use wavs_runtime::bindings::wit_types::{BlockIntervalTrigger, TriggerData};
use wavs_types::ServiceManifest;

/// A rig whose service `svc` runs `entropy` in deterministic mode.
async fn operator() -> Rig {
    let rig = rig("fake").await;
    let (digest, _) = rig.runner.load(&guest("components/entropy.wasm")).unwrap();
    let manifest = ServiceManifest::from_json(&format!(
        r#"{{ "id": "svc", "components": {{ "entropy": {{ "digest": "{digest}" }} }},
             "workflows": {{ "main": {{ "trigger": "manual", "component": "entropy", "deterministic": true,
               "submit": {{ "aggregator": {{ "chain": "fake", "handler": "0x02", "manager": "0x03" }} }} }} }} }}"#
    ))
    .unwrap();
    rig.services.write().insert("svc".into(), Arc::new(manifest));
    rig
}

/// Runs `key` on `rig`; the payload signed.
async fn run(rig: &Rig, key: TriggerKey, data: TriggerData) -> Vec<u8> {
    let job = Job { service_id: "svc".into(), workflow_id: "main".into(), data, key };
    let record = rig.executor.run(rig.store.enqueue_job(job, 0).await.unwrap()).await.expect("recorded");
    assert_eq!(record.outcome, Outcome::Ok, "{record:?}");
    let sent = rig.aggregator.received();
    sent.last().expect("signed and sent").envelope.payload.clone()
}

fn time_of(payload: &[u8]) -> u64 {
    u64::from_be_bytes(payload[16..24].try_into().unwrap())
}

fn block(height: u64) -> (TriggerKey, TriggerData) {
    let key = TriggerKey::Block { chain: "fake".into(), caip2: "fake:1".into(), height };
    (key, TriggerData::BlockInterval(BlockIntervalTrigger { chain: "fake".into(), height, block_hash: vec![height as u8; 32] }))
}

#[tokio::test]
async fn two_operators_sign_the_same_result_at_the_blocks_time() {
    let (a, b) = (operator().await, operator().await);
    let (key, data) = block(21);
    let from_a = run(&a, key.clone(), data.clone()).await;
    let from_b = run(&b, key, data).await;
    assert_eq!(from_a, from_b, "the same bytes on both operators");
    assert_eq!(time_of(&from_a), 21 * FAKE_BLOCK_MS, "the clock reads the trigger block's time");

    let (key, data) = block(22);
    let next = run(&a, key, data).await;
    assert_ne!(next[..16], from_a[..16], "another trigger, other random bytes");
}

#[tokio::test]
async fn a_manual_task_reads_time_zero() {
    let rig = operator().await;
    let payload = run(&rig, TriggerKey::Manual { task_id: "t1".into() }, TriggerData::Raw(vec![])).await;
    assert_eq!(time_of(&payload), 0);
}
