//! The aggregator's API token: what registering and removing targets, and adding chains,
//! need, as the node's API token guards what changes the node. Envelopes (`POST /envelopes`) need none: a
//! signature is its own credential, and only known targets are served.
//!
//! `api-token` in the configuration (or `WAVS_AGGREGATOR_API_TOKEN`) sets it. Unset, the
//! aggregator generates one at its first start into `<data-dir>/api-token` (32 random
//! bytes, hex, mode 0600) and reuses that file. `api-token = "none"` opens the target
//! and chain endpoints to anyone who reaches the API, with a warning at every start. The token
//! itself is `wavs_types::api_token`, shared with the node.

use crate::config::AggregatorConfig;
use crate::error::{AggregatorError, Result};
use axum::http::HeaderMap;
pub use wavs_types::api_token::{ApiToken, token_path};
use wavs_types::api_token::{Refusal, load_or_create};

/// The token the configuration names, else the one in `<data-dir>/api-token`
/// (generated now if there is none).
pub fn resolve(config: &AggregatorConfig) -> Result<ApiToken> {
    match &config.api_token {
        Some(ApiToken::Open) => {
            tracing::warn!(
                "api-token = \"none\": POST and DELETE /targets and POST /chains are open to anyone who reaches {}; anyone can make this aggregator spend gas on their targets. Remove the line to have a token generated",
                config.api_addr
            );
            Ok(ApiToken::Open)
        }
        Some(secret) => Ok(secret.clone()),
        None => {
            let (secret, created) = load_or_create(&config.data_dir).map_err(AggregatorError::Config)?;
            if created {
                let path = token_path(&config.data_dir);
                tracing::info!(file = %path.display(), "generated an API token for POST /targets (send it as `Authorization: Bearer <token>`)");
            }
            Ok(ApiToken::secret_of(secret))
        }
    }
}

/// Lets the request through if it carries `token` (or the API is open).
pub fn check(token: &ApiToken, headers: &HeaderMap) -> Result<()> {
    token.check(headers).map_err(|refusal| {
        AggregatorError::Unauthorized(match refusal {
            Refusal::Mismatch => "the bearer token does not match this aggregator's api-token: send `Authorization: Bearer <token>` with the token in its config or in <data-dir>/api-token".into(),
            Refusal::Missing => "registering or removing targets, or adding chains, needs the aggregator's api-token: send `Authorization: Bearer <token>` (the token is in its config, or in <data-dir>/api-token)".into(),
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::{HeaderValue, header};

    #[test]
    fn refusals_say_how_to_send_the_token() {
        let secret = ApiToken::secret_of("abc");
        let mut headers = HeaderMap::new();
        assert!(check(&secret, &headers).unwrap_err().to_string().contains("needs the aggregator's api-token"));
        headers.insert(header::AUTHORIZATION, HeaderValue::from_static("Bearer wrong"));
        assert!(check(&secret, &headers).unwrap_err().to_string().contains("does not match"));
        headers.insert(header::AUTHORIZATION, HeaderValue::from_static("Bearer abc"));
        check(&secret, &headers).unwrap();
        check(&ApiToken::Open, &HeaderMap::new()).unwrap();
    }
}
