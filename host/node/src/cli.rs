//! The `wavs` command line: [`Client`] (over `wavs_client`) for a running node's API,
//! and one module per command group. Each command prints what a person reads, or with `--json` one JSON
//! document on stdout; errors say what to do next.

pub mod access;
pub mod adapters;
pub mod aggregator;
pub mod contracts;
pub mod deploy;
pub mod event_id;
pub mod exec;
pub mod follow;
pub mod info;
pub mod new;
pub mod output;
pub mod p2p;
pub mod push;
pub mod register_key;
pub mod secrets;
pub mod service;

use crate::error::{NodeError, Result};
use access::{Access, Token};
use serde_json::Value;
use wavs_types::ServiceManifest;
use wavs_types::followed::FollowedService;
use wavs_types::execution::ExecutionRecord;
use wavs_types::node_api::{AdaptersAnswer, ChainAdded, ComponentStatus, KeyRegistered, OperatorAnswer, PauseAnswer, ServiceDeployed};
use wavs_client::{ClientError, NodeClient};
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
        let mut client = Client::with_token(url, self.access.token.as_ref().map(|t| t.value.clone()));
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

/// A node API client for the commands: [`wavs_client::NodeClient`] with the CLI's
/// errors, which say how to send the token when a node asks for it.
pub struct Client {
    inner: NodeClient,
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
        let inner = NodeClient::new(base).with_token(token.as_ref().map(|t| t.value.clone()));
        Client { inner, token, hint }
    }

    /// The typed client underneath.
    pub fn node(&self) -> &NodeClient {
        &self.inner
    }

    /// `e` as the CLI says it: what to run or fix next.
    fn explain(&self, e: ClientError) -> NodeError {
        let fix = match (e.status(), &self.token) {
            (Some(reqwest::StatusCode::UNAUTHORIZED), None) => format!("\n  to fix: {}", self.hint),
            (Some(reqwest::StatusCode::UNAUTHORIZED), Some(token)) => format!(
                "\n  to fix: the token from {} is not this node's ({}): use the configuration or token of the node you talk to",
                token.source,
                self.inner.base()
            ),
            _ => String::new(),
        };
        match e {
            ClientError::Unreachable { .. } => NodeError::Invalid(format!("{e} (is `wavs node` running?)")),
            e => NodeError::Invalid(format!("{e}{fix}")),
        }
    }

    /// GET a path.
    pub async fn get(&self, path: &str) -> Result<Value> {
        self.inner.get(path).await.map_err(|e| self.explain(e))
    }

    /// `GET /executions`: the newest `limit` records, of `service` if given.
    pub async fn executions(&self, service: Option<&str>, limit: usize) -> Result<Vec<ExecutionRecord>> {
        self.inner.executions(service, limit).await.map_err(|e| self.explain(e))
    }

    /// The node's `GET /health`, typed.
    pub async fn health(&self) -> Result<wavs_types::health::NodeHealth> {
        self.inner.health().await.map_err(|e| self.explain(e))
    }

    /// Uploads a component file; returns its digest.
    pub async fn upload_component(&self, file: &Path) -> Result<String> {
        let bytes = std::fs::read(file)
            .map_err(|e| NodeError::Invalid(format!("cannot read component {}: {e}", file.display())))?;
        self.inner.upload_component(bytes, true).await.map_err(|e| self.explain(e))
    }

    /// Uploads a component to be compiled in the background (`?wait=false`); returns
    /// its digest at once. `GET /components/{digest}` follows the compile.
    pub async fn upload_in_background(&self, bytes: Vec<u8>) -> Result<String> {
        self.inner.upload_component(bytes, false).await.map_err(|e| self.explain(e))
    }

    /// Deploys (or replaces) a service from its manifest as JSON.
    pub async fn deploy_manifest(&self, manifest: &Value) -> Result<ServiceDeployed> {
        self.inner.deploy(manifest).await.map_err(|e| self.explain(e))
    }

    /// Whether a component is stored, or where its compile is.
    pub async fn component_status(&self, digest: &str) -> Result<ComponentStatus> {
        self.inner.component_status(digest).await.map_err(|e| self.explain(e))
    }

    /// Follows the service `manager` on `chain` defines.
    pub async fn follow(&self, chain: &str, manager: &str) -> Result<FollowedService> {
        self.inner.follow(chain, manager).await.map_err(|e| self.explain(e))
    }

    /// The managers followed.
    pub async fn followed(&self) -> Result<Vec<FollowedService>> {
        self.inner.followed().await.map_err(|e| self.explain(e))
    }

    /// Stops following `manager` on `chain`.
    pub async fn unfollow(&self, chain: &str, manager: &str) -> Result<()> {
        self.inner.unfollow(chain, manager).await.map_err(|e| self.explain(e))
    }

    /// Every deployed manifest.
    pub async fn services(&self) -> Result<Vec<ServiceManifest>> {
        self.inner.services().await.map_err(|e| self.explain(e))
    }

    /// The node's adapters and adapter files.
    pub async fn adapters(&self) -> Result<AdaptersAnswer> {
        self.inner.adapters().await.map_err(|e| self.explain(e))
    }

    /// Each chain's key and identity.
    pub async fn operator(&self) -> Result<OperatorAnswer> {
        self.inner.operator().await.map_err(|e| self.explain(e))
    }

    /// Service `id`'s key and identity on each chain (assigning its key index).
    pub async fn service_keys(&self, id: &str) -> Result<OperatorAnswer> {
        self.inner.service_keys(id).await.map_err(|e| self.explain(e))
    }

    /// Registers service `id`'s key for `chain` at `manager`, from the operator's account.
    pub async fn register_service_key(&self, id: &str, chain: &str, manager: &str) -> Result<KeyRegistered> {
        self.inner.register_service_key(id, chain, manager).await.map_err(|e| self.explain(e))
    }

    /// Publishes the node's p2p address (or `address`) at `manager` on `chain`.
    pub async fn announce_peer(&self, chain: &str, manager: &str, address: Option<&str>) -> Result<wavs_types::p2p::PeerAnnounced> {
        self.inner.announce_peer(chain, manager, address).await.map_err(|e| self.explain(e))
    }

    /// Removes a service.
    pub async fn remove(&self, id: &str) -> Result<()> {
        self.inner.remove(id).await.map_err(|e| self.explain(e))
    }

    /// Pauses (`"pause"`) or resumes (`"resume"`) a service.
    pub async fn set_paused(&self, id: &str, verb: &str) -> Result<PauseAnswer> {
        self.inner.set_paused(id, verb == "pause").await.map_err(|e| self.explain(e))
    }

    /// Sets secret `name` of service `id` to `value` (sent in the body).
    pub async fn set_secret(&self, id: &str, name: &str, value: &str) -> Result<()> {
        self.inner.set_secret(id, name, value).await.map_err(|e| self.explain(e))
    }

    /// The names of service `id`'s secrets.
    pub async fn secret_names(&self, id: &str) -> Result<wavs_types::node_api::SecretNames> {
        self.inner.secret_names(id).await.map_err(|e| self.explain(e))
    }

    /// Deletes secret `name` of service `id`.
    pub async fn delete_secret(&self, id: &str, name: &str) -> Result<()> {
        self.inner.delete_secret(id, name).await.map_err(|e| self.explain(e))
    }

    /// Adds a chain: `body` is its spec as JSON with its `name`.
    pub async fn add_chain(&self, body: &Value) -> Result<ChainAdded> {
        self.inner.add_chain(body).await.map_err(|e| self.explain(e))
    }

    /// The node's base URL.
    pub fn base(&self) -> &str {
        self.inner.base()
    }

    /// Runs a manual task (`payload_hex`: 0x-hex).
    pub async fn add_task(&self, service: &str, workflow: &str, task_id: &str, payload_hex: &str) -> Result<ExecutionRecord> {
        let payload = wavs_types::hex_bytes::decode(payload_hex).map_err(|e| NodeError::Invalid(format!("payload: {e}")))?;
        self.inner.post_task(service, workflow, task_id, &payload).await.map_err(|e| self.explain(e))
    }
}
