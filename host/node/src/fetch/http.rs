//! `http(s)://` sources (and IPFS gateways): a GET whose body is read chunk by chunk and
//! dropped once it passes the cap, so a lying `Content-Length` or an endless body costs
//! at most `cap` bytes of memory.

use super::{cause_chain, too_large};
use crate::error::{NodeError, Result};

/// The body at `url`, at most `cap` bytes.
pub(super) async fn get_capped(client: &reqwest::Client, url: &str, cap: u64) -> Result<Vec<u8>> {
    let mut response = client.get(url).send().await.map_err(|e| unreachable(url, &e))?;
    let status = response.status();
    if status.is_redirection() {
        // Only a chain-supplied URI's client stops at redirects (`fetch/guard.rs`).
        let to = response.headers().get(reqwest::header::LOCATION).and_then(|l| l.to_str().ok()).unwrap_or("nowhere given");
        return Err(NodeError::Invalid(format!(
            "{url} answered {status}, a redirect to {to}; a URI from the chain is not followed through redirects: name the final URL"
        )));
    }
    if !status.is_success() {
        let message = format!("{url} answered {status}");
        // A 4xx will answer the same again; a 5xx may not.
        return Err(if status.is_client_error() { NodeError::Invalid(message) } else { NodeError::Unavailable(message) });
    }
    if response.content_length().is_some_and(|len| len > cap) {
        return Err(too_large(cap));
    }
    let mut body = Vec::new();
    while let Some(chunk) = response.chunk().await.map_err(|e| unreachable(url, &e))? {
        if (body.len() + chunk.len()) as u64 > cap {
            return Err(too_large(cap));
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

/// A transport failure: retryable.
fn unreachable(url: &str, e: &reqwest::Error) -> NodeError {
    NodeError::Unavailable(format!("cannot reach {url}: {}", cause_chain(e)))
}
