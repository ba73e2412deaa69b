//! `api-allowed-hosts` entries: the names besides its own addresses that a node's API
//! answers to (`api/hosts.rs` enforces them on every request).

/// A host the node answers to: a lowercase name or IP (IPv6 in brackets), and its port
/// (`None`: any port).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Entry {
    pub(crate) host: String,
    pub(crate) port: Option<u16>,
}

/// Checks one `api-allowed-hosts` entry: `host` or `host:port`, no scheme or path.
pub fn check_allowed(item: &str) -> Result<(), String> {
    parse_allowed(item).map(|_| ())
}

pub(crate) fn parse_allowed(item: &str) -> Result<Entry, String> {
    let bad = || format!("api-allowed-hosts: {item:?}: give \"host\" or \"host:port\" (e.g. \"wavs.example.com\"), no scheme or path");
    if item.contains("://") || item.contains('/') {
        return Err(bad());
    }
    let (host, port) = split_host_port(item).ok_or_else(bad)?;
    Ok(Entry { host, port })
}

/// `host[:port]` split and normalised (lowercase; IPv6 in brackets); `None` if malformed.
pub(crate) fn split_host_port(value: &str) -> Option<(String, Option<u16>)> {
    let value = value.trim();
    let (host, port) = if let Some(rest) = value.strip_prefix('[') {
        let (ip, after) = rest.split_once(']')?;
        ip.parse::<std::net::Ipv6Addr>().ok()?;
        let port = match after {
            "" => None,
            p => Some(p.strip_prefix(':')?.parse::<u16>().ok()?),
        };
        (format!("[{ip}]"), port)
    } else {
        match value.rsplit_once(':') {
            Some((h, p)) => (h.to_string(), Some(p.parse::<u16>().ok()?)),
            None => (value.to_string(), None),
        }
    };
    let valid = !host.is_empty() && host.chars().all(|c| c.is_ascii_alphanumeric() || "-._[]:".contains(c));
    valid.then(|| (host.to_ascii_lowercase(), port))
}
