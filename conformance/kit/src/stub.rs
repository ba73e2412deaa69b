//! A loopback HTTP server that answers every request with one fixed body and counts
//! the requests: a check of how an adapter reads malformed answers proves something
//! only if the adapter asked.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

/// A running stub.
pub struct Stub {
    /// Its loopback port.
    pub port: u16,
    requests: Arc<AtomicUsize>,
}

impl Stub {
    /// The stub's URL.
    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// Requests answered so far.
    pub fn requests(&self) -> usize {
        self.requests.load(Ordering::SeqCst)
    }
}

/// Serves `body` (status 200) to every request on a free loopback port, for as long as
/// the tokio runtime lives. The request body is read to the end before the answer (as
/// axum does for `Bytes`): answering early resets the socket while the client sends.
pub async fn serve(body: &'static str) -> Stub {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind a loopback port");
    let port = listener.local_addr().expect("bound address").port();
    let requests = Arc::new(AtomicUsize::new(0));
    let counter = requests.clone();
    let app = axum::Router::new().fallback(move |_request: axum::body::Bytes| {
        counter.fetch_add(1, Ordering::SeqCst);
        async move { body }
    });
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    Stub { port, requests }
}
