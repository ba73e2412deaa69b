//! A blocking HTTP POST over wasi:http (the raw `wasi` crate: the `wstd` client loses some
//! requests). The host grants an adapter only its chain config's RPC URLs.

use std::io::{Read, Write};
use wasi::http::outgoing_handler;
use wasi::http::types::{ErrorCode, Fields, Method, OutgoingBody, OutgoingRequest, RequestOptions, Scheme};

/// Largest response body read.
const MAX_BODY: usize = 32 << 20;

/// Why a request failed, and whether another try may succeed.
#[derive(Debug)]
pub struct HttpFailure {
    pub message: String,
    pub transient: bool,
}

fn fail(message: String, transient: bool) -> HttpFailure {
    HttpFailure { message, transient }
}

/// Splits `http://host:port/path` into scheme, authority and path.
pub fn split_url(url: &str) -> Result<(Scheme, String, String), String> {
    let (scheme, rest) = if let Some(rest) = url.strip_prefix("http://") {
        (Scheme::Http, rest)
    } else if let Some(rest) = url.strip_prefix("https://") {
        (Scheme::Https, rest)
    } else {
        return Err(format!("rpc url {url:?} must start with http:// or https://"));
    };
    let (authority, path) = match rest.find('/') {
        Some(i) => (&rest[..i], &rest[i..]),
        None => (rest, "/"),
    };
    if authority.is_empty() {
        return Err(format!("rpc url {url:?} has no host"));
    }
    Ok((scheme, authority.to_string(), path.to_string()))
}

/// POSTs `body` as JSON to `url`; returns the status and body.
pub fn post_json(url: &str, body: &[u8], timeout_ms: u64) -> Result<(u16, Vec<u8>), HttpFailure> {
    let (scheme, authority, path) = split_url(url).map_err(|m| fail(m, false))?;
    let headers = Fields::from_list(&[("content-type".to_string(), b"application/json".to_vec())])
        .map_err(|e| fail(format!("headers: {e:?}"), false))?;
    let request = OutgoingRequest::new(headers);
    let set = request.set_method(&Method::Post).is_ok()
        && request.set_scheme(Some(&scheme)).is_ok()
        && request.set_authority(Some(&authority)).is_ok()
        && request.set_path_with_query(Some(&path)).is_ok();
    if !set {
        return Err(fail(format!("cannot build a request for {url}"), false));
    }
    let outgoing = request.body().map_err(|_| fail("request body unavailable".into(), false))?;
    let options = RequestOptions::new();
    let ns = timeout_ms.saturating_mul(1_000_000);
    let _ = options.set_connect_timeout(Some(ns));
    let _ = options.set_first_byte_timeout(Some(ns));
    let _ = options.set_between_bytes_timeout(Some(ns));
    // Send first, then stream the body: a body larger than the pipe would block otherwise.
    let pending = outgoing_handler::handle(request, Some(options)).map_err(|e| describe(url, e))?;
    {
        let mut stream = outgoing.write().map_err(|_| fail("request stream unavailable".into(), false))?;
        stream.write_all(body).map_err(|e| fail(format!("sending to {url}: {e}"), true))?;
        stream.flush().map_err(|e| fail(format!("sending to {url}: {e}"), true))?;
    }
    OutgoingBody::finish(outgoing, None).map_err(|e| describe(url, e))?;
    pending.subscribe().block();
    let response = match pending.get() {
        Some(Ok(Ok(response))) => response,
        Some(Ok(Err(e))) => return Err(describe(url, e)),
        _ => return Err(fail(format!("no response from {url}"), true)),
    };
    let status = response.status();
    let incoming = response.consume().map_err(|_| fail("response body unavailable".into(), true))?;
    let mut bytes = Vec::new();
    {
        let stream = incoming.stream().map_err(|_| fail("response stream unavailable".into(), true))?;
        let mut limited = stream.take(MAX_BODY as u64 + 1);
        limited.read_to_end(&mut bytes).map_err(|e| fail(format!("reading from {url}: {e}"), true))?;
    }
    if bytes.len() > MAX_BODY {
        return Err(fail(format!("response from {url} exceeds {MAX_BODY} bytes"), false));
    }
    Ok((status, bytes))
}

fn describe(url: &str, e: ErrorCode) -> HttpFailure {
    let transient = !matches!(
        e,
        ErrorCode::HttpRequestDenied | ErrorCode::HttpRequestUriInvalid | ErrorCode::HttpRequestMethodInvalid
    );
    // Plain words first (operators read these in /health), the code after for searching.
    let plain = match &e {
        ErrorCode::HttpRequestDenied => Some("refused by the host: the URL is not in this chain's rpc-urls"),
        ErrorCode::DestinationIpProhibited => Some("refused by the host: the address is not one this node may reach"),
        ErrorCode::ConnectionRefused => Some("connection refused"),
        ErrorCode::ConnectionTimeout => Some("connection timed out"),
        ErrorCode::ConnectionTerminated => Some("the connection broke off before an answer"),
        ErrorCode::ConnectionReadTimeout => Some("no answer in time"),
        ErrorCode::HttpProtocolError => Some("the connection closed without a valid HTTP answer"),
        ErrorCode::HttpResponseTimeout => Some("response timed out"),
        ErrorCode::DnsError(_) | ErrorCode::DnsTimeout | ErrorCode::DestinationNotFound => Some("the host name did not resolve"),
        _ => None,
    };
    let what = match plain {
        Some(words) => format!("{words} ({e:?})"),
        None => format!("{e:?}"),
    };
    fail(format!("{url}: {what}"), transient)
}
