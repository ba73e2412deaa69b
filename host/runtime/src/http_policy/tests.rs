//! The hook itself: what is granted, and the request-time check on the address actually
//! connected to, against real loopback servers.

use super::*;
use bytes::Bytes;
use http_body_util::{BodyExt, Empty};
use std::time::Duration;
use tokio::io::AsyncWriteExt;

fn uri(s: &str) -> hyper::Uri {
    s.parse().unwrap()
}

#[test]
fn grants_only_listed_authorities_and_a_bare_host_only_its_default_port() {
    let p = HttpPolicy::new(vec!["127.0.0.1:8545".into(), "api.example.com".into(), "*".into()]);
    assert!(p.allows(&uri("http://127.0.0.1:8545/")));
    assert!(!p.allows(&uri("http://127.0.0.1:8546/")));
    assert!(p.allows(&uri("https://api.example.com/v1")));
    assert!(p.allows(&uri("http://API.example.com/")));
    assert!(!p.allows(&uri("http://api.example.com:8080/")), "a bare host no longer grants every port");
    assert!(!p.allows(&uri("http://example.com/")), "`*` grants nothing");
}

#[test]
fn url_policy_uses_default_ports() {
    let p = HttpPolicy::for_urls(&["http://localhost".into(), "https://rpc.io/x".into()]);
    assert!(p.allows(&uri("http://localhost:80/")));
    assert!(!p.allows(&uri("http://localhost:8080/")));
    assert!(p.allows(&uri("https://rpc.io/other")));
    assert!(!p.allows(&uri("http://rpc.io/")));
}

#[test]
fn empty_policy_refuses_everything() {
    assert!(!HttpPolicy::default().allows(&uri("http://127.0.0.1/")));
}

/// A loopback server answering every connection with `body`.
async fn server(body: &'static str) -> u16 {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            let answer = format!("HTTP/1.1 200 OK\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}", body.len());
            tokio::spawn(async move {
                // The request is small; one read takes it before the answer goes out.
                let mut buf = [0u8; 4096];
                let _ = tokio::io::AsyncReadExt::read(&mut socket, &mut buf).await;
                let _ = socket.write_all(answer.as_bytes()).await;
            });
        }
    });
    port
}

/// Sends a GET for `url` through `policy`'s hook, as wasi:http would.
async fn get(policy: &mut HttpPolicy, url: &str, options: Option<RequestOptions>) -> Result<Vec<u8>, HttpError> {
    let target = uri(url);
    let host = target.authority().unwrap().to_string();
    let body = Empty::<Bytes>::new().map_err(|never| match never {}).boxed_unsync();
    let request = hyper::Request::builder().uri(target).header("host", host).body(body).unwrap();
    let sent = Box::into_pin(policy.send_request(request, options, Box::new(async { Ok(()) })));
    let (response, connection) = sent.await?;
    tokio::spawn(Box::into_pin(connection));
    Ok(response.into_body().collect().await?.to_bytes().to_vec())
}

/// A name other than `localhost` that resolves to an address of this machine: the
/// machine's host name (which /etc/hosts, or the resolver's own-host rule, maps to one
/// of its addresses), else a name from /etc/hosts mapped to loopback.
async fn name_of_this_machine() -> (String, Vec<std::net::IpAddr>) {
    let mut candidates = vec![std::fs::read_to_string("/proc/sys/kernel/hostname").unwrap_or_default().trim().to_string()];
    for line in std::fs::read_to_string("/etc/hosts").unwrap_or_default().lines() {
        let mut words = line.split('#').next().unwrap_or_default().split_whitespace();
        if words.next().is_some_and(|ip| ip.starts_with("127.")) {
            candidates.extend(words.map(str::to_string));
        }
    }
    for name in candidates.into_iter().filter(|n| !n.is_empty()) {
        let host = Host::parse(&name);
        if matches!(host, Ok(ref h) if !h.is_localhost()) {
            let ips: Vec<_> = match tokio::net::lookup_host((name.as_str(), 80)).await {
                Ok(found) => found.map(|a| entries::canonical(a.ip())).collect(),
                Err(_) => continue,
            };
            if !ips.is_empty() && ips.iter().all(|ip| addresses::this_machine(*ip)) {
                return (name, ips);
            }
        }
    }
    panic!("no name of this machine other than localhost resolves here (host name, /etc/hosts)");
}

#[tokio::test]
async fn a_granted_name_that_resolves_to_this_machine_is_refused_when_it_connects() {
    let port = server("secret").await;
    let (name, ips) = name_of_this_machine().await;
    let mut policy = HttpPolicy::new(vec![format!("{name}:{port}")]);
    assert!(policy.allows(&uri(&format!("http://{name}:{port}/"))), "granted by name");
    let refused = get(&mut policy, &format!("http://{name}:{port}/"), None).await;
    assert!(matches!(refused, Err(HttpError::DestinationIpProhibited)), "{refused:?}");
    let denied = policy.denied().join("; ");
    let shown = ips.iter().any(|ip| denied.contains(&format!("{name}:{port} (resolved to {})", Host::Ip(*ip))));
    assert!(shown && denied.contains("http-allow-private"), "names the name, the address and the way out: {denied}");
}

#[tokio::test]
async fn an_explicitly_allowed_loopback_server_answers_and_its_neighbour_does_not() {
    let port = server("42").await;
    let other = server("secret").await;
    let rules = HttpRules::new(&[format!("127.0.0.1:{port}")]).unwrap();
    let grants = vec![format!("127.0.0.1:{port}"), format!("127.0.0.1:{other}")];
    let mut policy = HttpPolicy::with_rules(grants, &rules);
    assert_eq!(get(&mut policy, &format!("http://127.0.0.1:{port}/price"), None).await.unwrap(), b"42");
    let refused = get(&mut policy, &format!("http://127.0.0.1:{other}/"), None).await;
    assert!(matches!(refused, Err(HttpError::DestinationIpProhibited)), "{refused:?}");
    assert!(policy.denied()[0].contains(&format!("127.0.0.1:{other} is a loopback address")), "{:?}", policy.denied());
    // Adapters reach the RPC URLs the operator configured, loopback or not.
    let mut adapter = HttpPolicy::for_urls(&[format!("http://127.0.0.1:{port}")]);
    assert_eq!(get(&mut adapter, &format!("http://127.0.0.1:{port}/"), None).await.unwrap(), b"42");
}

#[tokio::test]
async fn the_guests_first_byte_timeout_is_honoured() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(async move {
        let mut held = Vec::new(); // accepted, never answered
        while let Ok((socket, _)) = listener.accept().await {
            held.push(socket);
        }
    });
    let mut policy = HttpPolicy::for_urls(&[format!("http://127.0.0.1:{port}")]);
    let options = RequestOptions { first_byte_timeout: Some(Duration::from_millis(200)), ..Default::default() };
    let started = std::time::Instant::now();
    let outcome = get(&mut policy, &format!("http://127.0.0.1:{port}/"), Some(options)).await;
    assert!(matches!(outcome, Err(HttpError::ConnectionReadTimeout)), "{outcome:?}");
    assert!(started.elapsed() < Duration::from_secs(5));
}

#[tokio::test]
async fn https_goes_over_tls_naming_the_requested_host() {
    // A server that keeps the first bytes the client sends (its TLS ClientHello) and
    // hangs up: no certificate, so the handshake fails after the hello is out.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let hello = tokio::spawn(async move {
        let (mut socket, _) = listener.accept().await.unwrap();
        let mut buf = vec![0u8; 4096];
        let n = tokio::io::AsyncReadExt::read(&mut socket, &mut buf).await.unwrap();
        buf.truncate(n);
        buf
    });
    let mut policy = HttpPolicy::for_urls(&[format!("https://localhost:{port}")]);
    let outcome = get(&mut policy, &format!("https://localhost:{port}/"), None).await;
    assert!(matches!(outcome, Err(HttpError::Tls(_))), "{outcome:?}");
    let hello = hello.await.unwrap();
    assert_eq!(hello.first(), Some(&0x16), "a TLS handshake record");
    assert!(hello.windows(9).any(|w| w == b"localhost"), "the server name (SNI) is the requested host");
}
