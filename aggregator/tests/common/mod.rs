//! What the aggregator's tests against a real anvil share: the chain with the EVM
//! adapter and its reference contracts, operator signatures made as a node makes them,
//! aggregator configs, and HTTP calls.
#![allow(dead_code)]

use reqwest::StatusCode;
use serde_json::{Value, json};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};
use wavs_devnet::chain::LocalChain;
use wavs_devnet::devnet::{ChainKind, load_adapters};
use wavs_devnet::dev_key;
use wavs_runtime::bindings::testing_api::{TestDeployment, TestOperator};
use wavs_runtime::{AdapterRegistry, AdapterSigner, ChainAdapter, Limits};
use wavs_types::{EnvelopeStatus, SignedSubmission, WireEnvelope};
use wavs_types::aggregator_health::AggregatorHealth;

/// Dev key 1: the aggregator's submitter on anvil (funded), set as the chain's own key.
pub const SUBMITTER: u32 = 1;

/// A real anvil with the EVM adapter loaded, and a deployer (dev key 0) that owns the
/// contracts it deploys.
pub struct Chain {
    pub anvil: LocalChain,
    pub registry: Arc<AdapterRegistry>,
    pub adapters_dir: PathBuf,
    pub deployer: ChainAdapter,
    pub dir: PathBuf,
}

impl Chain {
    /// Starts anvil and loads `target/guests/adapters/evm.wasm` (scripts/build-guests.sh).
    pub async fn start(dir: &Path) -> Chain {
        let anvil = LocalChain::start_anvil(dir).await.unwrap_or_else(|e| panic!("anvil: {e}"));
        let (registry, adapters_dir) = load_adapters(dir, &[ChainKind::Anvil]).await.unwrap_or_else(|e| panic!("adapters: {e}"));
        let deployer = ChainAdapter::from_spec(registry.clone(), "anvil", &anvil.spec, AdapterSigner::Submitting(dev_key(0)), Limits::ADAPTER_DEFAULT);
        Chain { anvil, registry, adapters_dir, deployer, dir: dir.to_path_buf() }
    }

    /// Deploys a manager with dev keys `operators` (weight 1 each) and `threshold`, a
    /// handler bound to it and a trigger, as `deployer`.
    pub async fn deploy_as(&self, deployer: &ChainAdapter, operators: &[u32], threshold: u64) -> TestDeployment {
        let operators: Vec<TestOperator> = operators.iter().map(|i| TestOperator { public_key: dev_key(*i).public_key(), proof: vec![], weight: 1 }).collect();
        deployer.deploy_service(wavs_runtime::bindings::curves_api::Scheme::Secp256k1Ecdsa, &operators, threshold).await.unwrap()
    }

    /// [`Chain::deploy_as`] the deployer.
    pub async fn deploy(&self, operators: &[u32], threshold: u64) -> TestDeployment {
        self.deploy_as(&self.deployer, operators, threshold).await
    }

    /// Another account's adapter on the same chain (for attackers with their own gas).
    pub fn account(&self, key: u32) -> ChainAdapter {
        ChainAdapter::from_spec(self.registry.clone(), "anvil", &self.anvil.spec, AdapterSigner::Submitting(dev_key(key)), Limits::ADAPTER_DEFAULT)
    }

    /// Sets dev key `operator`'s weight in `manager` (0 removes it), as its owner.
    pub async fn set_weight(&self, manager: &str, operator: u32, weight: u64) {
        let operator = TestOperator { public_key: dev_key(operator).public_key(), proof: vec![], weight };
        self.deployer.set_operator(manager, &operator).await.unwrap();
    }

    /// What the handler stored for `event_id`, if it handled it.
    pub async fn handled(&self, handler: &str, event_id: &[u8]) -> Option<Vec<u8>> {
        self.deployer.handled_payload(handler, event_id).await.unwrap()
    }

    /// The balance of dev key `key`'s account, in wei (through anvil's JSON-RPC).
    pub async fn balance(&self, key: u32) -> u128 {
        let address = self.deployer.operator_id(wavs_runtime::bindings::curves_api::Scheme::Secp256k1Ecdsa, &dev_key(key).public_key()).await.unwrap();
        let body = json!({ "jsonrpc": "2.0", "id": 1, "method": "eth_getBalance", "params": [address, "latest"] });
        let answer: Value = reqwest::Client::new().post(&self.anvil.spec.rpc_urls[0]).json(&body).send().await.unwrap().json().await.unwrap();
        u128::from_str_radix(answer["result"].as_str().unwrap().trim_start_matches("0x"), 16).unwrap()
    }

    /// `[chains.anvil]` for an aggregator config, and the chain's own submitter key
    /// (a funded dev account: the derived key would have no gas).
    pub fn chain_toml(&self, extra: &str) -> String {
        let url = &self.anvil.spec.rpc_urls[0];
        format!(
            "[chains.anvil]\nfamily = \"evm\"\nchain-id = \"31337\"\nrpc-urls = [\"{url}\"]\n{extra}\n\
             [submitter.chains.anvil]\nhd-path = \"m/44'/60'/0'/0/{SUBMITTER}\"\n"
        )
    }

    /// A whole aggregator config: data in `data`, this chain, `top` at the top (limits,
    /// api-token, batch interval), `chain_extra` in `[chains.anvil]`, and `targets`.
    pub fn config(&self, data: &Path, top: &str, chain_extra: &str, targets: &[&TestDeployment]) -> String {
        let mut text = format!(
            "data-dir = {data:?}\nadapters-dir = {:?}\napi-addr = \"127.0.0.1:0\"\n{top}\n\
             [submitter]\nmnemonic = \"{}\"\nhd-path = \"m/44'/60'/0'/0/9\"\n\n{}",
            self.adapters_dir,
            wavs_devnet::keys::DEV_MNEMONIC,
            self.chain_toml(chain_extra)
        );
        for d in targets {
            text += &format!("\n[[targets]]\nchain = \"anvil\"\nmanager = \"{}\"\nhandler = \"{}\"\n", d.manager, d.handler);
        }
        text
    }
}

/// Where most tests start: a temporary dir, anvil in it, and a service whose manager
/// holds operators 2 and 3 (weight 1 each) with threshold 2.
pub struct TwoOperators {
    pub dir: tempfile::TempDir,
    pub chain: Chain,
    pub service: TestDeployment,
    /// The service's manager and handler addresses.
    pub manager: String,
    pub handler: String,
}

pub async fn two_operators() -> TwoOperators {
    let dir = tempfile::tempdir().unwrap();
    let chain = Chain::start(dir.path()).await;
    let service = chain.deploy(&[2, 3], 2).await;
    let (manager, handler) = (service.manager.clone(), service.handler.clone());
    TwoOperators { dir, chain, service, manager, handler }
}

/// An envelope for `event` carrying `payload`.
pub fn envelope(event: u32, payload: Vec<u8>) -> WireEnvelope {
    let mut event_id = vec![0xee; 20];
    event_id[16..].copy_from_slice(&event.to_be_bytes());
    WireEnvelope { event_id, ordering: vec![0; 12], payload }
}

/// Dev key `key`'s signature over the chain's digest of `envelope` for `handler`, as
/// a node sends it, naming `manager`.
pub async fn signed(chain: &Chain, manager: &str, handler: &str, envelope: &WireEnvelope, key: u32) -> SignedSubmission {
    let digest = chain.deployer.envelope_digest(handler, &envelope.into()).await.unwrap();
    SignedSubmission {
        service_id: "s".into(),
        workflow_id: "w".into(),
        chain: "anvil".into(),
        handler: handler.into(),
        manager: manager.into(),
        envelope: envelope.clone(),
        signature: dev_key(key).sign_digest(&digest).unwrap(),
        scheme: Default::default(),
        public_key: dev_key(key).public_key(),
    }
}

/// The HTTP API of an aggregator at `base`.
#[derive(Clone)]
pub struct Api {
    pub base: String,
    pub http: reqwest::Client,
}

impl Api {
    pub fn new(base: String) -> Api {
        Api { base, http: reqwest::Client::builder().timeout(Duration::from_secs(60)).build().unwrap() }
    }

    /// `POST /envelopes`: the status and the JSON answer.
    pub async fn post(&self, submission: &SignedSubmission) -> (StatusCode, Value) {
        let answer = self.http.post(format!("{}/envelopes", self.base)).json(submission).send().await.unwrap();
        (answer.status(), answer.json().await.unwrap_or(Value::Null))
    }

    /// `POST /envelopes`, which must be accepted.
    pub async fn accept(&self, submission: &SignedSubmission) -> EnvelopeStatus {
        let (status, body) = self.post(submission).await;
        assert_eq!(status, StatusCode::OK, "refused: {body}");
        serde_json::from_value(body).unwrap()
    }

    pub async fn get(&self, path: &str) -> (StatusCode, Value) {
        let answer = self.http.get(format!("{}{path}", self.base)).send().await.unwrap();
        (answer.status(), answer.json().await.unwrap_or(Value::Null))
    }

    /// `GET /health`, typed (200, or 503 while the store cannot write).
    pub async fn health(&self) -> (StatusCode, AggregatorHealth) {
        let (status, body) = self.get("/health").await;
        (status, serde_json::from_value(body.clone()).unwrap_or_else(|e| panic!("{e}: {body}")))
    }

    /// `POST` or `DELETE /targets` with `token` (if any).
    pub async fn target(&self, method: reqwest::Method, token: Option<&str>, d: &TestDeployment, manager: Option<&str>) -> (StatusCode, Value) {
        let body = json!({ "chain": "anvil", "manager": manager.unwrap_or(&d.manager), "handler": d.handler });
        let mut request = self.http.request(method, format!("{}/targets", self.base)).json(&body);
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        let answer = request.send().await.unwrap();
        (answer.status(), answer.json().await.unwrap_or(Value::Null))
    }

    /// The status of `event_id` at `handler`.
    pub async fn status(&self, event_id: &[u8], handler: &str) -> Option<EnvelopeStatus> {
        let (status, body) = self.get(&format!("/envelopes/0x{}?handler={handler}", hex::encode(event_id))).await;
        (status == StatusCode::OK).then(|| serde_json::from_value(body).unwrap())
    }

    /// Waits up to `timeout` for `event_id` at `handler` to reach a final state.
    pub async fn final_status(&self, event_id: &[u8], handler: &str, timeout: Duration) -> EnvelopeStatus {
        let started = Instant::now();
        loop {
            let status = self.status(event_id, handler).await;
            if let Some(s) = &status
                && s.state.is_final()
            {
                return s.clone();
            }
            assert!(started.elapsed() < timeout, "no final state after {timeout:?}: {status:?}");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
}

/// A `wavs-aggregator` process (this package's binary), killed when dropped.
pub struct Process {
    pub child: std::process::Child,
    pub api: Api,
    pub log: PathBuf,
}

impl Process {
    /// Writes `config` (which must leave `api-addr` out) to `<dir>/aggregator.toml` and
    /// starts the aggregator on a free port; waits until `/health` answers.
    pub async fn start(dir: &Path, config: &str) -> Process {
        let port = wavs_devnet::process::free_port();
        let config = config.replace("api-addr = \"127.0.0.1:0\"", &format!("api-addr = \"127.0.0.1:{port}\""));
        let path = dir.join("aggregator.toml");
        std::fs::write(&path, config).unwrap();
        let log = dir.join("aggregator.log");
        let out = std::fs::File::create(&log).unwrap();
        let child = std::process::Command::new(env!("CARGO_BIN_EXE_wavs-aggregator"))
            .arg("--config")
            .arg(&path)
            .env("RUST_LOG", "info,wasmtime=warn,cranelift=warn")
            .stdout(out.try_clone().unwrap())
            .stderr(out)
            .spawn()
            .unwrap();
        let mut process = Process { child, api: Api::new(format!("http://127.0.0.1:{port}")), log };
        let started = Instant::now();
        loop {
            if let Ok(answer) = process.api.http.get(format!("{}/health", process.api.base)).send().await
                && answer.status().is_success()
            {
                return process;
            }
            if let Ok(Some(status)) = process.child.try_wait() {
                panic!("the aggregator exited during start-up ({status}):\n{}", process.log_text());
            }
            assert!(started.elapsed() < Duration::from_secs(120), "the aggregator did not start:\n{}", process.log_text());
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Its resident memory in KiB.
    pub fn rss_kib(&self) -> u64 {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id())).unwrap();
        let line = status.lines().find(|l| l.starts_with("VmRSS:")).unwrap();
        line.split_whitespace().nth(1).unwrap().parse().unwrap()
    }

    /// Its log so far.
    pub fn log_text(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }
}

impl Drop for Process {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
