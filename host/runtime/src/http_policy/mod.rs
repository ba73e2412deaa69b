//! The outgoing-HTTP allow-list. wasi:http would otherwise let a guest reach any host;
//! this hook lets a request through only if its `host:port` is granted (`entries`), and
//! then only to an address the node-wide rules accept (`rules`): no loopback, private,
//! link-local or own-service address unless the operator allowed it. The check is made
//! on the address actually connected to (`send`), so a name resolving to 127.0.0.1 is
//! refused like 127.0.0.1 itself.

mod addresses;
mod checked;
pub mod entries;
pub mod rules;
mod send;

pub use addresses::restricted;
pub use checked::{AddressError, checked_addresses};
pub use entries::{Host, HostEntry};
pub use rules::{HttpRules, OwnService};

use entries::default_port;
use parking_lot::Mutex;
use send::Target;
use std::sync::Arc;
use wasmtime_wasi_http::{Error as HttpError, RequestOptions, WasiBody, WasiHttpHooks};

/// What one guest may reach: its granted entries, under the node-wide rules. Clones
/// share the list of refused requests.
#[derive(Debug, Clone, Default)]
pub struct HttpPolicy {
    grants: Arc<Vec<HostEntry>>,
    rules: HttpRules,
    /// Requests refused so far in this store, with why, for error messages.
    denied: Arc<Mutex<Vec<String>>>,
}

impl HttpPolicy {
    /// A policy granting `allowed` (`host` or `host:port` entries) under the default
    /// rules, which allow nothing restricted.
    pub fn new(allowed: Vec<String>) -> Self {
        Self::with_rules(allowed, &HttpRules::default())
    }

    /// A policy granting `allowed` under the node's `rules`. An entry that does not
    /// parse grants nothing (deploy refuses such entries; one stored before that rule
    /// existed, such as `*`, is inert).
    pub fn with_rules(allowed: Vec<String>, rules: &HttpRules) -> Self {
        let grants = allowed.iter().filter_map(|raw| HostEntry::parse(raw).ok()).collect();
        HttpPolicy { grants: Arc::new(grants), rules: rules.clone(), denied: Arc::default() }
    }

    /// A policy granting the `host:port` of each URL (the port from the scheme when the
    /// URL has none). The operator configured these URLs, so they are reachable even
    /// when they are loopback or private: this is how an adapter reaches its chain's RPC.
    pub fn for_urls(urls: &[String]) -> Self {
        let entries: Vec<HostEntry> = urls
            .iter()
            .filter_map(|u| u.parse::<hyper::Uri>().ok())
            .filter_map(|uri| {
                let port = uri.port_u16().unwrap_or(default_port(uri.scheme_str() == Some("https")));
                Some(HostEntry { host: Host::of_uri(&uri).ok()?, port: Some(port) })
            })
            .collect();
        HttpPolicy { grants: Arc::new(entries.clone()), rules: HttpRules::trusting(entries), denied: Arc::default() }
    }

    /// Whether a request to `uri` is granted (before its address is checked).
    pub fn allows(&self, uri: &hyper::Uri) -> bool {
        self.granted(uri).is_ok()
    }

    /// Requests refused so far, each as `host:port` and why.
    pub fn denied(&self) -> Vec<String> {
        self.denied.lock().clone()
    }

    fn granted(&self, uri: &hyper::Uri) -> Result<Target, String> {
        let https = uri.scheme_str() == Some("https");
        let host = Host::of_uri(uri).map_err(|why| format!("{uri}: {why}"))?;
        let port = uri.port_u16().unwrap_or(default_port(https));
        if self.grants.iter().any(|g| g.grants(&host, port, https)) {
            Ok(Target { host, port, https })
        } else {
            Err(format!("{host}:{port}: not granted"))
        }
    }
}

type ResponseFuture = Box<dyn Future<Output = Result<send::Sent, HttpError>> + Send>;

impl WasiHttpHooks for HttpPolicy {
    fn send_request(
        &mut self,
        request: hyper::Request<WasiBody>,
        options: Option<RequestOptions>,
        _fut: Box<dyn Future<Output = Result<(), HttpError>> + Send>,
    ) -> ResponseFuture {
        match self.granted(request.uri()) {
            Ok(target) => Box::new(send::send(request, options, target, self.rules.clone(), self.denied.clone())),
            Err(why) => {
                tracing::warn!(reason = %why, "outgoing HTTP request refused: host not granted");
                self.denied.lock().push(why);
                Box::new(async { Err(HttpError::HttpRequestDenied) })
            }
        }
    }
}

#[cfg(test)]
mod tests;
