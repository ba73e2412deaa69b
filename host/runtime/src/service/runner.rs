//! Runs service components: each compiled once and type-checked once (`ServicePre`),
//! then every execution gets a fresh store under its limits, and a fresh instance from
//! the engine's pool (see `engine.rs`). Nothing is compiled on this path: components
//! are loaded when a service is deployed or the node starts.

use crate::bindings::service_world::{Service, ServicePre};
use crate::bindings::wit_types::{Response, TriggerAction};
use crate::engine::{LoadSource, WasmEngine};
use crate::error::{Result, RuntimeError, classify_call_error};
use crate::http_policy::HttpPolicy;
use crate::imports::ServiceData;
use crate::limits::Limits;
use crate::service::ServiceKv;
use crate::state::HostState;
use parking_lot::RwLock;
use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;
use std::time::{Duration, Instant};
use wasmtime::component::{HasSelf, Linker};

/// What an execution may do.
#[derive(Debug, Clone)]
pub struct ExecPermissions {
    /// `host[:port]` entries the component may reach over HTTP.
    pub allowed_http_hosts: Vec<String>,
    /// Configuration variables visible through `config-var`.
    pub config: BTreeMap<String, String>,
}

/// The result of one successful execution.
#[derive(Debug, Clone)]
pub struct ExecOutcome {
    /// What the component returned.
    pub responses: Vec<Response>,
    /// Fuel burnt.
    pub fuel_used: u64,
    /// Wall-clock time of the call, instantiation included.
    pub elapsed: Duration,
}

/// Loaded service components by digest.
pub struct ComponentRunner {
    engine: WasmEngine,
    linker: Linker<HostState<ServiceData>>,
    programs: RwLock<HashMap<String, Arc<ServicePre<HostState<ServiceData>>>>>,
}

impl ComponentRunner {
    /// A runner on `engine`.
    pub fn new(engine: WasmEngine) -> Result<Self> {
        let mut linker = HostState::<ServiceData>::base_linker(engine.engine())
            .map_err(|e| RuntimeError::InvalidComponent(format!("linker: {e:#}")))?;
        Service::add_to_linker::<_, HasSelf<_>>(&mut linker, |s| s)
            .map_err(|e| RuntimeError::InvalidComponent(format!("linker: {e:#}")))?;
        Ok(ComponentRunner { engine, linker, programs: RwLock::default() })
    }

    /// Compiles (or loads from cache) and type-checks a component; returns its digest.
    pub fn load(&self, bytes: &[u8]) -> Result<(String, LoadSource)> {
        let digest = WasmEngine::digest(bytes);
        if self.programs.read().contains_key(&digest) {
            return Ok((digest, LoadSource::Cache));
        }
        let (component, digest, source) = self.engine.load(bytes)?;
        let pre = self.linker.instantiate_pre(&component).map_err(|e| {
            RuntimeError::InvalidComponent(format!(
                "imports something the service world does not offer: {e:#}"
            ))
        })?;
        let pre = ServicePre::new(pre).map_err(|e| {
            RuntimeError::InvalidComponent(format!("not a service component (no `run` export): {e:#}"))
        })?;
        self.programs.write().insert(digest.clone(), Arc::new(pre));
        Ok((digest, source))
    }

    /// Whether the component with `digest` is loaded.
    pub fn is_loaded(&self, digest: &str) -> bool {
        self.programs.read().contains_key(digest)
    }

    /// Runs component `digest` on `action` under `limits`, with `kv` as its `kv` import
    /// (the node passes the store of `action.service_id`).
    pub async fn execute(
        &self,
        digest: &str,
        action: &TriggerAction,
        limits: &Limits,
        permissions: &ExecPermissions,
        kv: ServiceKv,
    ) -> Result<ExecOutcome> {
        let pre = self.programs.read().get(digest).cloned().ok_or_else(|| {
            RuntimeError::InvalidComponent(format!("component {digest} is not loaded"))
        })?;
        let started = Instant::now();
        let origin = format!("{}/{}", action.service_id, action.workflow_id);
        let policy = HttpPolicy::new(permissions.allowed_http_hosts.clone());
        let data = ServiceData { config: permissions.config.clone(), kv };
        let mut store = HostState::new_store(self.engine.engine(), origin, policy.clone(), limits, data)
            .map_err(|e| RuntimeError::Trap(format!("{e:#}")))?;
        let call = async {
            let service = pre.instantiate_async(&mut store).await?;
            service.call_run(&mut store, action).await
        };
        let outcome = tokio::time::timeout(limits.time(), call).await;
        let fuel_used = limits.fuel.saturating_sub(store.get_fuel().unwrap_or(0));
        let responses = match outcome {
            Err(_) => {
                return Err(RuntimeError::LimitExceeded(format!(
                    "time limit of {} ms reached",
                    limits.time_ms
                )));
            }
            Ok(Err(e)) if pool_exhausted(&e) => {
                return Err(RuntimeError::Io(std::io::Error::new(
                    std::io::ErrorKind::ResourceBusy,
                    format!(
                        "the engine's instance pool is full ({e:#}); retry once other executions \
                         finish, or give the engine more than {} instances, or lower \
                         max-concurrent-executions",
                        self.engine.pool_capacity().instances
                    ),
                )));
            }
            Ok(Err(e)) => {
                let hint = format!("fuel limit {}, memory limit {} bytes", limits.fuel, limits.memory_bytes);
                return Err(store.data().explain(classify_call_error(e, &hint)));
            }
            Ok(Ok(Err(message))) => {
                let denied = policy.denied();
                if !denied.is_empty() {
                    return Err(RuntimeError::HttpDenied(format!(
                        "{message} (refused: {}; the manifest grants {:?})",
                        denied.join(", "),
                        permissions.allowed_http_hosts
                    )));
                }
                return Err(RuntimeError::Guest { message, retryable: false });
            }
            Ok(Ok(Ok(responses))) => responses,
        };
        let size: u64 = responses.iter().map(|r| r.payload.len() as u64).sum();
        if size > limits.output_bytes {
            return Err(RuntimeError::LimitExceeded(format!(
                "output of {size} bytes exceeds the limit of {} bytes",
                limits.output_bytes
            )));
        }
        Ok(ExecOutcome { responses, fuel_used, elapsed: started.elapsed() })
    }
}

/// Whether `err` is the pooling allocator refusing an instance, memory, table or stack
/// because all of its slots are taken: a passing condition, unlike a trap.
fn pool_exhausted(err: &wasmtime::Error) -> bool {
    err.chain().any(|e| e.downcast_ref::<wasmtime::PoolConcurrencyLimitError>().is_some())
}
