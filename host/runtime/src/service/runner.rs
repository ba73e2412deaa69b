//! Runs service components: each compiled once and type-checked once (`ServicePre`),
//! then every execution gets a fresh store under its limits, and a fresh instance from
//! the engine's pool (see `engine.rs`). Nothing is compiled on this path: components
//! are loaded when a service is deployed or the node starts.

use crate::bindings::service_world::{Service, ServicePre};
use crate::bindings::wit_types::{Response, TriggerAction};
use crate::engine::{LoadSource, WasmEngine};
use crate::error::{Result, RuntimeError, classify_call_error, deadline_as_trap, is_deadline};
use crate::http_policy::{HttpPolicy, HttpRules};
use super::ServiceData;
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
    /// The secrets visible through `secret`: only those the manifest entry declares.
    pub secrets: SecretValues,
    /// Set for a workflow in deterministic mode: seeded randomness, the trigger's time.
    pub determinism: Option<crate::Determinism>,
}

/// Secret values by name, as an execution sees them. Printing one (`{:?}`) shows the
/// names only, so no log line or error carries a value.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct SecretValues(BTreeMap<String, String>);

impl SecretValues {
    /// The values in `values`.
    pub fn new(values: BTreeMap<String, String>) -> Self {
        SecretValues(values)
    }

    /// The value of `name`, if present.
    pub fn get(&self, name: &str) -> Option<&String> {
        self.0.get(name)
    }
}

impl std::fmt::Debug for SecretValues {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_set().entries(self.0.keys().map(|name| format!("{name}=<redacted>"))).finish()
    }
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

/// What an execution used, whether it succeeded or not: a stopped run reports what it
/// took before it was stopped.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Usage {
    /// Fuel burnt, host-call charges included.
    pub fuel_used: u64,
    /// Wall-clock time of the call, instantiation included.
    pub elapsed: Duration,
}

/// Loaded service components by digest.
pub struct ComponentRunner {
    engine: WasmEngine,
    linker: Linker<HostState<ServiceData>>,
    programs: RwLock<HashMap<String, Arc<ServicePre<HostState<ServiceData>>>>>,
    /// Node-wide rules over every component's HTTP allow-list (`http_policy::rules`).
    http_rules: HttpRules,
}

/// The service world this host runs.
pub const SERVICE_WORLD: &str = "wavs:service@0.2.0";

/// Refuses a component that imports another version of the service world, naming it:
/// `run`'s input changed in 0.2.0 (trigger data gained `cron`).
fn check_world_version(engine: &WasmEngine, component: &wasmtime::component::Component) -> Result<()> {
    let ty = component.component_type();
    for (name, _) in ty.imports(engine.engine()) {
        let Some(rest) = name.strip_prefix("wavs:service/") else { continue };
        let version = rest.split_once('@').map(|(_, v)| v).unwrap_or("");
        if version != "0.2.0" {
            return Err(RuntimeError::InvalidComponent(format!(
                "built against wavs:service@{version} ({name}); this node runs {SERVICE_WORLD}, whose trigger data has a \
                 `cron` case: rebuild the component against wit/service (docs/COMPONENTS.md)"
            )));
        }
    }
    Ok(())
}

impl ComponentRunner {
    /// A runner on `engine`.
    pub fn new(engine: WasmEngine) -> Result<Self> {
        let mut linker = crate::http_link::base_linker::<ServiceData>(engine.engine())
            .map_err(|e| RuntimeError::InvalidComponent(format!("linker: {e:#}")))?;
        Service::add_to_linker::<_, HasSelf<_>>(&mut linker, |s| s)
            .map_err(|e| RuntimeError::InvalidComponent(format!("linker: {e:#}")))?;
        Ok(ComponentRunner { engine, linker, programs: RwLock::default(), http_rules: HttpRules::default() })
    }

    /// Compiles (or loads from cache) and type-checks a component; returns its digest.
    pub fn load(&self, bytes: &[u8]) -> Result<(String, LoadSource)> {
        let digest = WasmEngine::digest(bytes);
        if self.programs.read().contains_key(&digest) {
            return Ok((digest, LoadSource::Cache));
        }
        let (component, digest, source) = self.engine.load(bytes)?;
        check_world_version(&self.engine, &component)?;
        let pre = self.linker.instantiate_pre(&component).map_err(|e| {
            RuntimeError::InvalidComponent(format!(
                "imports something the service world does not offer: {e:#}"
            ))
        })?;
        let pre = ServicePre::new(pre).map_err(|e| {
            RuntimeError::InvalidComponent(format!(
                "not a {SERVICE_WORLD} component (no `run` export of the expected type; built against an older \
                 wit/service? rebuild against it): {e:#}"
            ))
        })?;
        self.programs.write().insert(digest.clone(), Arc::new(pre));
        Ok((digest, source))
    }

    /// This runner under the node's HTTP `rules` (which restricted hosts the operator
    /// allows, where the node's own services are); the default allows nothing restricted.
    pub fn with_http_rules(mut self, rules: HttpRules) -> Self {
        self.http_rules = rules;
        self
    }

    /// The HTTP rules every execution runs under; clones share updates.
    pub fn http_rules(&self) -> &HttpRules {
        &self.http_rules
    }

    /// Whether the component with `digest` is loaded.
    pub fn is_loaded(&self, digest: &str) -> bool {
        self.programs.read().contains_key(digest)
    }

    /// Drops the loaded component `digest` (the node removed it from storage), freeing
    /// its compiled code once no execution holds it any more.
    pub fn unload(&self, digest: &str) -> bool {
        self.programs.write().remove(digest).is_some()
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
        self.execute_metered(digest, action, limits, permissions, kv).await.0
    }

    /// [`Self::execute`], with what the run used also when it failed.
    pub async fn execute_metered(
        &self,
        digest: &str,
        action: &TriggerAction,
        limits: &Limits,
        permissions: &ExecPermissions,
        kv: ServiceKv,
    ) -> (Result<ExecOutcome>, Usage) {
        let pre = match self.programs.read().get(digest).cloned() {
            Some(pre) => pre,
            None => {
                let err = RuntimeError::InvalidComponent(format!("component {digest} is not loaded"));
                return (Err(err), Usage::default());
            }
        };
        let started = Instant::now();
        let origin = format!("{}/{}", action.service_id, action.workflow_id);
        let policy = HttpPolicy::with_rules(permissions.allowed_http_hosts.clone(), &self.http_rules);
        let data = ServiceData { config: permissions.config.clone(), secrets: permissions.secrets.clone(), kv };
        let mut store = match HostState::new_store(self.engine.engine(), origin, policy.clone(), limits, data) {
            Ok(store) => store,
            Err(e) => return (Err(RuntimeError::Host(format!("cannot set up the execution: {e:#}"))), Usage::default()),
        };
        store.data_mut().set_determinism(permissions.determinism);
        let call = async {
            let service = pre.instantiate_async(&mut store).await?;
            service.call_run(&mut store, action).await
        };
        // The backstop for time spent awaiting the host (HTTP): guest code and WAVS
        // host calls are stopped by the epoch deadline first.
        let outcome = tokio::time::timeout(limits.time(), call).await;
        let usage = Usage { fuel_used: HostState::fuel_used(&store, limits), elapsed: started.elapsed() };
        let meter = &store.data().meter;
        tracing::debug!(
            fuel = usage.fuel_used,
            host_fuel = meter.host_fuel(),
            log_lines_dropped = meter.dropped_log_lines(),
            "execution metered"
        );
        let result = self.settle(outcome, &store, limits, permissions, &policy);
        (result.map(|responses| ExecOutcome { responses, fuel_used: usage.fuel_used, elapsed: usage.elapsed }), usage)
    }

    fn settle(
        &self,
        outcome: std::result::Result<wasmtime::Result<std::result::Result<Vec<Response>, String>>, tokio::time::error::Elapsed>,
        store: &wasmtime::Store<HostState<ServiceData>>,
        limits: &Limits,
        permissions: &ExecPermissions,
        policy: &HttpPolicy,
    ) -> Result<Vec<Response>> {
        let responses = match deadline_as_trap(outcome) {
            Err(e) if is_deadline(&e) => {
                return Err(RuntimeError::LimitExceeded(format!("time limit of {} ms reached", limits.time_ms)));
            }
            Err(e) if pool_exhausted(&e) => {
                return Err(RuntimeError::Busy(format!(
                    "the engine's instance pool is full ({e:#}); retry once other executions \
                     finish, or give the engine more than {} instances, or lower \
                     max-concurrent-executions",
                    self.engine.pool_capacity().instances
                )));
            }
            Err(e) => {
                let hint = limits_hint(limits, store.data().memory_used());
                return Err(store.data().explain(classify_call_error(e, &hint)));
            }
            Ok(Err(message)) => {
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
            Ok(Ok(responses)) => responses,
        };
        let size: u64 = responses.iter().map(|r| r.payload.len() as u64).sum();
        if size > limits.output_bytes {
            return Err(RuntimeError::LimitExceeded(format!(
                "output of {size} bytes exceeds the limit of {} bytes",
                limits.output_bytes
            )));
        }
        Ok(responses)
    }
}

/// The limits a stopped guest ran under, for its error message.
pub(crate) fn limits_hint(limits: &Limits, memory_used: u64) -> String {
    format!(
        "fuel limit {}, time limit {} ms, memory limit {} bytes ({memory_used} in use), host-handles limit {}",
        limits.fuel, limits.time_ms, limits.memory_bytes, limits.host_handles
    )
}

/// Whether `err` is the pooling allocator refusing an instance, memory, table or stack
/// because all of its slots are taken: a passing condition, unlike a trap.
fn pool_exhausted(err: &wasmtime::Error) -> bool {
    err.chain().any(|e| e.downcast_ref::<wasmtime::PoolConcurrencyLimitError>().is_some())
}
