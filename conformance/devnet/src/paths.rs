//! Where the built binaries, guests and local chain tools are.

use std::path::PathBuf;

/// The repository root.
pub fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..").canonicalize().expect("repo root exists")
}

/// The cargo target directory (`CARGO_TARGET_DIR` or `<repo>/target`).
pub fn target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR").map(PathBuf::from).unwrap_or_else(|| repo_root().join("target"))
}

/// A host binary built by cargo (`wavs`, `wavs-aggregator`); `WAVS_BIN_DIR` overrides
/// the folder.
pub fn binary(name: &str) -> PathBuf {
    let dir = std::env::var_os("WAVS_BIN_DIR").map(PathBuf::from).unwrap_or_else(|| target_dir().join("debug"));
    dir.join(name)
}

/// A guest built by `scripts/build-guests.sh`: `adapters/evm.wasm`, `components/square.wasm`.
pub fn guest(relative: &str) -> PathBuf {
    target_dir().join("guests").join(relative)
}

/// The anvil binary from the npm package (or `ANVIL_BIN`).
pub fn anvil() -> PathBuf {
    std::env::var_os("ANVIL_BIN")
        .map(PathBuf::from)
        .unwrap_or_else(|| repo_root().join("node_modules/@foundry-rs/anvil-linux-amd64/bin/anvil"))
}

/// The pinned wasmd version `scripts/build-wasmd.sh` builds.
pub const WASMD_VERSION: &str = "v0.70.3";

/// The wasmd binary: `WAVS_WASMD`, else where `scripts/build-wasmd.sh` caches it
/// (`${WAVS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/wavs}/wasmd-<version>/bin/wasmd`).
/// Only looks; builds nothing.
pub fn wasmd() -> PathBuf {
    cached_tool("WAVS_WASMD", "wasmd", WASMD_VERSION)
}

/// The pinned kubo version `scripts/build-ipfs.sh` builds.
pub const KUBO_VERSION: &str = "v0.43.1";

/// The kubo (`ipfs`) binary: `WAVS_IPFS`, else where `scripts/build-ipfs.sh` caches it.
/// Only looks; builds nothing.
pub fn ipfs() -> PathBuf {
    cached_tool("WAVS_IPFS", "ipfs", KUBO_VERSION)
}

/// The pinned go-containerregistry version `scripts/build-oci-registry.sh` builds.
pub const OCI_REGISTRY_VERSION: &str = "v0.22.1";

/// go-containerregistry's OCI registry: `WAVS_OCI_REGISTRY`, else where
/// `scripts/build-oci-registry.sh` caches it. Only looks; builds nothing.
pub fn oci_registry() -> PathBuf {
    cached_tool("WAVS_OCI_REGISTRY", "oci-registry", OCI_REGISTRY_VERSION)
}

/// `$variable`, else `<cache>/<name>-<version>/bin/<name>` with the cache of the build
/// scripts: `${WAVS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/wavs}`.
fn cached_tool(variable: &str, name: &str, version: &str) -> PathBuf {
    // Like the shell's `${VAR:-default}`: an empty variable counts as unset.
    let env = |name: &str| std::env::var_os(name).filter(|v| !v.is_empty()).map(PathBuf::from);
    if let Some(bin) = env(variable) {
        return bin;
    }
    let cache = env("WAVS_CACHE").unwrap_or_else(|| {
        env("XDG_CACHE_HOME").unwrap_or_else(|| env("HOME").unwrap_or_default().join(".cache")).join("wavs")
    });
    cache.join(format!("{name}-{version}/bin/{name}"))
}

/// Checks that a needed file exists, saying how to make it if not.
pub fn require(path: &std::path::Path, how: &str) -> Result<(), String> {
    if path.exists() { Ok(()) } else { Err(format!("{} is missing: {how}", path.display())) }
}
