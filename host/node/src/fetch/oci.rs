//! `oci://registry[:port]/repository(:tag|@sha256:…)` sources: a component published as a
//! Wasm OCI artifact (the CNCF TAG Runtime layout: config
//! `application/vnd.wasm.config.v0+json`, one layer `application/wasm` holding the
//! `.wasm`). Pulled anonymously; registries listed in `[sources] insecure-registries` over
//! plain HTTP, others over HTTPS. The layer's declared size is checked against the cap
//! before any of it is read, and the read itself stops at the cap.

use super::{cause_chain, too_large};
use crate::config::sources::SourcesConfig;
use crate::error::{NodeError, Result};
use futures_util::TryStreamExt;
use oci_client::client::{ClientConfig, ClientProtocol};
use oci_client::errors::OciDistributionError;
use oci_client::secrets::RegistryAuth;
use oci_client::{Client, Reference};

/// The layer media type of a Wasm OCI artifact (what `wkg oci push` and
/// `wavs component push` write).
pub const WASM_LAYER: &str = "application/wasm";
/// The config media type of a Wasm OCI artifact.
pub const WASM_CONFIG: &str = "application/vnd.wasm.config.v0+json";

/// A client for the operator's registries.
pub(super) fn client(config: &SourcesConfig) -> Client {
    let protocol = ClientProtocol::HttpsExcept(config.insecure_registries.clone());
    Client::new(ClientConfig { protocol, ..Default::default() })
}

/// The `.wasm` layer of the artifact `reference`, at most `cap` bytes.
pub(super) async fn pull_wasm(client: &Client, reference: &str, cap: u64) -> Result<Vec<u8>> {
    let image: Reference = reference
        .parse()
        .map_err(|e| NodeError::Invalid(format!("oci://{reference}: not a registry/repository:tag reference: {e}")))?;
    let auth = RegistryAuth::Anonymous;
    let (manifest, _) = client.pull_image_manifest(&image, &auth).await.map_err(|e| failed(reference, e))?;
    // The older `wasm-to-oci` layer type is taken too: the layer holds the same bytes.
    let wasm = |media: &str| media == WASM_LAYER || media == oci_client::manifest::WASM_LAYER_MEDIA_TYPE;
    let layer = match manifest.layers.iter().filter(|l| wasm(&l.media_type)).collect::<Vec<_>>()[..] {
        [one] => one.clone(),
        _ => {
            let found: Vec<_> = manifest.layers.iter().map(|l| l.media_type.as_str()).collect();
            return Err(NodeError::Invalid(format!(
                "oci://{reference} is not a Wasm component artifact: expected one layer of type {WASM_LAYER}, found {found:?}"
            )));
        }
    };
    if u64::try_from(layer.size).map_or(true, |size| size > cap) {
        return Err(too_large(cap));
    }
    let mut stream = client.pull_blob_stream(&image, &layer).await.map_err(|e| failed(reference, e))?;
    let mut body = Vec::new();
    while let Some(chunk) = stream.try_next().await.map_err(|e| NodeError::Unavailable(format!("oci://{reference}: {e}")))? {
        if (body.len() + chunk.len()) as u64 > cap {
            return Err(too_large(cap));
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

/// A registry's refusal: not found or unauthorized will answer the same again; the rest
/// (unreachable, server errors) may not.
fn failed(reference: &str, e: OciDistributionError) -> NodeError {
    let message = format!("oci://{reference}: {}", cause_chain(&e));
    match e {
        OciDistributionError::ImageManifestNotFoundError(_)
        | OciDistributionError::UnauthorizedError { .. }
        | OciDistributionError::AuthenticationFailure(_) => NodeError::Invalid(message),
        OciDistributionError::RegistryError { .. } => NodeError::Invalid(message),
        _ => NodeError::Unavailable(message),
    }
}

/// Publishes `wasm` to `oci://reference` as a Wasm OCI artifact (anonymously: a registry
/// that needs a login takes it from its own tools); `insecure` reaches the registry over
/// plain HTTP. Returns the manifest's URL.
pub async fn push_wasm(reference: &str, wasm: Vec<u8>, insecure: bool) -> Result<String> {
    let image: Reference = reference
        .parse()
        .map_err(|e| NodeError::Invalid(format!("oci://{reference}: not a registry/repository:tag reference: {e}")))?;
    let protocol = if insecure { ClientProtocol::Http } else { ClientProtocol::Https };
    // One PUT per blob: chunked uploads need a `Location` on every PATCH answer, which not
    // every registry sends (go-containerregistry's does not).
    let client = Client::new(ClientConfig { protocol, use_monolithic_push: true, ..Default::default() });
    client.store_auth_if_needed(image.resolve_registry(), &RegistryAuth::Anonymous).await;
    let layer = oci_client::client::ImageLayer::new(wasm, WASM_LAYER.into(), None);
    let config = serde_json::json!({
        "architecture": "wasm",
        "os": "wasip2",
        "layerDigests": [layer.sha256_digest()],
    });
    let config = oci_client::client::Config::new(config.to_string().into_bytes(), WASM_CONFIG.into(), None);
    let manifest = oci_client::manifest::OciImageManifest::build(std::slice::from_ref(&layer), &config, None);
    for (data, digest) in [(&layer.data, &manifest.layers[0].digest), (&config.data, &manifest.config.digest)] {
        match client.push_blob(&image, data, digest).await {
            // A 201 without the blob's `Location` (which the spec asks for): it is stored.
            Ok(_) | Err(OciDistributionError::RegistryNoLocationError) => {}
            Err(e) => return Err(failed(reference, e)),
        }
    }
    client.push_manifest(&image, &manifest.into()).await.map_err(|e| failed(reference, e))
}
