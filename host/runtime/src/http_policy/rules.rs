//! The node-wide rules over every component's allow-list: which restricted hosts the
//! operator explicitly allows (`http-allow-private`), and where the node's own services
//! are (its API, its aggregator, its chains' RPC endpoints), which no component reaches
//! unless the operator lists that exact `host:port`.

use super::addresses::{restricted, this_machine};
use super::entries::{Host, HostEntry, canonical, default_port};
use parking_lot::RwLock;
use std::collections::BTreeMap;
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;

/// Node-wide rules for outgoing HTTP. Clones share one set of rules, so the node can
/// update its own services (a chain added at runtime) while runners hold a clone.
/// The default allows nothing restricted and knows no own services.
#[derive(Debug, Clone, Default)]
pub struct HttpRules {
    inner: Arc<RwLock<Inner>>,
}

#[derive(Debug, Default)]
struct Inner {
    /// The operator's explicit allowances.
    allowed: Vec<HostEntry>,
    /// The node's own services, by group (`api`, `aggregator`, `chains`).
    own: BTreeMap<String, Vec<OwnService>>,
}

/// One of the node's own services.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OwnService {
    /// What it is, for messages ("the node's API (api-addr)").
    what: String,
    /// `None`: every address of this machine (a service bound to the wildcard address).
    host: Option<Host>,
    port: u16,
}

impl OwnService {
    /// A service listening on `addr`; the wildcard address means all of this machine's.
    pub fn socket(what: impl Into<String>, addr: SocketAddr) -> OwnService {
        let ip = canonical(addr.ip());
        let host = (!ip.is_unspecified()).then_some(Host::Ip(ip));
        OwnService { what: what.into(), host, port: addr.port() }
    }

    /// The service a URL (`http[s]://host[:port]/...`) points to; `None` if it names none.
    pub fn url(what: impl Into<String>, url: &str) -> Option<OwnService> {
        let uri: hyper::Uri = url.parse().ok()?;
        let host = Host::of_uri(&uri).ok()?;
        let port = uri.port_u16().unwrap_or(default_port(uri.scheme_str() == Some("https")));
        let host = (host.ip().is_none_or(|ip| !ip.is_unspecified())).then_some(host);
        Some(OwnService { what: what.into(), host, port })
    }

    /// Whether a connection to `name` (the requested host) at `ip` on `port` reaches it.
    fn reached_by(&self, name: &Host, ip: Option<IpAddr>, port: u16) -> bool {
        if port != self.port {
            return false;
        }
        match &self.host {
            None => name.is_localhost() || ip.is_some_and(this_machine),
            Some(own) if own == name => true,
            // Compared once resolved too: see `HttpRules::own_names`.
            Some(Host::Ip(own)) => ip == Some(*own),
            // `localhost` needs no DNS to know: every loopback address reaches it.
            Some(own) => own.is_localhost() && ip.is_some_and(|ip| ip.is_loopback()),
        }
    }
}

impl HttpRules {
    /// Rules allowing the operator's `http-allow-private` entries (`host`: any port of
    /// that host; `host:port`: that port only). Refuses an entry that does not parse,
    /// saying which.
    pub fn new(allow_private: &[String]) -> Result<HttpRules, String> {
        let allowed = allow_private
            .iter()
            .map(|raw| HostEntry::parse(raw).map_err(|why| format!("{raw:?}: {why}")))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(HttpRules { inner: Arc::new(RwLock::new(Inner { allowed, own: BTreeMap::new() })) })
    }

    /// Rules allowing exactly `entries`, restricted or not: what the operator configured
    /// itself (a chain's RPC URLs for its adapter, `wavs exec --allow-http-host`).
    pub fn trusting(entries: Vec<HostEntry>) -> HttpRules {
        HttpRules { inner: Arc::new(RwLock::new(Inner { allowed: entries, own: BTreeMap::new() })) }
    }

    /// Replaces the node's own services of `group` (for example `chains`).
    pub fn set_own_services(&self, group: &str, services: Vec<OwnService>) {
        self.inner.write().own.insert(group.to_string(), services);
    }

    /// Parses a manifest's allow-list entry and checks it at deploy: refused if it names
    /// the node's own service or a restricted host the operator has not allowed. Names
    /// are checked again once resolved, at each request ([`HttpRules::check_address`]).
    pub fn check_grant(&self, raw: &str) -> Result<HostEntry, String> {
        let entry = HostEntry::parse(raw)?;
        let ports = match entry.port {
            Some(port) => vec![port],
            // A grant without a port covers 80 (http) and 443 (https).
            None => vec![80, 443],
        };
        let ip = entry.host.ip();
        for port in ports {
            let target = format!("{}:{port}", entry.host);
            let inner = self.inner.read();
            if let Some(what) = inner.own_service(&entry.host, ip, port) {
                if !inner.allows_exactly(&entry.host, ip, port) {
                    return Err(own_refusal(&target, what));
                }
            }
            let why = match ip {
                Some(ip) => restricted(ip).or_else(|| this_machine(ip).then_some("an address of this machine")),
                None => entry.host.is_localhost().then_some("a name of this machine (loopback)"),
            };
            if let Some(why) = why {
                if !inner.allows(&entry.host, ip, port) {
                    return Err(restricted_refusal(&target, why));
                }
            }
        }
        Ok(entry)
    }

    /// The request-time check of one address `host` resolved to: refused if that address
    /// is the node's own service or restricted, unless the operator allows it (by the
    /// requested name or by the address). `own_resolved` holds the addresses the own
    /// services named by DNS resolve to now, with what they are.
    pub fn check_address(&self, host: &Host, port: u16, ip: IpAddr, own_resolved: &[(IpAddr, String)]) -> Result<(), String> {
        let ip = canonical(ip);
        let target = match host {
            Host::Ip(_) => format!("{host}:{port}"),
            Host::Name(_) => format!("{host}:{port} (resolved to {})", Host::Ip(ip)),
        };
        let inner = self.inner.read();
        let own = inner
            .own_service(host, Some(ip), port)
            .or_else(|| own_resolved.iter().find(|(own, _)| *own == ip).map(|(_, what)| what.as_str()));
        if let Some(what) = own {
            if !inner.allows_exactly(host, Some(ip), port) {
                return Err(own_refusal(&target, what));
            }
        }
        let why = restricted(ip).or_else(|| this_machine(ip).then_some("an address of this machine"));
        if let Some(why) = why {
            if !inner.allows(host, Some(ip), port) {
                return Err(restricted_refusal(&target, why));
            }
        }
        Ok(())
    }

    /// The own services on `port` that are named by DNS, with what they are: resolved
    /// at each request to that port, so that another name for the same address does
    /// not reach them.
    pub fn own_names(&self, port: u16) -> Vec<(String, String)> {
        let inner = self.inner.read();
        inner
            .own
            .values()
            .flatten()
            .filter(|s| s.port == port)
            .filter_map(|s| match &s.host {
                Some(Host::Name(name)) => Some((name.clone(), s.what.clone())),
                _ => None,
            })
            .collect()
    }
}

impl Inner {
    fn own_service(&self, host: &Host, ip: Option<IpAddr>, port: u16) -> Option<&str> {
        self.own.values().flatten().find(|s| s.reached_by(host, ip, port)).map(|s| s.what.as_str())
    }

    /// An operator entry names this host (by the requested name or the address) and
    /// this port, or any port.
    fn allows(&self, host: &Host, ip: Option<IpAddr>, port: u16) -> bool {
        self.allowed.iter().any(|e| names(e, host, ip) && e.port.is_none_or(|p| p == port))
    }

    /// An operator entry names this host and exactly this port: what it takes to let a
    /// component reach one of the node's own services.
    fn allows_exactly(&self, host: &Host, ip: Option<IpAddr>, port: u16) -> bool {
        self.allowed.iter().any(|e| names(e, host, ip) && e.port == Some(port))
    }
}

fn names(entry: &HostEntry, host: &Host, ip: Option<IpAddr>) -> bool {
    entry.host == *host || ip.is_some_and(|ip| entry.host == Host::Ip(ip))
}

fn own_refusal(target: &str, what: &str) -> String {
    format!(
        "{target} is {what}; components may not reach the node's own services unless the operator \
         lists this exact host:port under http-allow-private in the node's configuration"
    )
}

fn restricted_refusal(target: &str, why: &str) -> String {
    format!(
        "{target} is {why}; components may reach it only if the operator lists it under \
         http-allow-private in the node's configuration"
    )
}

#[cfg(test)]
#[path = "rules_tests.rs"]
mod tests;
