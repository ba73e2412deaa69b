//! The `wavs` command line: [`Client`] for a running node's API, and one module per
//! command group. Each command prints what a person reads, or with `--json` one JSON
//! document on stdout; errors say what to do next.

pub mod access;
pub mod adapters;
pub mod contracts;
pub mod deploy;
pub mod event_id;
pub mod exec;
pub mod info;
pub mod new;
pub mod output;
pub mod service;

use crate::error::{NodeError, Result};
use access::{Access, Token};
use reqwest::header::CONTENT_TYPE;
use serde_json::Value;
use std::path::Path;

/// What every command gets: where the node is, what it sends, and how to print.
#[derive(Debug, Clone)]
pub struct Ctx {
    /// Node API base URLs (`--node`, repeatable; the first is used where one is meant)
    /// and the API token sent to them ([`access`]).
    pub access: Access,
    /// Print machine-readable JSON instead of text.
    pub json: bool,
    /// The node configuration given with `--config` before the command, if any.
    pub config: Option<std::path::PathBuf>,
}

impl Ctx {
    /// A client for the first node.
    pub fn client(&self) -> Client {
        self.client_for(self.access.nodes.first().map(String::as_str).unwrap_or(DEFAULT_NODE))
    }

    /// A client for the node at `url`, sending the token (if any).
    pub fn client_for(&self, url: &str) -> Client {
        let mut client = Client::with_token(url, None);
        client.token = self.access.token.clone();
        client.hint = self.access.hint.clone();
        client
    }

    /// Every node URL given.
    pub fn nodes(&self) -> &[String] {
        &self.access.nodes
    }
}

/// The node URL used when neither `--node` nor `WAVS_NODE` is set.
pub const DEFAULT_NODE: &str = "http://127.0.0.1:8000";

/// A command's failure, as the message printed after `error: `.
pub type CliResult<T = ()> = std::result::Result<T, String>;

/// A node API client.
pub struct Client {
    base: String,
    http: reqwest::Client,
    /// Sent as `Authorization: Bearer <token>`.
    token: Option<Token>,
    /// What a 401 adds when no token was sent: how to send one.
    hint: String,
}

impl Client {
    /// A client for the node at `base` (e.g. `http://127.0.0.1:8000`), sending the
    /// node's API token from `WAVS_API_TOKEN` if that is set.
    pub fn new(base: &str) -> Self {
        Self::with_token(base, std::env::var("WAVS_API_TOKEN").ok())
    }

    /// A client for the node at `base` that sends `token` (if any, and not empty).
    pub fn with_token(base: &str, token: Option<String>) -> Self {
        let token = token.filter(|t| !t.trim().is_empty()).map(|value| Token { value, source: "the caller".into() });
        let hint = "send the node's API token (`wavs --config <node.toml>`, or WAVS_API_TOKEN)".to_string();
        Client { base: base.trim_end_matches('/').to_string(), http: reqwest::Client::new(), token, hint }
    }

    async fn send(&self, mut req: reqwest::RequestBuilder) -> Result<Value> {
        if let Some(token) = &self.token {
            req = req.bearer_auth(&token.value);
        }
        let response = req.send().await.map_err(|e| {
            NodeError::Invalid(format!("cannot reach the node at {}: {e} (is `wavs node` running?)", self.base))
        })?;
        let status = response.status();
        let text = response.text().await.unwrap_or_default();
        let body: Value = if text.is_empty() { Value::Null } else { serde_json::from_str(&text).unwrap_or(Value::String(text)) };
        if status.is_success() {
            return Ok(body);
        }
        let msg = body.get("error").and_then(Value::as_str).map(str::to_string).unwrap_or_else(|| body.to_string());
        let fix = match (status, &self.token) {
            (reqwest::StatusCode::UNAUTHORIZED, None) => format!("\n  to fix: {}", self.hint),
            (reqwest::StatusCode::UNAUTHORIZED, Some(token)) => format!(
                "\n  to fix: the token from {} is not this node's ({}): use the configuration or token of the node you talk to",
                token.source, self.base
            ),
            _ => String::new(),
        };
        Err(NodeError::Invalid(format!("node answered {status}: {msg}{fix}")))
    }

    /// GET a path.
    pub async fn get(&self, path: &str) -> Result<Value> {
        self.send(self.http.get(format!("{}{path}", self.base))).await
    }

    /// Uploads a component file; returns its digest.
    pub async fn upload_component(&self, file: &Path) -> Result<String> {
        let bytes = std::fs::read(file)
            .map_err(|e| NodeError::Invalid(format!("cannot read component {}: {e}", file.display())))?;
        let request = self.http.post(format!("{}/components", self.base)).header(CONTENT_TYPE, crate::api::content_type::WASM);
        let body = self.send(request.body(bytes)).await?;
        body.get("digest")
            .and_then(Value::as_str)
            .map(str::to_string)
            .ok_or_else(|| NodeError::Invalid(format!("unexpected answer: {body}")))
    }

    /// Uploads a component to be compiled in the background (`?wait=false`); returns
    /// its digest at once. `GET /components/{digest}` follows the compile.
    pub async fn upload_in_background(&self, bytes: Vec<u8>) -> Result<String> {
        let request = self.http.post(format!("{}/components?wait=false", self.base)).header(CONTENT_TYPE, crate::api::content_type::WASM);
        let body = self.send(request.body(bytes)).await?;
        body["digest"].as_str().map(str::to_string).ok_or_else(|| NodeError::Invalid(format!("upload answered no digest: {body}")))
    }

    /// Deploys (or replaces) a service from its manifest as JSON.
    pub async fn deploy_manifest(&self, manifest: &Value) -> Result<Value> {
        self.send(self.http.post(format!("{}/services", self.base)).json(manifest)).await
    }

    /// Removes a service.
    pub async fn remove(&self, id: &str) -> Result<Value> {
        self.send(self.http.delete(format!("{}/services/{id}", self.base)).header(CONTENT_TYPE, crate::api::content_type::JSON)).await
    }

    /// Pauses (`"pause"`) or resumes (`"resume"`) a service.
    pub async fn set_paused(&self, id: &str, verb: &str) -> Result<Value> {
        self.send(self.http.post(format!("{}/services/{id}/{verb}", self.base)).header(CONTENT_TYPE, crate::api::content_type::JSON)).await
    }

    /// Adds a chain: `body` is its spec as JSON with its `name`.
    pub async fn add_chain(&self, body: &Value) -> Result<Value> {
        self.send(self.http.post(format!("{}/chains", self.base)).json(body)).await
    }

    /// The node's base URL.
    pub fn base(&self) -> &str {
        &self.base
    }

    /// Runs a manual task.
    pub async fn add_task(&self, service: &str, workflow: &str, task_id: &str, payload_hex: &str) -> Result<Value> {
        let body = serde_json::json!({ "task-id": task_id, "payload": payload_hex });
        let url = format!("{}/services/{service}/workflows/{workflow}/tasks", self.base);
        self.send(self.http.post(url).json(&body)).await
    }
}
