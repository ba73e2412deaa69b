//! A deploy's missing components: each one the node does not store yet and whose
//! manifest entry names a `source` is fetched, checked against its digest and stored
//! through the same path an upload takes, before the service is checked and goes live. A
//! stored digest is the cache: deploying again fetches nothing.

use super::{Fetcher, Origin};
use crate::components::{CompileState, Components};
use crate::error::{NodeError, Result};
use crate::store::Store;
use std::sync::Arc;
use wavs_types::ServiceManifest;

/// Fetches and stores every component of `manifest` that has a source and is not stored
/// yet, its sources held to what `origin` may reach. The first failure stops the deploy with an error naming the component, its source
/// and the cause; bytes that fail their digest are never stored. (Components fetched
/// before that failure stay stored unused, and are swept like any unused upload.)
pub async fn fetch_missing_components(
    fetcher: &Fetcher,
    components: &Arc<Components>,
    store: &Store,
    manifest: &ServiceManifest,
    origin: Origin,
) -> Result<()> {
    let cap = components.storage().max_component_bytes;
    for (name, spec) in &manifest.components {
        let Some(source) = &spec.source else { continue };
        let digest = spec.digest.trim_start_matches("0x").to_ascii_lowercase();
        // Compiling already (an upload): the deploy's check says to come back once ready.
        // A compile that failed is no reason not to fetch the right bytes now.
        let compiling = matches!(components.compile_state(&digest), Some(CompileState::Compiling { .. }));
        if compiling || store.component_size(&digest).is_some() {
            continue;
        }
        let at = |e: NodeError| in_component(name, source, e);
        let started = std::time::Instant::now();
        let bytes = fetcher.fetch_component(source, &digest, cap, origin).await.map_err(at)?;
        let size = bytes.len();
        components.upload_and_wait(bytes).await.map_err(at)?;
        tracing::info!(component = %name, %source, %digest, bytes = size, ms = started.elapsed().as_millis() as u64, "component fetched");
    }
    Ok(())
}

/// `e`, prefixed with the component and its source, of the same kind (so retryability
/// is kept); too large also names the operator's cap.
fn in_component(name: &str, source: &str, e: NodeError) -> NodeError {
    let at = format!("components.{name}: cannot fetch {source}");
    match e {
        NodeError::Invalid(m) => NodeError::Invalid(format!("{at}: {m}")),
        NodeError::NotFound(m) => NodeError::Invalid(format!("{at}: {m}")),
        NodeError::TooLarge(m) => NodeError::TooLarge(format!(
            "{at}: {m} ([storage] max-component-bytes); shrink the component or raise max-component-bytes in the node config"
        )),
        NodeError::Unavailable(m) => NodeError::Unavailable(format!("{at}: {m}")),
        other if other.is_retryable() => NodeError::Unavailable(format!("{at}: {other}")),
        other => NodeError::Invalid(format!("{at}: {other}")),
    }
}
