//! What every check works with: the adapter loaded as a node loads it, a connection to
//! the chain, test operator keys, and what earlier checks deployed and fired.

use crate::config::KitConfig;
use crate::guide;
use crate::report::{Failure, Outcome, skip};
use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};
use wavs_runtime::adapter::AdapterInfo;
use wavs_runtime::bindings::testing_api::{TestDeployment, TestOperator};
use wavs_runtime::{AdapterRegistry, AdapterSigner, ChainAdapter, Limits, RuntimeError, Signer, WasmEngine};
use wavs_types::ChainSpec;

/// Operators the test deployment registers (weight 1 each) and its threshold.
pub const TEST_OPERATORS: u32 = 3;
/// Weight a test envelope needs.
pub const TEST_THRESHOLD: u64 = 2;

/// The state shared by the checks of one run.
pub struct Kit {
    /// The adapter's directory, with just the adapter under test in it.
    pub registry: Arc<AdapterRegistry>,
    /// The chain under test.
    pub spec: ChainSpec,
    /// Its name in reports.
    pub name: String,
    /// The funded key.
    pub deployer: Signer,
    /// The connection every check shares, under the host's default adapter limits.
    pub conn: Arc<ChainAdapter>,
    /// A connection to the second chain of the same family, if the chain file names one.
    pub second: Option<Arc<ChainAdapter>>,
    /// The adapter's description, once it loaded.
    pub info: Option<AdapterInfo>,
    /// Test operator keys (they only sign; they need no funds).
    pub operators: Vec<Signer>,
    /// The reference contracts, if the testing interface deployed them.
    pub deployment: Option<TestDeployment>,
    /// Transactions fired through the testing interface, with their payloads.
    pub fired: Vec<(Vec<u8>, Vec<u8>)>,
    /// Every limit breach or trap any call hit.
    pub breaches: Vec<String>,
    /// Calls that reached the chain and succeeded: what the limit check has measured.
    pub chain_calls: usize,
    /// Why the chain makes no blocks the kit can wait for, once a check found it idle.
    pub idle: Option<String>,
    /// Keeps the adapter directory alive.
    _dir: tempfile::TempDir,
}

impl Kit {
    /// Copies the adapter into a fresh directory and loads it as a node would.
    pub async fn new(adapter: &std::path::Path, config: &KitConfig) -> Result<(Kit, Result<String, String>), String> {
        let dir = tempfile::Builder::new().prefix("wavs-conformance-").tempdir().map_err(|e| e.to_string())?;
        let adapters = dir.path().join("adapters");
        std::fs::create_dir_all(&adapters).map_err(|e| e.to_string())?;
        let file_name = adapter.file_name().ok_or("the adapter path names no file")?;
        std::fs::copy(adapter, adapters.join(file_name)).map_err(|e| format!("cannot read {}: {e}", adapter.display()))?;
        let engine = WasmEngine::new(dir.path().join("cache")).map_err(|e| e.to_string())?;
        let registry = Arc::new(AdapterRegistry::new(engine, &adapters).map_err(|e| e.to_string())?);
        let report = registry.scan().await.map_err(|e| e.to_string())?;
        let loaded = match report.refused.first() {
            Some((_, reason)) => Err(reason.clone()),
            None => Ok(format!("{} loaded", file_name.to_string_lossy())),
        };
        let info = registry.loaded().into_iter().next();
        let spec = config.spec();
        // The deployer is a funded account, used as the chain file sets it (not derived).
        let deployer = config.deployer.account_signer(&config.name).map_err(|e| format!("[deployer]: {e}"))?;
        let conn = Arc::new(ChainAdapter::from_spec(registry.clone(), &config.name, &spec, AdapterSigner::Submitting(deployer.clone()), Limits::ADAPTER_DEFAULT));
        let second = match config.second_spec() {
            Some(second) => {
                let key = config.deployer.account_signer("second").map_err(|e| format!("[deployer.chains.second]: {e}"))?;
                Some(Arc::new(ChainAdapter::from_spec(registry.clone(), "second", &second, AdapterSigner::Submitting(key), Limits::ADAPTER_DEFAULT)))
            }
            None => None,
        };
        let operators = (1..=TEST_OPERATORS)
            .map(|i| Signer::from_hex(&format!("{:064x}", 0xc0ffee_u64 + u64::from(i))).expect("valid test key"))
            .collect();
        let kit = Kit {
            registry,
            spec,
            name: config.name.clone(),
            deployer,
            conn,
            second,
            info,
            operators,
            deployment: None,
            fired: Vec::new(),
            breaches: Vec::new(),
            chain_calls: 0,
            idle: None,
            _dir: dir,
        };
        Ok((kit, loaded))
    }

    /// Turns a call's error into a failed check that points at the guide step of the
    /// call (or at the limits, for a breach or a trap, which it also remembers).
    pub fn check<T>(&mut self, what: &str, result: Result<T, RuntimeError>) -> Result<T, Outcome> {
        match result {
            Ok(value) => {
                self.chain_calls += usize::from(guide::reaches_chain(what));
                Ok(value)
            }
            Err(e) => {
                let broke_limit = matches!(e.cause(), RuntimeError::LimitExceeded(_) | RuntimeError::Trap(_));
                if broke_limit {
                    self.breaches.push(format!("{what}: {e}"));
                }
                let section = if broke_limit { Some(guide::LIMITS) } else { guide::for_call(what) };
                Err(Outcome::Fail(Failure { expected: format!("{what} to answer"), seen: e.to_string(), section }))
            }
        }
    }

    /// A connection to the same chain with other RPC URLs (for fault checks).
    pub fn connection_to(&self, rpc_urls: Vec<String>) -> ChainAdapter {
        let mut spec = self.spec.clone();
        spec.rpc_urls = rpc_urls;
        ChainAdapter::from_spec(self.registry.clone(), &self.name, &spec, AdapterSigner::Submitting(self.deployer.clone()), Limits::ADAPTER_DEFAULT)
    }

    /// Whether the adapter offers the testing interface.
    pub fn has_testing(&self) -> bool {
        self.info.as_ref().is_some_and(|i| i.has_testing)
    }

    /// The deployment, or a skip naming what is missing.
    pub fn deployment(&self) -> Result<TestDeployment, Outcome> {
        match &self.deployment {
            Some(d) => Ok(d.clone()),
            None if !self.has_testing() => skip("the adapter has no testing interface to deploy the reference contracts"),
            None => skip("the reference contracts did not deploy (see deploy-reference-contracts)"),
        }
    }

    /// The test operators as the testing interface takes them.
    pub fn test_operators(&self) -> Vec<TestOperator> {
        self.operators.iter().map(|s| TestOperator { public_key: s.public_key(), proof: vec![], weight: 1 }).collect()
    }
}

/// 20 bytes no earlier run used: an event id for a fresh envelope.
pub fn fresh_event_id(salt: u8) -> Vec<u8> {
    let nanos = SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_nanos()).unwrap_or(0);
    let mut id = vec![0xc0, salt];
    id.extend_from_slice(&nanos.to_be_bytes()[..16]);
    id.extend_from_slice(&[0x0f, 0xf1]);
    id
}

/// Fails unless `ok`, with what was expected and what was seen.
pub fn ensure(ok: bool, expected: impl Into<String>, seen: impl Into<String>) -> Result<(), Outcome> {
    if ok { Ok(()) } else { crate::report::fail(expected, seen) }
}
