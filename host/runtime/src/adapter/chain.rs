//! One configured chain served by an adapter: a long-lived instance in its own store,
//! with one open `connection`. A trap or timeout drops the instance; the next call
//! starts a fresh one. When the registry holds a newer build of the adapter, the next
//! call swaps it in.

use super::registry::AdapterRegistry;
use crate::bindings::adapter_api::{
    self, AdapterError, BlockInfo, BlockStatus, BlockTag, ChainConfig, ChainEvent, EventBody, EventFilter,
    HandlerInfo, OperatorSet, Receipt, Signature, SignedEnvelope, SubmissionLimits,
};
use crate::bindings::curves_api::Scheme;
use crate::bindings::testing_api::{TestDeployment, TestOperator};
use crate::bindings::wit_types::Envelope;
use crate::error::{AdapterErrorKind, Result, RuntimeError, classify_call_error, deadline_as_trap, is_deadline};
use crate::http_policy::HttpPolicy;
use crate::imports::AdapterData;
use crate::limits::Limits;
use crate::service::limits_hint;
use crate::signer::AdapterSigner;
use crate::state::HostState;
use super::program::AdapterProgram;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use wasmtime::Store;
use wasmtime::component::ResourceAny;

struct Live {
    store: Store<HostState<AdapterData>>,
    program: Arc<AdapterProgram>,
    adapter: adapter_api::Guest,
    testing: Option<crate::bindings::testing_api::Guest>,
    services: Option<crate::bindings::services_api::Guest>,
    blocks: Option<crate::bindings::blocks_api::Guest>,
    signing_keys: Option<crate::bindings::signing_keys_api::Guest>,
    peers: Option<crate::bindings::peers_api::Guest>,
    conn: ResourceAny,
}

/// A chain, served through whichever adapter the registry holds for its family.
pub struct ChainAdapter {
    registry: Arc<AdapterRegistry>,
    family: String,
    config: ChainConfig,
    signer: AdapterSigner,
    limits: Limits,
    live: tokio::sync::Mutex<Option<Live>>,
    restarts: AtomicU64,
}

/// Runs one call on the live instance under the adapter limits: on the adapter and its
/// testing export, or (`export: field`) on another optional export of `Live`.
macro_rules! call {
    ($self:ident, $what:literal, |$guest:ident, $testing:ident, $store:ident, $conn:ident| $call:expr) => {
        call!(@run $self, $what, live, ($guest, $testing, $store, $conn) = (&live.adapter, &live.testing, &mut live.store, live.conn), $call)
    };
    ($self:ident, $what:literal, export: $field:ident |$export:ident, $store:ident, $conn:ident| $call:expr) => {
        call!(@run $self, $what, live, ($export, $store, $conn) = (&live.$field, &mut live.store, live.conn), $call)
    };
    (@run $self:ident, $what:literal, $live:ident, $names:pat = $values:expr, $call:expr) => {{
        let mut slot = $self.live().await?;
        let $live = slot.as_mut().expect("started above");
        if let Err(e) = HostState::begin_call(&mut $live.store, &$self.limits) {
            return Err(RuntimeError::Host(format!("cannot meter the adapter call: {e:#}")));
        }
        #[allow(unused_variables)]
        let $names = $values;
        let outcome = tokio::time::timeout($self.limits.time(), $call).await;
        $self.settle(&mut slot, $what, outcome)
    }};
}

mod peers;
mod services;
mod signing_keys;

impl ChainAdapter {
    /// A chain of `family`, configured by `config`, whose adapter reaches this chain's
    /// key as `signer` allows.
    pub fn new(
        registry: Arc<AdapterRegistry>,
        family: String,
        config: ChainConfig,
        signer: AdapterSigner,
        limits: Limits,
    ) -> Self {
        ChainAdapter {
            registry,
            family,
            config,
            signer,
            limits,
            live: tokio::sync::Mutex::new(None),
            restarts: AtomicU64::new(0),
        }
    }

    /// A chain from the operator's configuration entry `name`.
    pub fn from_spec(
        registry: Arc<AdapterRegistry>,
        name: &str,
        spec: &wavs_types::ChainSpec,
        signer: AdapterSigner,
        limits: Limits,
    ) -> Self {
        Self::new(registry, spec.family.clone(), crate::convert::chain_config(name, spec), signer, limits)
    }

    /// The operator's name for this chain.
    pub fn name(&self) -> &str {
        &self.config.name
    }

    /// The chain family this chain needs an adapter for.
    pub fn family(&self) -> &str {
        &self.family
    }

    /// How many times the adapter instance was dropped after a trap or timeout.
    pub fn restarts(&self) -> u64 {
        self.restarts.load(Ordering::Relaxed)
    }

    /// The signature schemes the loaded adapter says its chains verify.
    pub fn schemes(&self) -> Vec<wavs_types::Scheme> {
        self.registry.program(&self.family).map(|p| p.info.schemes.clone()).unwrap_or_default()
    }

    /// Whether the loaded adapter for this chain exports the optional `services` interface.
    pub fn has_services(&self) -> bool {
        self.registry.program(&self.family).is_some_and(|p| p.has_services())
    }

    /// Whether an adapter for this chain's family is loaded.
    pub fn has_adapter(&self) -> bool {
        self.registry.program(&self.family).is_some()
    }

    /// The live instance, (re)started if there is none or a newer adapter was loaded.
    async fn live(&self) -> Result<tokio::sync::MutexGuard<'_, Option<Live>>> {
        let mut slot = self.live.lock().await;
        let program = self.registry.program(&self.family).ok_or_else(|| {
            RuntimeError::Unavailable(format!(
                "chain {} waits for an adapter of family {:?}: drop one into the adapters directory",
                self.config.name, self.family
            ))
        })?;
        let current = slot.as_ref().map(|l| l.program.info.digest.clone());
        if current.as_deref() != Some(program.info.digest.as_str()) {
            if current.is_some() {
                tracing::info!(chain = %self.config.name, version = %program.info.version, "swapping in new adapter build");
            }
            *slot = None;
            *slot = Some(self.start(program).await?);
        }
        Ok(slot)
    }

    async fn start(&self, program: Arc<AdapterProgram>) -> Result<Live> {
        // The RPC endpoints and the ones named by role: this chain's adapter only.
        let urls: Vec<String> =
            self.config.rpc_urls.iter().chain(self.config.endpoints.iter().flat_map(|e| &e.urls)).cloned().collect();
        let policy = HttpPolicy::for_urls(&urls);
        let origin = format!("adapter:{}:{}", program.info.family, self.config.name);
        let data = AdapterData { signer: self.signer.clone() };
        let engine = self.registry.engine().engine();
        let mut store = HostState::new_store(engine, origin, policy, &self.limits, data)
            .map_err(|e| RuntimeError::Host(format!("cannot set up the adapter instance: {e:#}")))?;
        let started = async {
            let instance = program.pre.instantiate_async(&mut store).await?;
            let adapter = program.adapter.load(&mut store, &instance)?;
            let testing = program.testing.as_ref().map(|x| x.load(&mut store, &instance)).transpose()?;
            let services = program.services.as_ref().map(|x| x.load(&mut store, &instance)).transpose()?;
            let blocks = program.blocks.as_ref().map(|x| x.load(&mut store, &instance)).transpose()?;
            let signing_keys = program.signing_keys.as_ref().map(|x| x.load(&mut store, &instance)).transpose()?;
            let peers = program.peers.as_ref().map(|x| x.load(&mut store, &instance)).transpose()?;
            let conn = adapter.connection().call_open(&mut store, &self.config).await?;
            wasmtime::Result::Ok((adapter, (testing, services, blocks, signing_keys, peers), conn))
        };
        match tokio::time::timeout(self.limits.time(), started).await {
            Err(_) => Err(RuntimeError::LimitExceeded(format!(
                "adapter did not open chain {} within its time limit of {} ms",
                self.config.name, self.limits.time_ms
            ))),
            Ok(Err(e)) => Err(RuntimeError::AdapterFault { call: "open".into(), cause: Box::new(classify_call_error(e, "open")) }),
            Ok(Ok((_, _, Err(e)))) => Err(adapter_error(e)),
            Ok(Ok((adapter, (testing, services, blocks, signing_keys, peers), Ok(conn)))) => {
                Ok(Live { store, program, adapter, testing, services, blocks, signing_keys, peers, conn })
            }
        }
    }

    fn settle<T>(
        &self,
        slot: &mut Option<Live>,
        what: &str,
        outcome: std::result::Result<
            wasmtime::Result<std::result::Result<T, AdapterError>>,
            tokio::time::error::Elapsed,
        >,
    ) -> Result<T> {
        let failure = match deadline_as_trap(outcome) {
            Ok(Ok(value)) => return Ok(value),
            Ok(Err(e)) => return Err(adapter_error(e)),
            Err(trap) if is_deadline(&trap) => RuntimeError::LimitExceeded(format!(
                "{what} did not return within its time limit of {} ms",
                self.limits.time_ms
            )),
            Err(trap) => match slot.as_ref() {
                Some(live) => {
                    let hint = limits_hint(&self.limits, live.store.data().memory_used());
                    live.store.data().explain(classify_call_error(trap, &format!("{what}; {hint}")))
                }
                None => classify_call_error(trap, what),
            },
        };
        *slot = None;
        self.restarts.fetch_add(1, Ordering::Relaxed);
        tracing::warn!(chain = %self.config.name, call = what, "adapter failed, restarting it: {failure}");
        Err(RuntimeError::AdapterFault { call: what.to_string(), cause: Box::new(failure) })
    }

    /// The chain head for `tag`.
    pub async fn head(&self, tag: BlockTag) -> Result<BlockInfo> {
        call!(self, "head", |g, _t, s, c| g.connection().call_head(s, c, tag))
    }

    /// Events matching `filters` in `from..=to`, refused above the output limit.
    pub async fn events(&self, filters: &[EventFilter], from: u64, to: u64) -> Result<Vec<ChainEvent>> {
        let events = call!(self, "events", |g, _t, s, c| g.connection().call_events(s, c, filters, from, to))?;
        let size: u64 = events.iter().map(event_bytes).sum();
        if size > self.limits.output_bytes {
            return Err(RuntimeError::LimitExceeded(format!(
                "events for heights {from}..={to} came to {size} bytes, over the output limit of {} bytes; \
                 lower the chain's max-block-range",
                self.limits.output_bytes
            )));
        }
        Ok(events)
    }

    /// What the chain has at `height`: a block's hash, a skipped height, or not yet.
    pub async fn block_hash(&self, height: u64) -> Result<BlockStatus> {
        call!(self, "block-hash", |g, _t, s, c| g.connection().call_block_hash(s, c, height))
    }

    /// Whether the adapter delivers `filter` and its parameters are well formed.
    pub async fn check_filter(&self, filter: &EventFilter) -> Result<()> {
        call!(self, "check-filter", |g, _t, s, c| g.connection().call_check_filter(s, c, filter))
    }

    /// The digest operators sign for `envelope` to be handled by `handler` on this chain.
    pub async fn envelope_digest(&self, handler: &str, envelope: &Envelope) -> Result<Vec<u8>> {
        call!(self, "envelope-digest", |g, _t, s, c| g.connection().call_envelope_digest(s, c, handler, envelope))
    }

    /// The service manager `handler` validates signatures with, and the scheme operators
    /// sign with for it, as the chain says.
    pub async fn handler_info(&self, handler: &str) -> Result<HandlerInfo> {
        call!(self, "handler-info", |g, _t, s, c| g.connection().call_handler_info(s, c, handler))
    }

    /// This chain's identity for a public key of `scheme`.
    pub async fn operator_id(&self, scheme: Scheme, public_key: &[u8]) -> Result<String> {
        call!(self, "operator-id", |g, _t, s, c| g.connection().call_operator_id(s, c, scheme, public_key))
    }

    /// The operator `signature` over `digest` proves, or a refusal.
    pub async fn verify(&self, digest: &[u8], signature: &Signature) -> Result<String> {
        call!(self, "verify", |g, _t, s, c| g.connection().call_verify(s, c, digest, signature))
    }

    /// How much one submission on this chain may carry.
    pub async fn submission_limits(&self) -> Result<SubmissionLimits> {
        call!(self, "submission-limits", |g, _t, s, c| async move { g.connection().call_submission_limits(s, c).await.map(Ok) })
    }

    /// The operator set held by `manager`.
    pub async fn operator_set(&self, manager: &str, height: Option<u64>) -> Result<OperatorSet> {
        call!(self, "operator-set", |g, _t, s, c| g.connection().call_operator_set(s, c, manager, height))
    }

    /// Submits `envelopes` to `handler` in one transaction.
    pub async fn submit(&self, handler: &str, envelopes: &[SignedEnvelope]) -> Result<Receipt> {
        call!(self, "submit", |g, _t, s, c| g.connection().call_submit(s, c, handler, envelopes))
    }

    /// Whether `handler` has accepted `event_id`.
    pub async fn is_handled(&self, handler: &str, event_id: &[u8]) -> Result<bool> {
        call!(self, "is-handled", |g, _t, s, c| g.connection().call_is_handled(s, c, handler, event_id))
    }

    /// Testing: deploys the adapter's reference contracts.
    pub async fn deploy_service(&self, scheme: Scheme, operators: &[TestOperator], threshold: u64) -> Result<TestDeployment> {
        call!(self, "deploy-service", |_g, t, s, c| async move {
            match t {
                Some(t) => t.call_deploy_service(s, c, scheme, operators, threshold).await,
                None => Ok(Err(no_testing())),
            }
        })
    }

    /// Testing: makes the trigger contract emit `payload`; returns the tx hash.
    pub async fn fire_trigger(&self, trigger: &str, payload: &[u8]) -> Result<Vec<u8>> {
        call!(self, "fire-trigger", |_g, t, s, c| async move {
            match t {
                Some(t) => t.call_fire_trigger(s, c, trigger, payload).await,
                None => Ok(Err(no_testing())),
            }
        })
    }

    /// Testing: deploys another handler bound to `manager`; returns its address.
    pub async fn deploy_handler(&self, manager: &str) -> Result<String> {
        call!(self, "deploy-handler", |_g, t, s, c| async move {
            match t {
                Some(t) => t.call_deploy_handler(s, c, manager).await,
                None => Ok(Err(no_testing())),
            }
        })
    }

    /// Testing: sets `operator`'s weight in `manager` (0 removes it).
    pub async fn set_operator(&self, manager: &str, operator: &TestOperator) -> Result<()> {
        call!(self, "set-operator", |_g, t, s, c| async move {
            match t {
                Some(t) => t.call_set_operator(s, c, manager, operator).await,
                None => Ok(Err(no_testing())),
            }
        })
    }

    /// Testing: sends `amount` of the chain's fee token from this chain's signer to the
    /// account of `public_key`.
    pub async fn fund(&self, public_key: &[u8], amount: u64) -> Result<()> {
        call!(self, "fund", |_g, t, s, c| async move {
            match t {
                Some(t) => t.call_fund(s, c, public_key, amount).await,
                None => Ok(Err(no_testing())),
            }
        })
    }

    /// Testing: the payload `handler` stored for `event_id`.
    pub async fn handled_payload(&self, handler: &str, event_id: &[u8]) -> Result<Option<Vec<u8>>> {
        call!(self, "handled-payload", |_g, t, s, c| async move {
            match t {
                Some(t) => t.call_handled_payload(s, c, handler, event_id).await,
                None => Ok(Err(no_testing())),
            }
        })
    }
}

/// The bytes an event carries, for the output limit.
fn event_bytes(event: &ChainEvent) -> u64 {
    let position = &event.position;
    let body = match &event.body {
        EventBody::Block => 0,
        EventBody::Contract(e) => {
            e.contract.len()
                + e.kind.len()
                + e.topics.iter().map(Vec::len).sum::<usize>()
                + e.data.len()
                + e.attributes.iter().map(|a| a.key.len() + a.value.len()).sum::<usize>()
        }
    };
    (position.block_hash.len() + position.tx_hash.len() + body) as u64
}

impl ChainAdapter {
    /// The time of the block at `height`, in ms since the Unix epoch, from the adapter's
    /// optional `blocks` export; an adapter without one is refused, naming it.
    pub async fn block_time(&self, height: u64) -> Result<u64> {
        let mut slot = self.live().await?;
        let Live { store, program, blocks, conn, .. } = slot.as_mut().expect("started above");
        let Some(blocks) = blocks else {
            return Err(RuntimeError::Adapter {
                kind: AdapterErrorKind::Unsupported,
                message: format!(
                    "the {} adapter {} {} exports no `blocks` interface, so it cannot give block times for \
                     deterministic workflows: use an adapter that does (wit/adapter/blocks.wit), or turn \
                     `deterministic` off",
                    program.info.family, program.info.name, program.info.version
                ),
            });
        };
        if let Err(e) = HostState::begin_call(store, &self.limits) {
            return Err(RuntimeError::Host(format!("cannot meter the adapter call: {e:#}")));
        }
        let outcome = tokio::time::timeout(self.limits.time(), blocks.call_block_time(&mut *store, *conn, height)).await;
        self.settle(&mut slot, "block-time", outcome)
    }
}

fn no_testing() -> AdapterError {
    AdapterError::Unsupported("this adapter exports no testing interface".into())
}

fn adapter_error(e: AdapterError) -> RuntimeError {
    let (kind, message) = match e {
        AdapterError::Transient(m) => (AdapterErrorKind::Transient, m),
        AdapterError::Rejected(m) => (AdapterErrorKind::Rejected, m),
        AdapterError::InvalidConfig(m) => (AdapterErrorKind::InvalidConfig, m),
        AdapterError::Unsupported(m) => (AdapterErrorKind::Unsupported, m),
        AdapterError::TooLarge(m) => (AdapterErrorKind::TooLarge, m),
    };
    RuntimeError::Adapter { kind, message }
}
