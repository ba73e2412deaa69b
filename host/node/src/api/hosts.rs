//! Which `Host` and `Origin` a request may name: the node's own addresses only.
//!
//! A browser visiting a hostile page can still reach a node on loopback: by a form or
//! `fetch` to it (the request carries the page's `Origin`), or by DNS rebinding, where
//! the hostile name comes to resolve to 127.0.0.1 (the request carries the hostile name in
//! `Host`). So every request naming a `Host` that is not one of the node's addresses is
//! refused (421), and every request with an `Origin` that is not one of them is refused
//! (403). The node's addresses: its `api-addr`, `localhost`, `127.0.0.1` and `[::1]` on
//! the API's port, and the names in `api-allowed-hosts` (for a proxy or a DNS name).
//!
//! Bound to `0.0.0.0` or `[::]`, the node has every address of its machine; a `Host`
//! that is an IP address on the API's port is accepted then (DNS rebinding needs a name).
//! A port of 0 (the OS picks; tests and embedders) accepts the names on any port.

use axum::extract::{Request, State};
use axum::http::{StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::Json;
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use crate::config::allowed_hosts::{Entry, parse_allowed, split_host_port};
use wavs_types::ApiError;


/// The node's own addresses, as `Host` and `Origin` may name them.
#[derive(Debug, Clone)]
pub struct AllowedHosts {
    entries: Vec<Entry>,
    /// Bound to every address: any IP literal on `ip_port` is the node's.
    any_ip: bool,
    ip_port: Option<u16>,
}

impl AllowedHosts {
    /// The addresses of a node whose API listens on `api_addr`, plus `extra` entries
    /// (`host` for any port, or `host:port`) from `api-allowed-hosts`.
    pub fn new(api_addr: SocketAddr, extra: &[String]) -> Result<Self, String> {
        let port = (api_addr.port() != 0).then_some(api_addr.port());
        let own = [format_ip(api_addr.ip()), "localhost".into(), "127.0.0.1".into(), "[::1]".into()];
        let mut entries: Vec<Entry> = own.into_iter().map(|host| Entry { host, port }).collect();
        for item in extra {
            entries.push(parse_allowed(item)?);
        }
        Ok(AllowedHosts { entries, any_ip: api_addr.ip().is_unspecified(), ip_port: port })
    }

    /// Whether a `Host` header value names this node (a missing port is 80).
    pub fn allows_host(&self, value: &str) -> bool {
        let Some((host, port)) = split_host_port(value) else { return false };
        let port = port.unwrap_or(80);
        let ip_ok = self.any_ip && is_ip(&host) && self.ip_port.is_none_or(|p| p == port);
        ip_ok || self.matches(&host, port)
    }

    /// Whether an `Origin` header value is one of this node's own origins: `http` or
    /// `https` on one of its addresses. `null` and anything else are not.
    pub fn allows_origin(&self, value: &str) -> bool {
        let (default_port, rest) = if let Some(rest) = value.strip_prefix("http://") {
            (80, rest)
        } else if let Some(rest) = value.strip_prefix("https://") {
            (443, rest)
        } else {
            return false;
        };
        match split_host_port(rest) {
            Some((host, port)) => self.matches(&host, port.unwrap_or(default_port)),
            None => false,
        }
    }

    fn matches(&self, host: &str, port: u16) -> bool {
        self.entries.iter().any(|e| e.host == host && e.port.is_none_or(|p| p == port))
    }

    /// The addresses, for messages: `localhost:8000, 127.0.0.1:8000, …`.
    pub fn describe(&self) -> String {
        let mut shown: Vec<String> = self
            .entries
            .iter()
            .map(|e| match e.port {
                Some(p) => format!("{}:{p}", e.host),
                None => format!("{} (any port)", e.host),
            })
            .collect();
        if self.any_ip {
            shown.push("any IP address of this machine".into());
        }
        shown.dedup();
        shown.join(", ")
    }
}

fn format_ip(ip: IpAddr) -> String {
    match ip {
        IpAddr::V4(v4) => v4.to_string(),
        IpAddr::V6(v6) => format!("[{v6}]"),
    }
}

fn is_ip(host: &str) -> bool {
    host.trim_start_matches('[').trim_end_matches(']').parse::<IpAddr>().is_ok()
}

fn refuse(status: StatusCode, error: String) -> Response {
    (status, Json(ApiError { error, retryable: false })).into_response()
}

/// Middleware: refuses a request whose `Host` (or HTTP/2 authority) or `Origin` is not
/// the node's own. A request naming no host at all is no browser's, and passes.
pub(super) async fn check(State(allowed): State<Arc<AllowedHosts>>, request: Request, next: Next) -> Response {
    let host = match request.headers().get(header::HOST) {
        Some(value) => Some(value.to_str().unwrap_or("").to_string()),
        None => request.uri().authority().map(|a| a.as_str().to_string()),
    };
    if let Some(host) = host
        && !allowed.allows_host(&host)
    {
        return refuse(
            StatusCode::MISDIRECTED_REQUEST,
            format!(
                "this node does not answer to Host {host:?} (refused so that DNS rebinding cannot reach it); it answers to {}. \
                 Reaching it by another name (a proxy, a DNS name, a tunnel)? Add that name to api-allowed-hosts in the node's configuration",
                allowed.describe()
            ),
        );
    }
    if let Some(origin) = request.headers().get(header::ORIGIN) {
        let origin = origin.to_str().unwrap_or("");
        if !allowed.allows_origin(origin) {
            return refuse(
                StatusCode::FORBIDDEN,
                format!(
                    "cross-origin request refused: Origin {origin:?} is not this node's own ({}); web pages of other sites \
                     may not use the node's API",
                    allowed.describe()
                ),
            );
        }
    }
    next.run(request).await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(addr: &str, extra: &[&str]) -> AllowedHosts {
        let extra: Vec<String> = extra.iter().map(|s| s.to_string()).collect();
        AllowedHosts::new(addr.parse().unwrap(), &extra).unwrap()
    }

    #[test]
    fn hosts_are_the_nodes_own_addresses() {
        let a = at("127.0.0.1:8000", &["wavs.example.com", "proxy.local:9000"]);
        for ok in ["127.0.0.1:8000", "localhost:8000", "LOCALHOST:8000", "[::1]:8000", "wavs.example.com", "wavs.example.com:443", "proxy.local:9000"] {
            assert!(a.allows_host(ok), "{ok}");
        }
        for refused in ["evil.example", "evil.example:8000", "localhost:8001", "localhost", "127.0.0.1", "10.0.0.1:8000", "proxy.local:9001", "", "[::1", "a b:8000"] {
            assert!(!a.allows_host(refused), "{refused}");
        }
        assert!(a.describe().contains("localhost:8000") && a.describe().contains("wavs.example.com (any port)"), "{}", a.describe());
    }

    #[test]
    fn a_wildcard_bind_takes_ip_hosts_but_not_foreign_names_or_origins() {
        let a = at("0.0.0.0:8000", &[]);
        assert!(a.allows_host("10.1.2.3:8000") && a.allows_host("[fe80::1]:8000"));
        assert!(!a.allows_host("10.1.2.3:8001") && !a.allows_host("evil.example:8000"));
        assert!(!a.allows_origin("http://10.1.2.3:8000"), "origins stay strict");
        let any_port = at("127.0.0.1:0", &[]);
        assert!(any_port.allows_host("localhost:41234") && !any_port.allows_host("evil.example:41234"));
    }

    #[test]
    fn origins_are_the_nodes_own() {
        let a = at("127.0.0.1:8000", &["wavs.example.com"]);
        for ok in ["http://127.0.0.1:8000", "http://localhost:8000", "http://[::1]:8000", "https://wavs.example.com"] {
            assert!(a.allows_origin(ok), "{ok}");
        }
        for refused in ["http://evil.example", "null", "http://localhost:3000", "http://localhost", "file://", "http://127.0.0.1:8000/x", "ftp://localhost:8000"] {
            assert!(!a.allows_origin(refused), "{refused}");
        }
    }

    #[test]
    fn allowed_host_entries_are_checked() {
        assert!(parse_allowed("wavs.example.com").is_ok());
        assert_eq!(parse_allowed("[::1]:9000").unwrap(), Entry { host: "[::1]".into(), port: Some(9000) });
        for bad in ["http://x", "x/y", "x:notaport", ""] {
            assert!(parse_allowed(bad).unwrap_err().contains("host:port"), "{bad}");
        }
    }
}
