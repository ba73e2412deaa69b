//! Sends a granted request to an address that passed the rules: the host is resolved
//! here, every address it resolves to is checked, and the connection is made to a
//! checked address. Letting the HTTP client resolve the name again would let DNS answer
//! differently the second time (rebinding) and reach a host the check never saw.

use super::entries::Host;
use super::rules::HttpRules;
use bytes::Bytes;
use http_body::{Body, Frame, SizeHint};
use http_body_util::BodyExt;
use parking_lot::Mutex;
use std::net::{IpAddr, SocketAddr};
use std::pin::Pin;
use std::sync::{Arc, OnceLock};
use std::task::{Context, Poll};
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::TcpStream;
use tokio::time::{Instant, Sleep, timeout};
use wasmtime_wasi_http::io::TokioIo;
use wasmtime_wasi_http::{Error as HttpError, RequestOptions, WasiBody};

/// What the request-time check needs of a granted request.
pub(crate) struct Target {
    pub host: Host,
    pub port: u16,
    pub https: bool,
}

/// The response, and the future that drives the rest of the connection.
pub(crate) type Sent = (hyper::Response<WasiBody>, Box<dyn Future<Output = Result<(), HttpError>> + Send>);

/// Without options from the guest, as wasi:http's default sender: the execution's
/// time limit is what bounds a request in practice.
const NO_TIMEOUT_GIVEN: Duration = Duration::from_secs(600);

/// Resolves and checks `target`, then sends `request` over a connection to a checked
/// address. A refusal is added to `denied` and answered `destination-ip-prohibited`.
pub(crate) async fn send(
    mut request: hyper::Request<WasiBody>,
    options: Option<RequestOptions>,
    target: Target,
    rules: HttpRules,
    denied: Arc<Mutex<Vec<String>>>,
) -> Result<Sent, HttpError> {
    let connect_within = options.and_then(|o| o.connect_timeout).unwrap_or(NO_TIMEOUT_GIVEN);
    let first_byte_within = options.and_then(|o| o.first_byte_timeout).unwrap_or(NO_TIMEOUT_GIVEN);
    let between_bytes = options.and_then(|o| o.between_bytes_timeout).unwrap_or(NO_TIMEOUT_GIVEN);

    let addresses = match &target.host {
        Host::Ip(ip) => vec![*ip],
        Host::Name(name) => timeout(connect_within, resolve(name, target.port)).await.map_err(|_| HttpError::DnsTimeout)??,
    };
    let own = resolve_own(&rules, target.port).await;
    if let Some(why) = addresses.iter().find_map(|ip| rules.check_address(&target.host, target.port, *ip, &own).err()) {
        tracing::warn!(reason = %why, "outgoing HTTP request refused at connect");
        denied.lock().push(why);
        return Err(HttpError::DestinationIpProhibited);
    }

    let stream = timeout(connect_within, connect(&target, &addresses)).await.map_err(|_| HttpError::ConnectionTimeout)??;
    let (mut sender, connection) = timeout(connect_within, hyper::client::conn::http1::handshake(TokioIo::new(stream)))
        .await
        .map_err(|_| HttpError::ConnectionTimeout)??;

    // The request line carries only the path: scheme and authority are for proxies,
    // and the Host header (set by wasi:http) names the host.
    let path = request.uri().path_and_query().map_or("/", |p| p.as_str()).to_string();
    *request.uri_mut() = path.parse().map_err(|_| HttpError::HttpRequestUriInvalid)?;

    // The connection must be polled for the request to go out and the answer to come
    // in; it is polled beside the response until the head arrives, then handed back.
    let mut connection = Box::pin(connection);
    let mut connection_done = false;
    let head = async {
        let response = sender.send_request(request);
        tokio::pin!(response);
        loop {
            tokio::select! {
                answer = &mut response => break answer.map_err(HttpError::from),
                closed = &mut connection, if !connection_done => {
                    connection_done = true;
                    closed.map_err(HttpError::from)?;
                }
            }
        }
    };
    let response = timeout(first_byte_within, head).await.map_err(|_| HttpError::ConnectionReadTimeout)??;
    let rest = async move {
        if connection_done {
            return Ok(());
        }
        connection.await.map_err(|e| if e.is_timeout() { HttpError::HttpResponseTimeout } else { HttpError::from(e) })
    };
    let response = response.map(|body| GapLimited::new(body, between_bytes).boxed_unsync());
    Ok((response, Box::new(rest)))
}

/// Every address `name` resolves to.
async fn resolve(name: &str, port: u16) -> Result<Vec<IpAddr>, HttpError> {
    let found = tokio::net::lookup_host((name, port))
        .await
        .map_err(|e| HttpError::DnsError { rcode: Some(e.to_string()), info_code: None })?;
    let addresses: Vec<IpAddr> = found.map(|a| a.ip()).collect();
    if addresses.is_empty() {
        return Err(HttpError::DestinationNotFound);
    }
    Ok(addresses)
}

/// The addresses of the node's own services named by DNS on `port`, as they resolve
/// now. One that does not resolve cannot be reached through another name either.
pub(super) async fn resolve_own(rules: &HttpRules, port: u16) -> Vec<(IpAddr, String)> {
    let mut found = Vec::new();
    for (name, what) in rules.own_names(port) {
        if let Ok(Ok(addresses)) = timeout(Duration::from_secs(5), resolve(&name, port)).await {
            found.extend(addresses.into_iter().map(|ip| (ip, what.clone())));
        }
    }
    found
}

/// A plain or TLS stream, boxed so both take one path to hyper.
trait Stream: AsyncRead + AsyncWrite + Send + Unpin + 'static {}
impl<T: AsyncRead + AsyncWrite + Send + Unpin + 'static> Stream for T {}

/// Connects to the first checked address that answers; over TLS for `https`, verified
/// against the name the request used.
async fn connect(target: &Target, addresses: &[IpAddr]) -> Result<Box<dyn Stream>, HttpError> {
    let mut last = None;
    let mut tcp = None;
    for ip in addresses {
        match TcpStream::connect(SocketAddr::new(*ip, target.port)).await {
            Ok(stream) => {
                tcp = Some(stream);
                break;
            }
            Err(e) => last = Some(e),
        }
    }
    let tcp = match (tcp, last) {
        (Some(stream), _) => stream,
        (None, Some(e)) if e.kind() == std::io::ErrorKind::ConnectionRefused => return Err(HttpError::ConnectionRefused),
        (None, e) => return Err(HttpError::Connect(e.unwrap_or_else(|| std::io::ErrorKind::NotFound.into()))),
    };
    if !target.https {
        return Ok(Box::new(tcp));
    }
    use rustls::pki_types::ServerName;
    let server_name = match &target.host {
        Host::Ip(ip) => ServerName::IpAddress((*ip).into()),
        Host::Name(name) => ServerName::try_from(name.clone()).map_err(|_| HttpError::HttpRequestUriInvalid)?,
    };
    let tls = tokio_rustls::TlsConnector::from(tls_config()).connect(server_name, tcp).await.map_err(HttpError::Tls)?;
    Ok(Box::new(tls))
}

/// The TLS client configuration: webpki's root certificates, ring as the provider
/// (named, so a second provider compiled in elsewhere cannot make the choice ambiguous).
fn tls_config() -> Arc<rustls::ClientConfig> {
    static CONFIG: OnceLock<Arc<rustls::ClientConfig>> = OnceLock::new();
    CONFIG
        .get_or_init(|| {
            let roots = rustls::RootCertStore { roots: webpki_roots::TLS_SERVER_ROOTS.to_vec() };
            let config = rustls::ClientConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
                .with_safe_default_protocol_versions()
                .expect("ring supports the default protocol versions")
                .with_root_certificates(roots)
                .with_no_client_auth();
            Arc::new(config)
        })
        .clone()
}

/// A response body that fails when the server leaves more than `gap` between frames.
struct GapLimited {
    body: hyper::body::Incoming,
    gap: Duration,
    deadline: Pin<Box<Sleep>>,
}

impl GapLimited {
    fn new(body: hyper::body::Incoming, gap: Duration) -> Self {
        GapLimited { body, gap, deadline: Box::pin(tokio::time::sleep(gap)) }
    }
}

impl Body for GapLimited {
    type Data = Bytes;
    type Error = HttpError;

    fn poll_frame(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Result<Frame<Bytes>, HttpError>>> {
        match Pin::new(&mut self.body).poll_frame(cx) {
            Poll::Ready(Some(Ok(frame))) => {
                // A gap too long to add is as good as none.
                let next = Instant::now().checked_add(self.gap).unwrap_or_else(|| Instant::now() + NO_TIMEOUT_GIVEN);
                self.deadline.as_mut().reset(next);
                Poll::Ready(Some(Ok(frame)))
            }
            Poll::Ready(Some(Err(e))) if e.is_timeout() => Poll::Ready(Some(Err(HttpError::HttpResponseTimeout))),
            Poll::Ready(Some(Err(e))) => Poll::Ready(Some(Err(HttpError::from(e)))),
            Poll::Ready(None) => Poll::Ready(None),
            Poll::Pending => match self.deadline.as_mut().poll(cx) {
                Poll::Ready(()) => Poll::Ready(Some(Err(HttpError::ConnectionReadTimeout))),
                Poll::Pending => Poll::Pending,
            },
        }
    }

    fn is_end_stream(&self) -> bool {
        self.body.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.body.size_hint()
    }
}
