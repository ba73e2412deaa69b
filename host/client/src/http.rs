//! One HTTP API at one base URL: what node and aggregator clients share. Sends the token
//! (if any), reads the JSON answer, and turns a refusal into a [`ClientError`] that
//! keeps the server's `ApiError`.

use crate::ClientError;
use serde::de::DeserializeOwned;
use serde_json::Value;
use wavs_types::ApiError;

/// A server's API at one base URL.
#[derive(Clone)]
pub(crate) struct Api {
    base: String,
    http: reqwest::Client,
    token: Option<String>,
}

/// The token is a secret: never printed.
impl std::fmt::Debug for Api {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Api").field("base", &self.base).field("token", &self.token.as_ref().map(|_| "<set>")).finish()
    }
}

impl Api {
    /// The API at `base` on `http` (its timeouts and connection pool), sending no token.
    pub(crate) fn new(base: &str, http: reqwest::Client) -> Self {
        Api { base: base.trim_end_matches('/').to_string(), http, token: None }
    }

    /// Sends `token` as a bearer token from now on (none if `None` or blank).
    pub(crate) fn set_token(&mut self, token: Option<String>) {
        self.token = token.filter(|t| !t.trim().is_empty());
    }

    pub(crate) fn base(&self) -> &str {
        &self.base
    }

    pub(crate) fn has_token(&self) -> bool {
        self.token.is_some()
    }

    pub(crate) fn http(&self) -> &reqwest::Client {
        &self.http
    }

    pub(crate) fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// Sends `request` (with the token); the JSON answer (`null` if empty, a string if
    /// not JSON), or the refusal.
    pub(crate) async fn send(&self, mut request: reqwest::RequestBuilder) -> Result<Value, ClientError> {
        if let Some(token) = &self.token {
            request = request.bearer_auth(token);
        }
        let response = request.send().await.map_err(|source| ClientError::Unreachable { base: self.base.clone(), source })?;
        let status = response.status();
        let text = response.text().await.unwrap_or_default();
        let body: Value = if text.is_empty() { Value::Null } else { serde_json::from_str(&text).unwrap_or(Value::String(text)) };
        if status.is_success() {
            return Ok(body);
        }
        let error = serde_json::from_value::<ApiError>(body.clone()).unwrap_or_else(|_| ApiError {
            error: body.get("error").and_then(Value::as_str).map(str::to_string).unwrap_or_else(|| body.to_string()),
            retryable: status.is_server_error() || status == reqwest::StatusCode::TOO_MANY_REQUESTS,
        });
        Err(ClientError::Refused { base: self.base.clone(), status, error })
    }

    /// `GET path`, as JSON.
    pub(crate) async fn get(&self, path: &str) -> Result<Value, ClientError> {
        self.send(self.http.get(self.url(path))).await
    }

    /// `body` read as `T`.
    pub(crate) fn typed<T: DeserializeOwned>(what: &str, body: Value) -> Result<T, ClientError> {
        serde_json::from_value(body).map_err(|source| ClientError::Unexpected { what: what.to_string(), source })
    }
}
