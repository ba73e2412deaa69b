//! Fetching components and service definitions from where a manifest says they are:
//! `http(s)://` (`fetch/http.rs`), `ipfs://` through the operator's gateway
//! (`fetch/ipfs.rs`) and `oci://` registries (`fetch/oci.rs`).
//!
//! Every fetch is capped (a body is read as a stream and dropped the moment it passes the
//! cap) and bounded in time (`[sources] fetch-timeout-secs`). Nothing a source serves is
//! trusted: a component is kept only if its sha256 is the digest its manifest names
//! ([`Fetcher::fetch_component`]), checked before it is compiled or stored.
//!
//! A URI a chain supplied ([`Origin::Chain`]) is held to the rules components' HTTP is
//! held to (`fetch/guard.rs`): whoever sets a manager's service URI must not make every
//! following node request its loopback, private network or own services.

mod components;
mod guard;
mod http;
mod ipfs;
pub mod oci;

pub use components::fetch_missing_components;

#[cfg(test)]
mod tests;

use crate::config::sources::SourcesConfig;
use crate::config::storage::size;
use crate::error::{NodeError, Result};
use std::time::Duration;
use wavs_runtime::HttpRules;
use wavs_types::source::{SourceScheme, parse_source};

/// Who chose a URI, which decides what it may point at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Origin {
    /// The operator: its API (a manifest it deployed) or its configuration. Trusted to
    /// point anywhere, this machine included.
    Operator,
    /// A chain: a manager's service URI and the sources in the definition it names. Only
    /// public addresses, or those the operator allows in `http-allow-private`; no
    /// redirects. The operator's own `ipfs-gateway` and `insecure-registries` stay reachable.
    Chain,
}

/// Fetches bytes from source URIs under the operator's `[sources]` settings.
pub struct Fetcher {
    http: reqwest::Client,
    oci: oci_client::Client,
    config: SourcesConfig,
    /// The node's rules for outgoing HTTP, which chain-supplied URIs are held to.
    rules: HttpRules,
}

impl Fetcher {
    /// A fetcher for the node's `[sources]` section, holding URIs from a chain to `rules`.
    pub fn new(config: &SourcesConfig, rules: HttpRules) -> Fetcher {
        let timeout = Duration::from_secs(config.fetch_timeout_secs);
        // No redirects to other schemes and no cookies: a plain, bounded GET.
        let http = reqwest::Client::builder().timeout(timeout).build().expect("a client without custom TLS builds");
        Fetcher { http, oci: oci::client(config), config: config.clone(), rules }
    }

    /// The bytes at `uri` (`http(s)://`, `ipfs://CID[/path]` or `oci://…`), at most `cap`
    /// of them. For service definitions and anything else named by a URI; the caller
    /// checks them against the digest it expects (components: [`Fetcher::fetch_component`]).
    ///
    /// Errors: `Invalid` for a URI this node cannot fetch (unknown scheme, `ipfs://`
    /// without a gateway configured, an address `origin` may not reach) or a source that
    /// answers "not found"; `TooLarge` past `cap`; `Unavailable` (retryable) when the
    /// source cannot be reached or times out.
    pub async fn fetch_bytes(&self, uri: &str, cap: u64, origin: Origin) -> Result<Vec<u8>> {
        let source = parse_source(uri).map_err(NodeError::Invalid)?;
        let timeout = Duration::from_secs(self.config.fetch_timeout_secs);
        let fetch = async {
            match (source.scheme, origin) {
                (SourceScheme::Http, Origin::Operator) => http::get_capped(&self.http, source.rest, cap).await,
                (SourceScheme::Http, Origin::Chain) => {
                    let client = guard::client_for(&self.rules, source.rest, timeout).await?;
                    http::get_capped(&client, source.rest, cap).await
                }
                (SourceScheme::Ipfs, _) => {
                    let url = ipfs::gateway_url(self.config.ipfs_gateway.as_deref(), source.rest)?;
                    http::get_capped(&self.http, &url, cap).await
                }
                (SourceScheme::Oci, origin) => {
                    if origin == Origin::Chain {
                        guard::check_registry(&self.rules, &self.config, source.rest).await?;
                    }
                    oci::pull_wasm(&self.oci, source.rest, cap).await
                }
            }
        };
        tokio::time::timeout(timeout, fetch).await.map_err(|_| {
            NodeError::Unavailable(format!(
                "no answer in full within [sources] fetch-timeout-secs = {}; try again, or raise it",
                self.config.fetch_timeout_secs
            ))
        })?
    }

    /// The component at `uri` whose sha256 must be `digest`, at most `cap` bytes. Bytes
    /// with another digest are refused (and dropped) before anything runs or is stored.
    pub async fn fetch_component(&self, uri: &str, digest: &str, cap: u64, origin: Origin) -> Result<Vec<u8>> {
        let bytes = self.fetch_bytes(uri, cap, origin).await?;
        let served = wavs_runtime::WasmEngine::digest(&bytes);
        if !served.eq_ignore_ascii_case(digest.trim_start_matches("0x")) {
            return Err(NodeError::Invalid(format!(
                "digest mismatch: the source served {} with sha256 {served}, the manifest names {digest}; \
                 nothing was kept. Point the source at the component the manifest names, or fix the digest",
                size(bytes.len() as u64)
            )));
        }
        Ok(bytes)
    }
}

/// `e` and every error under it, joined: transport errors often say only "error sending
/// request" at the top.
fn cause_chain(e: &dyn std::error::Error) -> String {
    let mut cause = e.to_string();
    let mut source = e.source();
    while let Some(inner) = source {
        cause.push_str(&format!(": {inner}"));
        source = inner.source();
    }
    cause
}

/// The error for a body that went over `cap`.
fn too_large(cap: u64) -> NodeError {
    NodeError::TooLarge(format!(
        "the source serves more than {}, the most this fetch may take; stopped reading there",
        size(cap)
    ))
}
