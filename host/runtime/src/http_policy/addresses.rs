//! Which addresses a component may not reach unless the operator allows them: loopback,
//! private, link-local, unspecified, multicast and reserved ranges, and every address of
//! this machine (a service listening on `0.0.0.0` answers on all of them).

use super::entries::canonical;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// Why `ip` is not reachable by default, or `None` for an ordinary public address.
/// Does not look at this machine's own addresses: see [`this_machine`].
pub fn restricted(ip: IpAddr) -> Option<&'static str> {
    match canonical(ip) {
        IpAddr::V4(v4) => restricted_v4(v4),
        IpAddr::V6(v6) => restricted_v6(v6),
    }
}

fn restricted_v4(ip: Ipv4Addr) -> Option<&'static str> {
    let [a, b, ..] = ip.octets();
    if a == 0 {
        // Connecting to 0.0.0.0 reaches this machine on Linux.
        Some("an unspecified address (it reaches this machine)")
    } else if ip.is_loopback() {
        Some("a loopback address")
    } else if ip.is_private() || (a == 100 && (b & 0xc0) == 64) {
        // 100.64.0.0/10 is carrier-grade NAT space: private in all but name.
        Some("a private-network address")
    } else if ip.is_link_local() {
        Some("a link-local address (where cloud metadata services answer)")
    } else if ip.is_multicast() || ip.is_broadcast() || a >= 240 {
        Some("a multicast, broadcast or reserved address")
    } else {
        None
    }
}

fn restricted_v6(ip: Ipv6Addr) -> Option<&'static str> {
    let first = ip.segments()[0];
    if ip.is_unspecified() {
        Some("an unspecified address (it reaches this machine)")
    } else if ip.is_loopback() {
        Some("a loopback address")
    } else if (first & 0xfe00) == 0xfc00 || (first & 0xffc0) == 0xfec0 {
        // Unique-local fc00::/7, and the deprecated site-local fec0::/10.
        Some("a private-network address")
    } else if (first & 0xffc0) == 0xfe80 {
        Some("a link-local address")
    } else if ip.is_multicast() {
        Some("a multicast, broadcast or reserved address")
    } else if let Some(v4) = nat64_embedded(ip) {
        // A NAT64 gateway forwards 64:ff9b::a.b.c.d to a.b.c.d.
        restricted_v4(v4)
    } else {
        None
    }
}

/// The IPv4 address inside the well-known NAT64 prefix 64:ff9b::/96.
fn nat64_embedded(ip: Ipv6Addr) -> Option<Ipv4Addr> {
    let s = ip.segments();
    (s[..6] == [0x64, 0xff9b, 0, 0, 0, 0]).then(|| {
        let [.., a, b, c, d] = ip.octets();
        Ipv4Addr::new(a, b, c, d)
    })
}

/// Whether `ip` is an address of one of this machine's network interfaces, where a
/// service bound to the wildcard address (the node's API on `0.0.0.0`, a local chain
/// node) answers as it does on loopback.
pub fn this_machine(ip: IpAddr) -> bool {
    let ip = canonical(ip);
    ip.is_loopback() || ip.is_unspecified() || interface_addresses().contains(&ip)
}

/// This machine's interface addresses, read afresh: interfaces come and go, and the
/// read is cheap next to the DNS lookup and connection it guards.
#[cfg(unix)]
fn interface_addresses() -> Vec<IpAddr> {
    let mut head: *mut libc::ifaddrs = std::ptr::null_mut();
    // SAFETY: getifaddrs writes a list it allocated into `head`, freed below.
    if unsafe { libc::getifaddrs(&mut head) } != 0 {
        // Without the list only this rule is lost; loopback and private ranges still hold.
        tracing::warn!("getifaddrs failed: {}", std::io::Error::last_os_error());
        return Vec::new();
    }
    let mut found = Vec::new();
    let mut cursor = head;
    while !cursor.is_null() {
        // SAFETY: `cursor` is a node of the list getifaddrs returned, not yet freed; the
        // family field says which sockaddr type `ifa_addr` points to.
        unsafe {
            let entry = &*cursor;
            if !entry.ifa_addr.is_null() {
                match i32::from((*entry.ifa_addr).sa_family) {
                    libc::AF_INET => {
                        let sin = &*(entry.ifa_addr as *const libc::sockaddr_in);
                        found.push(IpAddr::V4(Ipv4Addr::from(u32::from_be(sin.sin_addr.s_addr))));
                    }
                    libc::AF_INET6 => {
                        let sin6 = &*(entry.ifa_addr as *const libc::sockaddr_in6);
                        found.push(canonical(IpAddr::V6(Ipv6Addr::from(sin6.sin6_addr.s6_addr))));
                    }
                    _ => {}
                }
            }
            cursor = entry.ifa_next;
        }
    }
    // SAFETY: `head` came from getifaddrs and is freed once.
    unsafe { libc::freeifaddrs(head) };
    found
}

#[cfg(not(unix))]
fn interface_addresses() -> Vec<IpAddr> {
    Vec::new()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn why(ip: &str) -> Option<&'static str> {
        restricted(ip.parse().unwrap())
    }

    #[test]
    fn special_ranges_are_restricted_with_their_reason() {
        assert_eq!(why("127.0.0.1"), Some("a loopback address"));
        assert_eq!(why("127.8.9.10"), Some("a loopback address"));
        assert_eq!(why("::1"), Some("a loopback address"));
        assert_eq!(why("::ffff:127.0.0.1"), Some("a loopback address"));
        for private in ["10.0.0.1", "172.16.5.4", "192.168.1.1", "100.64.0.1", "fd00::1"] {
            assert_eq!(why(private), Some("a private-network address"), "{private}");
        }
        assert!(why("169.254.169.254").unwrap().contains("link-local"));
        assert!(why("fe80::1").unwrap().contains("link-local"));
        assert!(why("0.0.0.0").unwrap().contains("unspecified"));
        assert!(why("::").unwrap().contains("unspecified"));
        assert!(why("224.0.0.1").unwrap().contains("multicast"));
        assert!(why("255.255.255.255").unwrap().contains("broadcast"));
        assert_eq!(why("64:ff9b::7f00:1"), Some("a loopback address"), "NAT64 of 127.0.0.1");
        for public in ["93.184.216.34", "8.8.8.8", "2606:4700::1111", "100.128.0.1"] {
            assert_eq!(why(public), None, "{public}");
        }
    }

    #[test]
    fn loopback_and_interface_addresses_are_this_machine() {
        assert!(this_machine("127.0.0.1".parse().unwrap()));
        assert!(this_machine("0.0.0.0".parse().unwrap()));
        assert!(!this_machine("192.0.2.1".parse().unwrap()), "TEST-NET-1 is nobody's");
        #[cfg(unix)]
        for ip in interface_addresses() {
            assert!(this_machine(ip), "{ip}");
        }
    }
}
