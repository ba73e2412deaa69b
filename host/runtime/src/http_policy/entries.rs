//! Allow-list entries: `host` or `host:port`, an IPv6 address in brackets. A manifest's
//! `allowed-http-hosts` and the operator's `http-allow-private` share this syntax; what a
//! missing port means differs (see [`HostEntry::port`]).

use std::fmt;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// A host as an entry or a request names it.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Host {
    /// An IP address literal. An IPv4-mapped IPv6 address is kept as the IPv4 address it
    /// connects to, so that `[::ffff:127.0.0.1]` compares equal to `127.0.0.1`.
    Ip(IpAddr),
    /// A DNS name: lowercase, no trailing dot.
    Name(String),
}

impl Host {
    /// Parses a host as an authority writes it (IPv6 in brackets).
    pub fn parse(text: &str) -> Result<Host, String> {
        let lower = text.trim().to_ascii_lowercase();
        if let Some(inner) = lower.strip_prefix('[') {
            let inner = inner.strip_suffix(']').ok_or_else(|| format!("{text:?}: an unclosed '['"))?;
            if inner.contains('%') {
                return Err(format!("{text:?}: an IPv6 zone (%...) is not allowed"));
            }
            let ip: Ipv6Addr = inner.parse().map_err(|_| format!("{text:?} is not an IPv6 address"))?;
            return Ok(Host::Ip(canonical(IpAddr::V6(ip))));
        }
        if lower.contains(':') {
            return Err(format!("{text:?}: write an IPv6 address in brackets, as in [2001:db8::1]:8080"));
        }
        if let Ok(ip) = lower.parse::<Ipv4Addr>() {
            return Ok(Host::Ip(IpAddr::V4(ip)));
        }
        check_name(&lower).map_err(|why| format!("{text:?} {why}"))?;
        // One trailing dot names the same host; keeping it would let "localhost." pass
        // where "localhost" does not.
        Ok(Host::Name(lower.strip_suffix('.').unwrap_or(&lower).to_string()))
    }

    /// The host of `uri`, or why it has none a request can use.
    pub fn of_uri(uri: &hyper::Uri) -> Result<Host, String> {
        Host::parse(uri.host().ok_or("the request names no host")?)
    }

    /// Whether this is `localhost` or a name under `.localhost`, which resolvers answer
    /// with a loopback address without asking DNS (RFC 6761).
    pub fn is_localhost(&self) -> bool {
        matches!(self, Host::Name(n) if n == "localhost" || n.ends_with(".localhost"))
    }

    /// The address, if this is an IP literal.
    pub fn ip(&self) -> Option<IpAddr> {
        match self {
            Host::Ip(ip) => Some(*ip),
            Host::Name(_) => None,
        }
    }
}

impl fmt::Display for Host {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Host::Ip(IpAddr::V6(ip)) => write!(f, "[{ip}]"),
            Host::Ip(IpAddr::V4(ip)) => write!(f, "{ip}"),
            Host::Name(name) => f.write_str(name),
        }
    }
}

/// One parsed entry of an allow-list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HostEntry {
    /// The host it names.
    pub host: Host,
    /// The port it names. Absent in a manifest's grant: the scheme's default (80 for
    /// `http`, 443 for `https`). Absent in the operator's `http-allow-private`: any port.
    pub port: Option<u16>,
}

impl HostEntry {
    /// Parses `host` or `host:port`; refuses schemes, paths, wildcards and empty entries,
    /// saying why.
    pub fn parse(raw: &str) -> Result<HostEntry, String> {
        let text = raw.trim();
        if text.is_empty() {
            return Err("an empty entry: give host or host:port".into());
        }
        if text.contains('*') {
            return Err("wildcards are not allowed: list each host (and port) the component needs".into());
        }
        if text.contains("://") {
            return Err("no scheme: give host or host:port (no port means 80 for http, 443 for https)".into());
        }
        if text.contains(['/', '?', '#']) {
            return Err("no path or query: give host or host:port".into());
        }
        if text.contains('@') {
            return Err("no user name: give host or host:port".into());
        }
        if text.contains(char::is_whitespace) {
            return Err("no spaces: give host or host:port".into());
        }
        let (host, port) = split_port(text)?;
        let port = match port {
            None => None,
            Some(p) => match p.parse::<u16>() {
                Ok(p) if p > 0 => Some(p),
                _ => return Err(format!("port {p:?}: give a number from 1 to 65535")),
            },
        };
        Ok(HostEntry { host: Host::parse(host)?, port })
    }

    /// Whether a manifest grant lets a request reach `host:port` over `https` or not:
    /// a grant without a port covers only the scheme's default port.
    pub fn grants(&self, host: &Host, port: u16, https: bool) -> bool {
        self.host == *host && self.port.unwrap_or(default_port(https)) == port
    }
}

impl fmt::Display for HostEntry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.port {
            Some(port) => write!(f, "{}:{port}", self.host),
            None => write!(f, "{}", self.host),
        }
    }
}

/// 443 for `https`, else 80.
pub fn default_port(https: bool) -> u16 {
    if https { 443 } else { 80 }
}

/// The IPv4 address an IPv4-mapped IPv6 address connects to; any other address as is.
pub fn canonical(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map(IpAddr::V4).unwrap_or(ip),
        v4 => v4,
    }
}

/// Splits `host[:port]`, with an IPv6 host in brackets.
fn split_port(text: &str) -> Result<(&str, Option<&str>), String> {
    if text.starts_with('[') {
        let end = text.find(']').ok_or_else(|| format!("{text:?}: an unclosed '['"))?;
        let (host, rest) = text.split_at(end + 1);
        return match rest {
            "" => Ok((host, None)),
            _ => rest.strip_prefix(':').map(|p| (host, Some(p))).ok_or_else(|| format!("{text:?}: expected :port after ']'")),
        };
    }
    match text.rsplit_once(':') {
        Some((host, _)) if host.contains(':') => {
            Err(format!("{text:?}: write an IPv6 address in brackets, as in [2001:db8::1]:8080"))
        }
        Some((host, port)) => Ok((host, Some(port))),
        None => Ok((text, None)),
    }
}

/// Checks a lowercase DNS name; the error completes "`name` ...".
fn check_name(name: &str) -> Result<(), &'static str> {
    let name = name.strip_suffix('.').unwrap_or(name);
    if name.is_empty() || name.len() > 253 {
        return Err("is not a host name");
    }
    for label in name.split('.') {
        let chars_ok = label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
        if label.is_empty() || label.len() > 63 || !chars_ok || label.starts_with('-') || label.ends_with('-') {
            return Err("is not a host name (letters, digits, '-' and '.' only)");
        }
    }
    // No top-level domain is numeric. A resolver reads such a name as an IPv4 address
    // in one of inet_aton's forms ("127.1", "2130706433", "0x7f.0.0.1"), which would
    // dodge the checks made on literal addresses here.
    let last = name.rsplit('.').next().unwrap_or(name);
    let numeric = last.chars().all(|c| c.is_ascii_digit())
        || last.strip_prefix("0x").is_some_and(|h| h.chars().all(|c| c.is_ascii_hexdigit()));
    if numeric {
        return Err("looks like an IPv4 address in a non-standard form: write it as four decimal numbers (a.b.c.d)");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(s: &str) -> HostEntry {
        HostEntry::parse(s).unwrap_or_else(|e| panic!("{s:?}: {e}"))
    }

    fn refused(s: &str) -> String {
        HostEntry::parse(s).expect_err(s)
    }

    #[test]
    fn parses_hosts_ports_and_brackets() {
        assert_eq!(parse("API.Example.com"), HostEntry { host: Host::Name("api.example.com".into()), port: None });
        assert_eq!(parse("example.com.:8443").to_string(), "example.com:8443");
        assert_eq!(parse("10.0.0.1:80").host, Host::Ip("10.0.0.1".parse().unwrap()));
        assert_eq!(parse("[::1]:8080").to_string(), "[::1]:8080");
        assert_eq!(parse("[::ffff:127.0.0.1]").host, Host::Ip("127.0.0.1".parse().unwrap()), "mapped IPv4 is IPv4");
        assert!(parse("localhost.").host.is_localhost());
        assert!(parse("a.LOCALHOST").host.is_localhost());
    }

    #[test]
    fn refuses_what_is_not_host_or_host_port_and_says_why() {
        assert!(refused("*").contains("wildcards"));
        assert!(refused("*.example.com").contains("wildcards"));
        assert!(refused("").contains("empty"));
        assert!(refused("http://example.com").contains("no scheme"));
        assert!(refused("example.com/path").contains("no path"));
        assert!(refused("user@example.com").contains("no user"));
        assert!(refused("::1").contains("brackets"));
        assert!(refused("[::1").contains("unclosed"));
        assert!(refused("[fe80::1%eth0]").contains("zone"));
        assert!(refused("example.com:0").contains("1 to 65535"));
        assert!(refused("example.com:http").contains("1 to 65535"));
        assert!(refused("exa mple.com").contains("no spaces"));
        assert!(refused("-bad.com").contains("not a host name"));
        for sneaky in ["127.1", "2130706433", "0x7f.0.0.1", "0177.0.0.01"] {
            assert!(refused(sneaky).contains("non-standard form"), "{sneaky}");
        }
    }

    #[test]
    fn a_grant_without_a_port_covers_only_the_scheme_default() {
        let entry = parse("example.com");
        let host = Host::Name("example.com".into());
        assert!(entry.grants(&host, 80, false));
        assert!(entry.grants(&host, 443, true));
        assert!(!entry.grants(&host, 8080, false));
        assert!(!entry.grants(&host, 443, false));
        assert!(parse("example.com:8080").grants(&host, 8080, true));
    }
}
