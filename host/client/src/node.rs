//! [`NodeClient`]: the node's API as the CLI, the devnet, the bench and the tests call it.

use crate::ClientError;
use crate::http::Api;
use reqwest::header::CONTENT_TYPE;
use serde_json::Value;
use wavs_types::ServiceManifest;
use wavs_types::execution::{ExecutionRecord, TaskRequest};
use wavs_types::followed::{FollowRequest, FollowedService};
use wavs_types::health::NodeHealth;
use wavs_types::p2p::{AnnouncePeerRequest, PeerAnnounced};
use wavs_types::node_api::{
    AdaptersAnswer, ChainAdded, ComponentAccepted, ComponentStatus, ComponentUploaded, KeyRegistered, OperatorAnswer, PauseAnswer,
    RegisterKeyRequest, SecretNames, SecretValue, ServiceDeployed,
};

/// The content type of a component upload.
const WASM: &str = "application/wasm";
/// The content type of every other request body (and of bodiless mutations).
const JSON: &str = "application/json";

/// A node's API at one base URL.
#[derive(Clone, Debug)]
pub struct NodeClient {
    api: Api,
}

impl NodeClient {
    /// A client for the node at `base` (e.g. `http://127.0.0.1:8000`), sending no token.
    pub fn new(base: &str) -> Self {
        Self::with_http(base, reqwest::Client::new())
    }

    /// A client for the node at `base` on `http` (its timeouts and connection pool).
    pub fn with_http(base: &str, http: reqwest::Client) -> Self {
        NodeClient { api: Api::new(base, http) }
    }

    /// This client, sending `token` as a bearer token (none if `None` or blank).
    pub fn with_token(mut self, token: Option<String>) -> Self {
        self.api.set_token(token);
        self
    }

    /// The node's base URL.
    pub fn base(&self) -> &str {
        self.api.base()
    }

    /// Whether a token is sent.
    pub fn has_token(&self) -> bool {
        self.api.has_token()
    }

    /// `GET path`, as JSON.
    pub async fn get(&self, path: &str) -> Result<Value, ClientError> {
        self.api.get(path).await
    }

    /// `GET /health`: the node's state, per chain. A node whose store cannot write
    /// answers 503, which is a [`ClientError::Refused`] here.
    pub async fn health(&self) -> Result<NodeHealth, ClientError> {
        Api::typed("GET /health", self.api.get("/health").await?)
    }

    /// `POST /components` (`wait`: answer once compiled; else at once, with
    /// `GET /components/{digest}` following the compile); the component's digest.
    pub async fn upload_component(&self, bytes: Vec<u8>, wait: bool) -> Result<String, ClientError> {
        let path = if wait { "/components" } else { "/components?wait=false" };
        let body = self.api.send(self.api.http().post(self.api.url(path)).header(CONTENT_TYPE, WASM).body(bytes)).await?;
        Ok(if wait {
            Api::typed::<ComponentUploaded>("POST /components", body)?.digest
        } else {
            Api::typed::<ComponentAccepted>("POST /components?wait=false", body)?.digest
        })
    }

    /// `GET /components/{digest}`: whether the component is stored, or where its
    /// background compile is.
    pub async fn component_status(&self, digest: &str) -> Result<ComponentStatus, ClientError> {
        Api::typed("GET /components/{digest}", self.api.get(&format!("/components/{digest}")).await?)
    }

    /// `POST /services`: deploys (or replaces) the service of `manifest`.
    pub async fn deploy(&self, manifest: &Value) -> Result<ServiceDeployed, ClientError> {
        Api::typed("POST /services", self.api.send(self.api.http().post(self.api.url("/services")).json(manifest)).await?)
    }

    /// `GET /services`: every deployed manifest (component config values only when the
    /// token is sent).
    pub async fn services(&self) -> Result<Vec<ServiceManifest>, ClientError> {
        Api::typed("GET /services", self.api.get("/services").await?)
    }

    /// `DELETE /services/{id}`.
    pub async fn remove(&self, id: &str) -> Result<(), ClientError> {
        self.api.send(self.api.http().delete(self.api.url(&format!("/services/{id}"))).header(CONTENT_TYPE, JSON)).await.map(drop)
    }

    /// `POST /services/{id}/pause` (`paused`) or `/resume`.
    pub async fn set_paused(&self, id: &str, paused: bool) -> Result<PauseAnswer, ClientError> {
        let verb = if paused { "pause" } else { "resume" };
        let answer = self.api.send(self.api.http().post(self.api.url(&format!("/services/{id}/{verb}"))).header(CONTENT_TYPE, JSON)).await?;
        Api::typed(&format!("POST /services/{id}/{verb}"), answer)
    }

    /// `PUT /services/{id}/secrets/{name}`: sets a secret; the value goes in the body.
    pub async fn set_secret(&self, id: &str, name: &str, value: &str) -> Result<(), ClientError> {
        let body = SecretValue { value: value.to_string() };
        self.api.send(self.api.http().put(self.api.url(&format!("/services/{id}/secrets/{name}"))).json(&body)).await.map(drop)
    }

    /// `POST /followed`: follow the service `manager` on `chain` defines (needs the
    /// token); its current definition runs when this returns.
    pub async fn follow(&self, chain: &str, manager: &str) -> Result<FollowedService, ClientError> {
        let body = FollowRequest { chain: chain.to_string(), manager: manager.to_string() };
        let answer = self.api.send(self.api.http().post(self.api.url("/followed")).json(&body)).await?;
        Api::typed("POST /followed", answer)
    }

    /// `GET /followed`: the managers followed, and where each stands.
    pub async fn followed(&self) -> Result<Vec<FollowedService>, ClientError> {
        Api::typed("GET /followed", self.api.get("/followed").await?)
    }

    /// `DELETE /followed/{chain}/{manager}`: stop following (the service keeps running).
    pub async fn unfollow(&self, chain: &str, manager: &str) -> Result<(), ClientError> {
        let url = self.api.url(&format!("/followed/{chain}/{manager}"));
        self.api.send(self.api.http().delete(url).header(CONTENT_TYPE, JSON)).await.map(drop)
    }

    /// `GET /services/{id}/secrets`: the names of a service's secrets (needs the token).
    pub async fn secret_names(&self, id: &str) -> Result<SecretNames, ClientError> {
        Api::typed(&format!("GET /services/{id}/secrets"), self.api.get(&format!("/services/{id}/secrets")).await?)
    }

    /// `DELETE /services/{id}/secrets/{name}`.
    pub async fn delete_secret(&self, id: &str, name: &str) -> Result<(), ClientError> {
        let url = self.api.url(&format!("/services/{id}/secrets/{name}"));
        self.api.send(self.api.http().delete(url).header(CONTENT_TYPE, JSON)).await.map(drop)
    }

    /// `POST /chains`: adds a chain; `body` is its spec with its `name`.
    pub async fn add_chain(&self, body: &Value) -> Result<ChainAdded, ClientError> {
        Api::typed("POST /chains", self.api.send(self.api.http().post(self.api.url("/chains")).json(body)).await?)
    }

    /// `GET /adapters`: the adapters loaded, and what became of each file.
    pub async fn adapters(&self) -> Result<AdaptersAnswer, ClientError> {
        Api::typed("GET /adapters", self.api.get("/adapters").await?)
    }

    /// `POST /services/{service}/workflows/{workflow}/tasks`: runs a manual task with
    /// `payload` (sent as 0x-hex); the execution record.
    pub async fn post_task(&self, service: &str, workflow: &str, task_id: &str, payload: &[u8]) -> Result<ExecutionRecord, ClientError> {
        let body = TaskRequest { task_id: task_id.to_string(), payload: payload.to_vec() };
        let url = self.api.url(&format!("/services/{service}/workflows/{workflow}/tasks"));
        Api::typed("the task's execution record", self.api.send(self.api.http().post(url).json(&body)).await?)
    }

    /// `GET /executions`: the newest `limit` execution records, of `service` if given.
    pub async fn executions(&self, service: Option<&str>, limit: usize) -> Result<Vec<ExecutionRecord>, ClientError> {
        let mut path = format!("/executions?limit={limit}");
        if let Some(s) = service {
            path.push_str(&format!("&service={s}"));
        }
        Api::typed("GET /executions", self.api.get(&path).await?)
    }

    /// `GET /operator`: each chain's key and identity.
    pub async fn operator(&self) -> Result<OperatorAnswer, ClientError> {
        Api::typed("GET /operator", self.api.get("/operator").await?)
    }

    /// `POST /services/{id}/keys`: service `id`'s key and identity on each chain (its key
    /// index is assigned on the first ask).
    pub async fn service_keys(&self, id: &str) -> Result<OperatorAnswer, ClientError> {
        let answer = self.api.send(self.api.http().post(self.api.url(&format!("/services/{id}/keys"))).header(CONTENT_TYPE, JSON)).await?;
        Api::typed(&format!("POST /services/{id}/keys"), answer)
    }

    /// `POST /services/{id}/keys/register`: the node registers service `id`'s key for
    /// `chain` at `manager`, sent and paid by its operator account there (needs the
    /// token); the key and the operator the manager counts it for.
    pub async fn register_service_key(&self, id: &str, chain: &str, manager: &str) -> Result<KeyRegistered, ClientError> {
        let body = RegisterKeyRequest { chain: chain.to_string(), manager: manager.to_string() };
        let answer = self.api.send(self.api.http().post(self.api.url(&format!("/services/{id}/keys/register"))).json(&body)).await?;
        Api::typed(&format!("POST /services/{id}/keys/register"), answer)
    }

    /// `POST /p2p/announce`: publishes the node's p2p address (or `address`) at `manager`
    /// on `chain`, from its operator account there.
    pub async fn announce_peer(&self, chain: &str, manager: &str, address: Option<&str>) -> Result<PeerAnnounced, ClientError> {
        let body = AnnouncePeerRequest { chain: chain.to_string(), manager: manager.to_string(), address: address.map(str::to_string) };
        let answer = self.api.send(self.api.http().post(self.api.url("/p2p/announce")).json(&body)).await?;
        Api::typed("POST /p2p/announce", answer)
    }
}
