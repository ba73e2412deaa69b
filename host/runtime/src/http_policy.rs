//! The outgoing-HTTP allow-list. wasi:http would otherwise let a guest reach any host;
//! this hook refuses every request whose authority the guest was not granted.

use parking_lot::Mutex;
use std::sync::Arc;
use wasmtime_wasi_http::{Error as HttpError, RequestOptions, WasiBody, WasiHttpHooks};

/// Hosts a guest may reach: `host:port` entries, a bare `host` (any port) or `*`.
#[derive(Debug, Clone, Default)]
pub struct HttpPolicy {
    allowed: Arc<Vec<String>>,
    /// Requests refused so far in this store, for error messages.
    denied: Arc<Mutex<Vec<String>>>,
}

impl HttpPolicy {
    /// A policy granting exactly `allowed`.
    pub fn new(allowed: Vec<String>) -> Self {
        let allowed = allowed.into_iter().map(|a| a.trim().to_ascii_lowercase()).collect();
        HttpPolicy { allowed: Arc::new(allowed), denied: Arc::default() }
    }

    /// A policy granting the `scheme://host:port` of each URL.
    pub fn for_urls(urls: &[String]) -> Self {
        let entries = urls
            .iter()
            .filter_map(|u| u.parse::<hyper::Uri>().ok())
            .filter_map(|uri| authority_with_port(&uri))
            .collect();
        Self::new(entries)
    }

    /// Whether a request to `uri` is allowed.
    pub fn allows(&self, uri: &hyper::Uri) -> bool {
        let Some(full) = authority_with_port(uri) else { return false };
        let host = uri.host().unwrap_or_default().to_ascii_lowercase();
        self.allowed.iter().any(|a| a == "*" || *a == full || *a == host)
    }

    /// Requests refused so far (as `host:port`).
    pub fn denied(&self) -> Vec<String> {
        self.denied.lock().clone()
    }
}

fn authority_with_port(uri: &hyper::Uri) -> Option<String> {
    let host = uri.host()?.to_ascii_lowercase();
    let port = uri.port_u16().unwrap_or(match uri.scheme_str() {
        Some("https") => 443,
        _ => 80,
    });
    Some(format!("{host}:{port}"))
}

type ResponseFuture = Box<
    dyn Future<
            Output = Result<
                (
                    hyper::Response<WasiBody>,
                    Box<dyn Future<Output = Result<(), HttpError>> + Send>,
                ),
                HttpError,
            >,
        > + Send,
>;

impl WasiHttpHooks for HttpPolicy {
    fn send_request(
        &mut self,
        request: hyper::Request<WasiBody>,
        options: Option<RequestOptions>,
        _fut: Box<dyn Future<Output = Result<(), HttpError>> + Send>,
    ) -> ResponseFuture {
        if !self.allows(request.uri()) {
            let target = authority_with_port(request.uri()).unwrap_or_else(|| request.uri().to_string());
            tracing::warn!(%target, "outgoing HTTP request refused: host not granted");
            self.denied.lock().push(target);
            return Box::new(async { Err(HttpError::HttpRequestDenied) });
        }
        Box::new(async move {
            use http_body_util::BodyExt;
            let (res, io) = wasmtime_wasi_http::default_send_request(request, options).await?;
            Ok((
                res.map(BodyExt::boxed_unsync),
                Box::new(io) as Box<dyn Future<Output = Result<(), HttpError>> + Send>,
            ))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn uri(s: &str) -> hyper::Uri {
        s.parse().unwrap()
    }

    #[test]
    fn grants_only_listed_authorities() {
        let p = HttpPolicy::new(vec!["127.0.0.1:8545".into(), "api.example.com".into()]);
        assert!(p.allows(&uri("http://127.0.0.1:8545/")));
        assert!(!p.allows(&uri("http://127.0.0.1:8546/")));
        assert!(p.allows(&uri("https://api.example.com/v1")));
        assert!(p.allows(&uri("http://API.example.com:8080/")));
        assert!(!p.allows(&uri("http://example.com/")));
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
}
