//! Deterministic mode through a real component: `entropy` returns 16 bytes of
//! `wasi:random` and the wall-clock time. Seeded from the same trigger, two runs return
//! the same bytes and the trigger's time; another trigger gets other bytes; without the
//! mode every run differs. Needs the guests built by `scripts/build-guests.sh`.

mod common;

use common::{action, component, permissions};
use std::sync::Arc;
use wavs_runtime::{
    AdapterRegistry, AdapterSigner, ComponentRunner, Determinism, ExecPermissions, Limits, MemoryKv, ServiceKv, Signer,
    WasmEngine,
};

/// The component's (random bytes, wall-clock ms) under `permissions`.
async fn entropy(runner: &ComponentRunner, digest: &str, permissions: &ExecPermissions) -> (Vec<u8>, u64) {
    let kv = ServiceKv::new(Arc::new(MemoryKv::new()), "s");
    let out = runner.execute(digest, &action(b""), &Limits::COMPONENT_DEFAULT, permissions, kv).await.unwrap();
    let payload = &out.responses[0].payload;
    assert_eq!(payload.len(), 24, "16 random bytes and a u64 time");
    (payload[..16].to_vec(), u64::from_be_bytes(payload[16..].try_into().unwrap()))
}

fn seeded(trigger_id: &[u8], time_ms: u64) -> ExecPermissions {
    ExecPermissions { determinism: Some(Determinism::new(trigger_id, time_ms)), ..permissions() }
}

#[tokio::test]
async fn seeded_runs_agree_and_read_the_trigger_time() {
    let dir = tempfile::tempdir().unwrap();
    let runner = ComponentRunner::new(WasmEngine::new(dir.path()).unwrap()).unwrap();
    let (digest, _) = runner.load(&component("entropy.wasm")).unwrap();
    let time_ms = 1_700_000_000_123;

    let (bytes_a, time_a) = entropy(&runner, &digest, &seeded(b"event-1", time_ms)).await;
    let (bytes_b, time_b) = entropy(&runner, &digest, &seeded(b"event-1", time_ms)).await;
    assert_eq!(bytes_a, bytes_b, "the same trigger seeds the same bytes");
    assert_eq!((time_a, time_b), (time_ms, time_ms), "the wall clock reads the trigger's time");

    let (other, _) = entropy(&runner, &digest, &seeded(b"event-2", time_ms)).await;
    assert_ne!(other, bytes_a, "another trigger gets other bytes");
}

#[tokio::test]
async fn without_the_mode_every_run_differs() {
    let dir = tempfile::tempdir().unwrap();
    let runner = ComponentRunner::new(WasmEngine::new(dir.path()).unwrap()).unwrap();
    let (digest, _) = runner.load(&component("entropy.wasm")).unwrap();

    let (bytes_a, time_a) = entropy(&runner, &digest, &permissions()).await;
    let (bytes_b, _) = entropy(&runner, &digest, &permissions()).await;
    assert_ne!(bytes_a, bytes_b, "the host's random generator");
    let now_ms = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_millis() as u64;
    assert!(time_a > now_ms - 3_600_000 && time_a <= now_ms, "the host's wall clock: {time_a} against {now_ms}");
}

#[tokio::test]
async fn an_adapter_without_blocks_is_named_when_a_block_time_is_asked() {
    // The sparse-chain fixture exports only the `adapter` interface.
    let dir = tempfile::tempdir().unwrap();
    let adapters = dir.path().join("adapters");
    std::fs::create_dir_all(&adapters).unwrap();
    std::fs::copy(common::guest_path("fixtures/sparse-chain.wasm"), adapters.join("sparse.wasm")).unwrap();
    let registry = Arc::new(AdapterRegistry::new(WasmEngine::new(dir.path().join("cache")).unwrap(), &adapters).unwrap());
    registry.scan().await.unwrap();
    let signer = AdapterSigner::public_only(&Signer::from_hex(&"22".repeat(32)).unwrap()).unwrap();
    let chain = common::fixture_chain(registry, "sparse", signer, Limits::ADAPTER_DEFAULT);

    let err = chain.block_time(1).await.unwrap_err();
    assert!(!err.is_retryable(), "{err}");
    let message = err.to_string();
    assert!(message.contains("sparse") && message.contains("no `blocks` interface") && message.contains("deterministic"), "{message}");
}
