//! A loopback HTTP server that answers every request with one fixed body: the far end
//! for tests of components fetching over HTTP and adapters reading malformed RPC answers.

use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// Serves `body` (status 200) to every request on a free loopback port; returns the port.
/// The server lives as long as the tokio runtime.
pub async fn serve(body: &'static str) -> u16 {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind a loopback port");
    let port = listener.local_addr().expect("bound address").port();
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            tokio::spawn(async move {
                let mut buf = [0u8; 8192];
                let _ = socket.read(&mut buf).await;
                let reply = format!("HTTP/1.1 200 OK\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}", body.len());
                let _ = socket.write_all(reply.as_bytes()).await;
            });
        }
    });
    port
}
