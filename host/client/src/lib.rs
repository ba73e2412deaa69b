//! A typed client for the WAVS node's HTTP API. The CLI, the devnet, the bench and the
//! tests call a node through [`NodeClient`] instead of building requests by hand; its
//! answers are the types of `wavs_types`, its failures a [`ClientError`] that keeps the
//! node's `ApiError` (and so whether to try again).
//!
//! Mutating calls send the node's API token as `Authorization: Bearer <token>` when one
//! is given ([`NodeClient::with_token`]) and the `Content-Type` the node requires.

mod error;

pub use error::ClientError;

use reqwest::header::CONTENT_TYPE;
use serde::de::DeserializeOwned;
use serde_json::Value;
use wavs_types::ApiError;
use wavs_types::execution::{ExecutionRecord, TaskRequest};
use wavs_types::ServiceManifest;
use wavs_types::health::NodeHealth;
use wavs_types::node_api::{
    AdaptersAnswer, ChainAdded, ComponentAccepted, ComponentStatus, ComponentUploaded, OperatorAnswer, PauseAnswer, ServiceDeployed,
};

/// The content type of a component upload.
const WASM: &str = "application/wasm";
/// The content type of every other request body (and of bodiless mutations).
const JSON: &str = "application/json";

/// A node's API at one base URL.
#[derive(Clone)]
pub struct NodeClient {
    base: String,
    http: reqwest::Client,
    token: Option<String>,
}

/// The token is a secret: never printed.
impl std::fmt::Debug for NodeClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NodeClient").field("base", &self.base).field("token", &self.token.as_ref().map(|_| "<set>")).finish()
    }
}

impl NodeClient {
    /// A client for the node at `base` (e.g. `http://127.0.0.1:8000`), sending no token.
    pub fn new(base: &str) -> Self {
        Self::with_http(base, reqwest::Client::new())
    }

    /// A client for the node at `base` on `http` (its timeouts and connection pool).
    pub fn with_http(base: &str, http: reqwest::Client) -> Self {
        NodeClient { base: base.trim_end_matches('/').to_string(), http, token: None }
    }

    /// This client, sending `token` as a bearer token (none if `None` or blank).
    pub fn with_token(mut self, token: Option<String>) -> Self {
        self.token = token.filter(|t| !t.trim().is_empty());
        self
    }

    /// The node's base URL.
    pub fn base(&self) -> &str {
        &self.base
    }

    /// Whether a token is sent.
    pub fn has_token(&self) -> bool {
        self.token.is_some()
    }

    /// Sends `request` (with the token); the JSON answer (`null` if empty, a string if
    /// not JSON), or the refusal.
    async fn send(&self, mut request: reqwest::RequestBuilder) -> Result<Value, ClientError> {
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
        Err(ClientError::Refused { status, error })
    }

    /// `body` read as `T`.
    fn typed<T: DeserializeOwned>(what: &str, body: Value) -> Result<T, ClientError> {
        serde_json::from_value(body).map_err(|source| ClientError::Unexpected { what: what.to_string(), source })
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// `GET path`, as JSON.
    pub async fn get(&self, path: &str) -> Result<Value, ClientError> {
        self.send(self.http.get(self.url(path))).await
    }

    /// `GET /health`: the node's state, per chain. A node whose store cannot write
    /// answers 503, which is a [`ClientError::Refused`] here.
    pub async fn health(&self) -> Result<NodeHealth, ClientError> {
        Self::typed("GET /health", self.get("/health").await?)
    }

    /// `POST /components` (`wait`: answer once compiled; else at once, with
    /// `GET /components/{digest}` following the compile); the component's digest.
    pub async fn upload_component(&self, bytes: Vec<u8>, wait: bool) -> Result<String, ClientError> {
        let path = if wait { "/components" } else { "/components?wait=false" };
        let body = self.send(self.http.post(self.url(path)).header(CONTENT_TYPE, WASM).body(bytes)).await?;
        Ok(if wait {
            Self::typed::<ComponentUploaded>("POST /components", body)?.digest
        } else {
            Self::typed::<ComponentAccepted>("POST /components?wait=false", body)?.digest
        })
    }

    /// `GET /components/{digest}`: whether the component is stored, or where its
    /// background compile is.
    pub async fn component_status(&self, digest: &str) -> Result<ComponentStatus, ClientError> {
        Self::typed("GET /components/{digest}", self.get(&format!("/components/{digest}")).await?)
    }

    /// `POST /services`: deploys (or replaces) the service of `manifest`.
    pub async fn deploy(&self, manifest: &Value) -> Result<ServiceDeployed, ClientError> {
        Self::typed("POST /services", self.send(self.http.post(self.url("/services")).json(manifest)).await?)
    }

    /// `GET /services`: every deployed manifest (component config values only when the
    /// token is sent).
    pub async fn services(&self) -> Result<Vec<ServiceManifest>, ClientError> {
        Self::typed("GET /services", self.get("/services").await?)
    }

    /// `DELETE /services/{id}`.
    pub async fn remove(&self, id: &str) -> Result<(), ClientError> {
        self.send(self.http.delete(self.url(&format!("/services/{id}"))).header(CONTENT_TYPE, JSON)).await.map(drop)
    }

    /// `POST /services/{id}/pause` (`paused`) or `/resume`.
    pub async fn set_paused(&self, id: &str, paused: bool) -> Result<PauseAnswer, ClientError> {
        let verb = if paused { "pause" } else { "resume" };
        let answer = self.send(self.http.post(self.url(&format!("/services/{id}/{verb}"))).header(CONTENT_TYPE, JSON)).await?;
        Self::typed(&format!("POST /services/{id}/{verb}"), answer)
    }

    /// `POST /chains`: adds a chain; `body` is its spec with its `name`.
    pub async fn add_chain(&self, body: &Value) -> Result<ChainAdded, ClientError> {
        Self::typed("POST /chains", self.send(self.http.post(self.url("/chains")).json(body)).await?)
    }

    /// `GET /adapters`: the adapters loaded, and what became of each file.
    pub async fn adapters(&self) -> Result<AdaptersAnswer, ClientError> {
        Self::typed("GET /adapters", self.get("/adapters").await?)
    }

    /// `POST /services/{service}/workflows/{workflow}/tasks`: runs a manual task with
    /// `payload` (sent as 0x-hex); the execution record.
    pub async fn post_task(&self, service: &str, workflow: &str, task_id: &str, payload: &[u8]) -> Result<ExecutionRecord, ClientError> {
        let body = TaskRequest { task_id: task_id.to_string(), payload: payload.to_vec() };
        let url = self.url(&format!("/services/{service}/workflows/{workflow}/tasks"));
        Self::typed("the task's execution record", self.send(self.http.post(url).json(&body)).await?)
    }

    /// `GET /executions`: the newest `limit` execution records, of `service` if given.
    pub async fn executions(&self, service: Option<&str>, limit: usize) -> Result<Vec<ExecutionRecord>, ClientError> {
        let mut path = format!("/executions?limit={limit}");
        if let Some(s) = service {
            path.push_str(&format!("&service={s}"));
        }
        Self::typed("GET /executions", self.get(&path).await?)
    }

    /// `GET /operator`: each chain's key and identity.
    pub async fn operator(&self) -> Result<OperatorAnswer, ClientError> {
        Self::typed("GET /operator", self.get("/operator").await?)
    }
}
