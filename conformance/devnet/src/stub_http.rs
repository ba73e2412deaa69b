//! A loopback HTTP server that answers every request with one fixed body: the far end
//! for tests of components fetching over HTTP and adapters reading malformed RPC answers.
//!
//! It reads each request body to the end before answering, as a real RPC server does: a
//! server that answers early and closes resets the socket while the client is still
//! sending, and the client then sees a protocol error instead of the body under test.

/// Serves `body` (status 200) to every request on a free loopback port; returns the port.
/// The server lives as long as the tokio runtime.
pub async fn serve(body: &'static str) -> u16 {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind a loopback port");
    let port = listener.local_addr().expect("bound address").port();
    let app = axum::Router::new().fallback(move |_request: axum::body::Bytes| async move { body });
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    port
}

/// Serves `body` (status 200) only to requests carrying `Authorization: Bearer <token>`;
/// every other request gets 401 and `denied` as its body. Returns the port.
pub async fn serve_with_bearer(token: String, body: &'static str, denied: &'static str) -> u16 {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind a loopback port");
    let port = listener.local_addr().expect("bound address").port();
    let expected = format!("Bearer {token}");
    let app = axum::Router::new().fallback(move |headers: axum::http::HeaderMap, _request: axum::body::Bytes| {
        let authorized = headers.get(axum::http::header::AUTHORIZATION).is_some_and(|v| v.as_bytes() == expected.as_bytes());
        async move {
            match authorized {
                true => (axum::http::StatusCode::OK, body),
                false => (axum::http::StatusCode::UNAUTHORIZED, denied),
            }
        }
    });
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    port
}
