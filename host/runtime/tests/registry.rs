//! The adapters directory: valid adapters load by family, anything else is refused with
//! a reason while the others still load, and files dropped in later are picked up.
//! Needs the guests built by `scripts/build-guests.sh`.

use std::path::PathBuf;
use wavs_runtime::adapter::AdapterFileState;
use wavs_runtime::{AdapterRegistry, WasmEngine};

fn guest(relative: &str) -> PathBuf {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../target/guests").join(relative);
    assert!(path.exists(), "{} is missing: run scripts/build-guests.sh", path.display());
    path
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
    assert!(registry.scan().await.unwrap().loaded.is_empty(), "unchanged files are not reloaded");

    // A second file claiming the same family is refused, naming the first.
    std::fs::copy(guest("adapters/evm.wasm"), adapters.join("evm-copy.wasm")).unwrap();
    registry.scan().await.unwrap();
    assert!(refusal(&registry, "evm-copy.wasm").contains("already served by"));
}
