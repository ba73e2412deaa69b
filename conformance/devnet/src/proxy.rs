//! A TCP proxy in front of a chain's RPC that a fault test can switch off: while down,
//! open connections are cut and new ones are closed at once, as when an RPC provider
//! goes away; switched on, traffic flows again.

use std::sync::Arc;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;

/// A running proxy; dropped with the tokio runtime.
pub struct Proxy {
    /// The `http://127.0.0.1:<port>` URL to give the node instead of the target's.
    pub url: String,
    down: Arc<watch::Sender<bool>>,
}

impl Proxy {
    /// Proxies a free loopback port to `target` (`host:port`).
    pub async fn start(target: String) -> Result<Proxy, String> {
        let listener = TcpListener::bind("127.0.0.1:0").await.map_err(|e| e.to_string())?;
        let port = listener.local_addr().map_err(|e| e.to_string())?.port();
        let (down, _) = watch::channel(false);
        let down = Arc::new(down);
        let state = down.clone();
        tokio::spawn(async move {
            while let Ok((client, _)) = listener.accept().await {
                let mut watch = state.subscribe();
                if *watch.borrow() {
                    continue; // dropped: the client sees the connection closed
                }
                let target = target.clone();
                tokio::spawn(async move {
                    let Ok(mut upstream) = TcpStream::connect(&target).await else { return };
                    let mut client = client;
                    tokio::select! {
                        _ = tokio::io::copy_bidirectional(&mut client, &mut upstream) => {}
                        _ = watch.wait_for(|down| *down) => {} // cut when switched off
                    }
                });
            }
        });
        Ok(Proxy { url: format!("http://127.0.0.1:{port}"), down })
    }

    /// Switches the proxy off (`true`) or on (`false`).
    pub fn set_down(&self, down: bool) {
        self.down.send_replace(down);
    }
}
