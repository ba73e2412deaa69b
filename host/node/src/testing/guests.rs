//! Reading the guests `scripts/build-guests.sh` builds. Shared by the unit tests
//! (`crate::testing`) and the integration tests (`tests/common`, through `#[path]`),
//! which cannot see the library's test-only modules.

/// A built guest (`components/echo.wasm`), read from the target dir (`CARGO_TARGET_DIR`,
/// else the repository's), as the devnet finds them.
pub fn guest(relative: &str) -> Vec<u8> {
    let target = std::env::var_os("CARGO_TARGET_DIR").filter(|d| !d.is_empty()).map(std::path::PathBuf::from);
    let target = target.unwrap_or_else(|| std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../target"));
    let path = target.join("guests").join(relative);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}; run scripts/build-guests.sh", path.display()))
}
