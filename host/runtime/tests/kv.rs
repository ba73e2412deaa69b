//! The `kv` import through a real component: `kv-counter` counts per service, each
//! service in its own namespace, and every workflow of a service shares its count.
//! Needs the guests built by `scripts/build-guests.sh`.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;
use wavs_runtime::bindings::wit_types::{TriggerAction, TriggerData};
use wavs_runtime::{ComponentRunner, ExecPermissions, KvBackend, Limits, MemoryKv, ServiceKv, WasmEngine};

fn kv_counter() -> Vec<u8> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../target/guests/components/kv-counter.wasm");
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e} (run scripts/build-guests.sh)", path.display()))
}

fn uint(n: u64) -> Vec<u8> {
    let mut out = vec![0u8; 32];
    out[24..].copy_from_slice(&n.to_be_bytes());
    out
}

/// Runs the counter for `service`/`workflow` the way the node does: the store is the
/// service's namespace. Returns the payload.
async fn count(runner: &ComponentRunner, digest: &str, backend: &Arc<MemoryKv>, service: &str, workflow: &str) -> Vec<u8> {
    let action = TriggerAction { service_id: service.into(), workflow_id: workflow.into(), data: TriggerData::Raw(vec![]) };
    let permissions = ExecPermissions { allowed_http_hosts: vec![], config: BTreeMap::new(), secrets: Default::default(), determinism: None };
    let kv = ServiceKv::new(backend.clone(), service);
    let out = runner.execute(digest, &action, &Limits::COMPONENT_DEFAULT, &permissions, kv).await.unwrap();
    assert_eq!(out.responses.len(), 1);
    out.responses[0].payload.clone()
}

#[tokio::test]
async fn the_counter_persists_across_executions_per_service() {
    let dir = tempfile::tempdir().unwrap();
    let runner = ComponentRunner::new(WasmEngine::new(dir.path()).unwrap()).unwrap();
    let (digest, _) = runner.load(&kv_counter()).unwrap();
    let backend = Arc::new(MemoryKv::new());

    for expected in 1..=3 {
        assert_eq!(count(&runner, &digest, &backend, "alpha", "tick").await, uint(expected));
    }
    assert_eq!(count(&runner, &digest, &backend, "beta", "tick").await, uint(1), "another service starts from 1");
    assert_eq!(count(&runner, &digest, &backend, "alpha", "other-workflow").await, uint(4), "workflows share the store");
    assert_eq!(backend.get("alpha", "count").unwrap(), Some(4u64.to_be_bytes().to_vec()), "stored as 8 bytes big-endian");
    assert_eq!(backend.get("beta", "count").unwrap(), Some(1u64.to_be_bytes().to_vec()));
}

#[tokio::test]
async fn a_corrupt_counter_fails_the_execution_with_how_to_fix_it() {
    let dir = tempfile::tempdir().unwrap();
    let runner = ComponentRunner::new(WasmEngine::new(dir.path()).unwrap()).unwrap();
    let (digest, _) = runner.load(&kv_counter()).unwrap();
    let backend = Arc::new(MemoryKv::new());
    ServiceKv::new(backend.clone(), "alpha").set("count", b"xyz").unwrap();
    let action = TriggerAction { service_id: "alpha".into(), workflow_id: "tick".into(), data: TriggerData::Raw(vec![]) };
    let permissions = ExecPermissions { allowed_http_hosts: vec![], config: BTreeMap::new(), secrets: Default::default(), determinism: None };
    let err = runner
        .execute(&digest, &action, &Limits::COMPONENT_DEFAULT, &permissions, ServiceKv::new(backend.clone(), "alpha"))
        .await
        .unwrap_err();
    assert!(err.to_string().contains("delete the key"), "{err}");
    assert!(!err.is_retryable());
}
