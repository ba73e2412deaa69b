//! Manifests as the API shows them: component `config` values (URLs with keys in
//! them, endpoints, settings a builder did not mean to publish) only to a caller with the
//! API token. Without it every value is replaced by [`REDACTED`]; the keys stay, so a
//! reader still sees which variables a component has.

use wavs_types::ServiceManifest;

/// What a config value reads as without the token.
pub const REDACTED: &str = "<redacted: send the API token to see config values>";

/// `manifest` with every component config value replaced by [`REDACTED`].
pub fn without_config_values(mut manifest: ServiceManifest) -> ServiceManifest {
    for component in manifest.components.values_mut() {
        for value in component.config.values_mut() {
            *value = REDACTED.to_string();
        }
    }
    manifest
}
