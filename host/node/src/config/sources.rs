//! The `[sources]` section of the node configuration: where `ipfs://` and `oci://`
//! component sources are fetched from (`fetch/` does the fetching).

use serde::Deserialize;

/// The `[sources]` section of the node config.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct SourcesConfig {
    /// An IPFS HTTP gateway (`http://127.0.0.1:8080` for a local kubo); `ipfs://CID` is
    /// fetched as `<gateway>/ipfs/CID`. Unset: `ipfs://` sources are refused. The gateway
    /// need not be trusted: fetched bytes must match the manifest's digest.
    #[serde(default)]
    pub ipfs_gateway: Option<String>,
    /// OCI registries (`host:port`, as written in `oci://` sources) reached over plain
    /// HTTP rather than HTTPS: a registry on this machine or a private network.
    #[serde(default)]
    pub insecure_registries: Vec<String>,
    /// How long one fetch may take in all, in seconds (default 120).
    #[serde(default = "default_timeout")]
    pub fetch_timeout_secs: u64,
}

fn default_timeout() -> u64 {
    120
}

impl Default for SourcesConfig {
    fn default() -> Self {
        SourcesConfig { ipfs_gateway: None, insecure_registries: Vec::new(), fetch_timeout_secs: default_timeout() }
    }
}

impl SourcesConfig {
    /// Refuses values that parse but cannot work.
    pub fn validate(&self) -> std::result::Result<(), String> {
        if let Some(gateway) = &self.ipfs_gateway {
            if !(gateway.starts_with("http://") || gateway.starts_with("https://")) {
                return Err(format!("sources.ipfs-gateway {gateway:?}: give the gateway's URL, as http://127.0.0.1:8080"));
            }
        }
        if let Some(bad) = self.insecure_registries.iter().find(|r| r.contains("://") || r.contains('/')) {
            return Err(format!("sources.insecure-registries: {bad:?}: write host:port only, as in oci://host:port/repository"));
        }
        if self.fetch_timeout_secs == 0 {
            return Err("sources.fetch-timeout-secs must be greater than 0".into());
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_that_cannot_work_are_refused_saying_what_to_write() {
        let parse = |text: &str| toml::from_str::<SourcesConfig>(text).unwrap().validate();
        parse("ipfs-gateway = \"http://127.0.0.1:8080\"\ninsecure-registries = [\"127.0.0.1:5000\"]").unwrap();
        assert!(parse("ipfs-gateway = \"127.0.0.1:8080\"").unwrap_err().contains("as http://127.0.0.1:8080"));
        assert!(parse("insecure-registries = [\"http://r:5000\"]").unwrap_err().contains("host:port only"));
        assert!(parse("fetch-timeout-secs = 0").unwrap_err().contains("greater than 0"));
    }
}
