//! The adapters directory: valid adapters load by family, anything else is refused with
//! a reason while the others still load, and files dropped in later are picked up.
//! Needs the guests built by `scripts/build-guests.sh`.

mod common;

use std::path::PathBuf;
use wavs_runtime::adapter::AdapterFileState;
use wavs_runtime::bindings::adapter_api::BlockTag;
use wavs_runtime::{AdapterRegistry, ChainAdapter, Limits, RuntimeError, Signer, WasmEngine};

fn guest(relative: &str) -> PathBuf {
    common::guest_path(relative)
}

fn refusal(registry: &AdapterRegistry, file: &str) -> String {
    registry
        .files()
        .into_iter()
        .find(|(p, _)| p.file_name().is_some_and(|n| n == file))
        .map(|(_, state)| match state {
            AdapterFileState::Refused { reason } => reason,
            AdapterFileState::Loaded { family } => panic!("{file} loaded as {family}"),
        })
        .unwrap_or_else(|| panic!("{file} not seen"))
}

#[tokio::test]
async fn broken_files_are_refused_with_reasons_and_valid_ones_load() {
    let dir = tempfile::tempdir().unwrap();
    let adapters = dir.path().join("adapters");
    std::fs::create_dir_all(&adapters).unwrap();
    std::fs::write(adapters.join("garbage.wasm"), b"\0asm but not really").unwrap();
    // A service component is a valid component of the wrong world.
    std::fs::copy(guest("components/echo.wasm"), adapters.join("echo.wasm")).unwrap();
    std::fs::write(adapters.join("notes.txt"), b"ignored: not a .wasm").unwrap();

    let engine = WasmEngine::new(dir.path().join("cache")).unwrap();
    let registry = AdapterRegistry::new(engine, &adapters).unwrap();
    let report = registry.scan().await.unwrap();
    assert!(report.loaded.is_empty());
    assert_eq!(report.refused.len(), 2);
    assert!(refusal(&registry, "garbage.wasm").starts_with("invalid component"));
    let wrong_world = refusal(&registry, "echo.wasm");
    assert!(wrong_world.contains("not a chain adapter") || wrong_world.contains("does not offer"), "{wrong_world}");

    // Dropped in while running: picked up by the next scan, the refused stay refused.
    std::fs::copy(guest("adapters/evm.wasm"), adapters.join("evm.wasm")).unwrap();
    let report = registry.scan().await.unwrap();
    assert_eq!(report.loaded.len(), 1, "{report:?}");
    let program = registry.program("evm").expect("evm family served");
    assert_eq!(program.info().family, "evm");
    assert!(program.info().has_testing);
    assert!(program.has_services(), "the reference adapter exports services");
    assert!(registry.scan().await.unwrap().loaded.is_empty(), "unchanged files are not reloaded");

    // A second file claiming the same family is refused, naming the first.
    std::fs::copy(guest("adapters/evm.wasm"), adapters.join("evm-copy.wasm")).unwrap();
    registry.scan().await.unwrap();
    assert!(refusal(&registry, "evm-copy.wasm").contains("already served by"));

    // The serving file removed: the family goes with it, and the copy refused for that
    // family loads in the same scan.
    std::fs::remove_file(adapters.join("evm.wasm")).unwrap();
    let report = registry.scan().await.unwrap();
    assert_eq!(report.removed, vec![(adapters.join("evm.wasm"), Some("evm".to_string()))]);
    assert_eq!(report.loaded, vec![(adapters.join("evm-copy.wasm"), "evm".to_string())]);
    assert_eq!(registry.program("evm").unwrap().info().path, adapters.join("evm-copy.wasm"));
    assert!(refusal(&registry, "garbage.wasm").starts_with("invalid component"), "still refused after the retry");
    // And with no file left for it, no family.
    std::fs::remove_file(adapters.join("evm-copy.wasm")).unwrap();
    let report = registry.scan().await.unwrap();
    assert_eq!(report.removed.len(), 1, "{report:?}");
    assert!(registry.program("evm").is_none(), "nothing served from a deleted file");
    assert!(registry.files().iter().all(|(p, _)| p.exists()), "deleted files are forgotten");
}

/// A chain served by whichever `broken` fixture `registry` holds.
fn broken_chain(registry: std::sync::Arc<AdapterRegistry>, limits: Limits) -> ChainAdapter {
    let signer = Signer::from_hex(&"22".repeat(32)).unwrap();
    common::fixture_chain(registry, "broken", wavs_runtime::AdapterSigner::Submitting(signer), limits)
}

/// The broken-adapter fixtures: refused at load with a reason that names what is wrong,
/// or (the endless loop) loaded, then cut off per call while the instance restarts.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn broken_adapters_are_refused_or_contained() {
    let dir = tempfile::tempdir().unwrap();
    let adapters = dir.path().join("adapters");
    std::fs::create_dir_all(&adapters).unwrap();
    for variant in ["trap-in-describe", "unknown-import", "loop-in-events"] {
        let file = format!("adapter-{variant}.wasm");
        std::fs::copy(guest(&format!("fixtures/{file}")), adapters.join(&file)).unwrap();
    }
    let engine = WasmEngine::new(dir.path().join("cache")).unwrap();
    let registry = std::sync::Arc::new(AdapterRegistry::new(engine, &adapters).unwrap());
    let report = registry.scan().await.unwrap();
    assert_eq!(report.refused.len(), 2, "{report:?}");

    let trapped = refusal(&registry, "adapter-trap-in-describe.wasm");
    assert!(trapped.contains("describe() failed") && trapped.contains("traps on purpose"), "{trapped}");
    let unknown = refusal(&registry, "adapter-unknown-import.wasm");
    assert!(unknown.contains("does not offer") && unknown.contains("wavs-fixture:broken/missing"), "{unknown}");

    // The endless loop loads (its describe is fine) and is stopped per call.
    let program = registry.program("broken").expect("loop-in-events loads as family broken");
    assert!(program.info().path.ends_with("adapter-loop-in-events.wasm"));
    let chain = broken_chain(registry.clone(), Limits { time_ms: 1_500, ..Limits::ADAPTER_DEFAULT });
    let head = chain.head(BlockTag::Latest).await.expect("head works").height;
    let err = chain.events(&[], head, head).await.unwrap_err();
    assert!(matches!(err.cause(), RuntimeError::LimitExceeded(_)), "{err}");
    assert!(err.is_retryable() && err.kind() == "adapter-fault", "a fresh instance may answer: {err}");
    assert!(err.to_string().contains("events"), "the error names the call: {err}");
    assert_eq!(chain.restarts(), 1, "the instance that looped was dropped");
    assert!(chain.head(BlockTag::Latest).await.expect("a fresh instance serves the next call").height >= head);
}

/// A registry (and the directory that holds it) that has loaded the one guest `relative`.
async fn registry_of(relative: &str) -> (tempfile::TempDir, std::sync::Arc<AdapterRegistry>) {
    let dir = tempfile::tempdir().unwrap();
    let adapters = dir.path().join("adapters");
    std::fs::create_dir_all(&adapters).unwrap();
    let file = std::path::Path::new(relative).file_name().unwrap();
    std::fs::copy(guest(relative), adapters.join(file)).unwrap();
    let engine = WasmEngine::new(dir.path().join("cache")).unwrap();
    let registry = std::sync::Arc::new(AdapterRegistry::new(engine, &adapters).unwrap());
    assert_eq!(registry.scan().await.unwrap().loaded.len(), 1, "{relative} loads");
    (dir, registry)
}

#[tokio::test]
async fn events_over_the_output_limit_are_refused() {
    let (_dir, registry) = registry_of("fixtures/adapter-huge-events.wasm").await;
    // The fixture returns 8 MiB of event data per call.
    let chain = broken_chain(registry.clone(), Limits { output_bytes: 1 << 20, ..Limits::ADAPTER_DEFAULT });
    let err = chain.events(&[], 5, 5).await.unwrap_err();
    assert!(matches!(err, RuntimeError::LimitExceeded(ref m) if m.contains("over the output limit of 1048576 bytes")), "{err}");
    let roomy = broken_chain(registry, Limits::ADAPTER_DEFAULT);
    assert_eq!(roomy.events(&[], 5, 5).await.unwrap().len(), 1, "within the default limit it is delivered");
}

/// An adapter without the optional `services` export loads and serves its chain; asked
/// for services defined on chain, it answers `unsupported`, saying what to rebuild.
#[tokio::test]
async fn an_adapter_without_services_says_so() {
    let (_dir, registry) = registry_of("adapters/starter.wasm").await;
    let signer = wavs_runtime::AdapterSigner::Submitting(Signer::from_hex(&"22".repeat(32)).unwrap());
    let chain = common::fixture_chain(registry, "starter", signer, Limits::ADAPTER_DEFAULT);
    assert!(!chain.has_services());
    let manager = "0x0000000000000000000000000000000000000001";
    for err in [
        chain.service_uri(manager).await.unwrap_err(),
        chain.service_uri_filter(manager).await.map(|_| ()).unwrap_err(),
        chain.set_service_uri(manager, "ipfs://x").await.unwrap_err(),
    ] {
        assert!(!err.is_retryable(), "{err}");
        let text = err.to_string();
        assert!(text.contains("unsupported") && text.contains("exports no services interface") && text.contains("chain-adapter-with-services"), "{text}");
    }
    assert_eq!(chain.restarts(), 0, "a missing export is an answer, not a fault");
}

