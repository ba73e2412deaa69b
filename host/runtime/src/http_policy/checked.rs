//! The rules applied to the host's own requests to a URL someone else chose: the node
//! fetching a service definition or a component whose URI a chain supplied. The host
//! resolves the name, checks every address as it would a component's, and the caller
//! connects only to those addresses, so DNS cannot answer differently at connect time.

use super::entries::Host;
use super::rules::HttpRules;
use super::send::resolve_own;
use std::net::IpAddr;

/// Why a host's addresses cannot be used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AddressError {
    /// The name did not resolve (now: DNS may answer later).
    Unresolved(String),
    /// An address it resolves to is refused by the rules; says which and why.
    Refused(String),
}

/// Every address `host` resolves to, once each passed `rules` on `port`: the node's own
/// services and restricted (loopback, private, link-local...) addresses are refused
/// unless the operator's `http-allow-private` allows them.
pub async fn checked_addresses(rules: &HttpRules, host: &Host, port: u16) -> Result<Vec<IpAddr>, AddressError> {
    let addresses: Vec<IpAddr> = match host {
        Host::Ip(ip) => vec![*ip],
        Host::Name(name) => tokio::net::lookup_host((name.as_str(), port))
            .await
            .map_err(|e| AddressError::Unresolved(format!("{host} does not resolve: {e}")))?
            .map(|a| a.ip())
            .collect(),
    };
    if addresses.is_empty() {
        return Err(AddressError::Unresolved(format!("{host} resolves to no address")));
    }
    let own = resolve_own(rules, port).await;
    for ip in &addresses {
        rules.check_address(host, port, *ip, &own).map_err(AddressError::Refused)?;
    }
    Ok(addresses)
}
