//! `wavs push FILE oci://registry/repository:tag`: publishes a component as a Wasm OCI
//! artifact, and prints the manifest lines (`digest`, `source`) that let any node fetch it.

use super::CliResult;
use std::path::Path;

/// Runs `wavs push`.
pub async fn push(file: &Path, to: &str, insecure: bool) -> CliResult {
    let bytes = std::fs::read(file).map_err(|e| format!("cannot read component {}: {e}", file.display()))?;
    let reference = to
        .strip_prefix("oci://")
        .ok_or_else(|| format!("{to:?}: name the target as oci://registry[:port]/repository:tag"))?;
    let digest = wavs_runtime::WasmEngine::digest(&bytes);
    let url = crate::fetch::oci::push_wasm(reference, bytes, insecure).await.map_err(|e| e.to_string())?;
    eprintln!("pushed {} to {url}", file.display());
    println!("\"digest\": \"{digest}\", \"source\": \"{to}\"");
    Ok(())
}
