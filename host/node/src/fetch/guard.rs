//! Chain-supplied URIs (`Origin::Chain`): the host is resolved here and every address it
//! resolves to must pass the node's HTTP rules (`wavs_runtime::http_policy`), as a
//! component's request must. The client then connects only to those addresses, so DNS
//! cannot answer differently at connect time, and follows no redirect, whose target
//! would escape the check.

use crate::config::sources::SourcesConfig;
use crate::error::{NodeError, Result};
use std::net::SocketAddr;
use std::time::Duration;
use wavs_runtime::HttpRules;
use wavs_runtime::http_policy::{AddressError, Host, HostEntry, checked_addresses};

/// A client for `url` that reaches only the checked addresses of its host.
pub(super) async fn client_for(rules: &HttpRules, url: &str, timeout: Duration) -> Result<reqwest::Client> {
    let parsed = reqwest::Url::parse(url).map_err(|e| NodeError::Invalid(format!("{url} is not a URL: {e}")))?;
    let name = parsed.host_str().ok_or_else(|| NodeError::Invalid(format!("{url} names no host")))?;
    let port = parsed.port_or_known_default().ok_or_else(|| NodeError::Invalid(format!("{url} names no port")))?;
    let host = Host::parse(name).map_err(NodeError::Invalid)?;
    let addresses = checked_addresses(rules, &host, port).await.map_err(|e| refused(url, &e))?;
    let builder = reqwest::Client::builder().timeout(timeout).redirect(reqwest::redirect::Policy::none());
    let builder = match host {
        Host::Name(name) => {
            let pinned: Vec<SocketAddr> = addresses.into_iter().map(|ip| SocketAddr::new(ip, port)).collect();
            builder.resolve_to_addrs(&name, &pinned)
        }
        // An IP literal is connected to as written, and was checked as written.
        Host::Ip(_) => builder,
    };
    builder.build().map_err(|e| NodeError::Unavailable(format!("an HTTP client for {url}: {e}")))
}

/// Refuses `oci://reference` if its registry resolves to an address the rules refuse,
/// unless the operator named that registry in `insecure-registries`.
///
/// The registry client resolves the name again when it connects, and follows the
/// registry's token realm; both are left to it (the OCI client takes no resolver).
pub(super) async fn check_registry(rules: &HttpRules, config: &SourcesConfig, reference: &str) -> Result<()> {
    let registry = reference.split('/').next().unwrap_or_default();
    if config.insecure_registries.iter().any(|r| r.eq_ignore_ascii_case(registry)) {
        return Ok(());
    }
    // `host[:port]`, as allow-list entries are written; HTTPS (443) without a port.
    let entry = HostEntry::parse(registry).map_err(|e| NodeError::Invalid(format!("oci://{reference}: {e}")))?;
    let port = entry.port.unwrap_or(443);
    checked_addresses(rules, &entry.host, port).await.map_err(|e| refused(&format!("oci://{reference}"), &e))?;
    Ok(())
}

/// A refusal is final until the URI or the operator's rules change; a name that did not
/// resolve may resolve later.
fn refused(uri: &str, error: &AddressError) -> NodeError {
    match error {
        AddressError::Refused(why) => NodeError::Invalid(format!("{uri} came from the chain and was not fetched: {why}")),
        AddressError::Unresolved(why) => NodeError::Unavailable(format!("cannot reach {uri}: {why}")),
    }
}
