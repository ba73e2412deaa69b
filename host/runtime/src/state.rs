//! The data every store carries: WASI context, HTTP policy, limits, the call's meter,
//! and the world-specific part `D`.

use crate::determinism::Determinism;
use crate::error::RuntimeError;
use crate::guest_stderr::GuestStderr;
use crate::http_policy::HttpPolicy;
use crate::limiter::SandboxLimiter;
use crate::limits::{HOST_BYTES_PER_HANDLE, Limits};
use crate::meter::Meter;
use wasmtime::component::ResourceTable;
use wasmtime::{Engine, Store, UpdateDeadline};
use wasmtime_wasi::{WasiCtx, WasiCtxBuilder, WasiCtxView, WasiView};
use wasmtime_wasi_http::{WasiHttpCtx, WasiHttpCtxView, WasiHttpView};

/// Store data for one guest.
pub struct HostState<D> {
    /// Built on the guest's first WASI call: most executions make none (a pure-compute
    /// component never reads its environment, clocks or randomness), and building one
    /// seeds two random generators and boxes its streams.
    wasi: Option<WasiCtx>,
    /// Set for a deterministic execution: what its randomness and clocks answer.
    determinism: Option<Determinism>,
    http: WasiHttpCtx,
    table: ResourceTable,
    pub(crate) policy: HttpPolicy,
    limiter: SandboxLimiter,
    /// Deadline, host-call fuel and log budget of the call in progress.
    pub(crate) meter: Meter,
    /// The tail of the guest's stderr, where a panic message lands.
    pub(crate) stderr: GuestStderr,
    /// Who is running, for log lines (`service/workflow` or `adapter:chain`).
    pub(crate) origin: String,
    /// World-specific data.
    pub(crate) data: D,
}

impl<D: Send + 'static> HostState<D> {
    /// A store with no filesystem, no sockets, no environment, and HTTP only to what
    /// `policy` grants.
    pub(crate) fn new_store(
        engine: &Engine,
        origin: String,
        policy: HttpPolicy,
        limits: &Limits,
        data: D,
    ) -> wasmtime::Result<Store<Self>> {
        let stderr = GuestStderr::default();
        let mut http = WasiHttpCtx::new();
        // With the table cap, bounds what headers the host holds for the guest to the
        // reserve `Limits::host_reserve_bytes` takes out of its memory limit.
        http.set_field_size_limit(HOST_BYTES_PER_HANDLE as usize);
        let mut table = ResourceTable::new();
        table.set_max_capacity(usize::try_from(limits.host_handles).unwrap_or(usize::MAX));
        let state = HostState {
            wasi: None,
            determinism: None,
            http,
            table,
            policy,
            limiter: SandboxLimiter::new(limits),
            meter: Meter::new(limits),
            stderr,
            origin,
            data,
        };
        let mut store = Store::new(engine, state);
        store.limiter(|s| &mut s.limiter);
        store.set_fuel(limits.fuel)?;
        store.fuel_async_yield_interval(Some(crate::engine::FUEL_YIELD_INTERVAL))?;
        // Every epoch tick (`engine::EPOCH_TICK`) the guest's code stops here: past the
        // deadline it traps, whatever fuel is left; otherwise host-call charges are
        // deducted from its fuel and it yields to the executor.
        store.epoch_deadline_callback(|mut store| {
            store.data().meter.check_deadline()?;
            let fuel = store.get_fuel()?;
            let left = store.data_mut().meter.settle(fuel);
            store.set_fuel(left)?;
            if left == 0 {
                return Err(wasmtime::Trap::OutOfFuel.into());
            }
            Ok(UpdateDeadline::Yield(1))
        });
        store.set_epoch_deadline(1);
        Ok(store)
    }

    /// Makes the guest's randomness and clocks those of `determinism` (before its first
    /// WASI call, when the context is built).
    pub(crate) fn set_determinism(&mut self, determinism: Option<Determinism>) {
        self.determinism = determinism;
    }

    /// Starts a new call on a long-lived store (an adapter instance): fresh deadline,
    /// fuel and log budget.
    pub(crate) fn begin_call(store: &mut Store<Self>, limits: &Limits) -> wasmtime::Result<()> {
        store.data_mut().meter.begin(limits);
        store.data().stderr.clear();
        store.set_fuel(limits.fuel)?;
        store.set_epoch_deadline(1);
        Ok(())
    }

    /// Fuel the call burnt: in WASM, plus host-call charges not yet deducted.
    pub(crate) fn fuel_used(store: &Store<Self>, limits: &Limits) -> u64 {
        let left = store.get_fuel().unwrap_or(0);
        limits.fuel.saturating_sub(left).saturating_add(store.data().meter.pending()).min(limits.fuel)
    }

    /// Bytes of memories and tables the instance holds.
    pub(crate) fn memory_used(&self) -> u64 {
        self.limiter.used()
    }

    /// `err` with the guest's panic message added, if it trapped after printing one.
    pub(crate) fn explain(&self, err: RuntimeError) -> RuntimeError {
        match (err, self.stderr.panic_message()) {
            (RuntimeError::Trap(trap), Some(message)) => RuntimeError::Trap(format!("{trap}; guest {message}")),
            (err, _) => err,
        }
    }
}

/// The WASI context every guest gets: no filesystem, no sockets, no environment or
/// arguments, stdin closed, stdout discarded, stderr kept as a short tail in `stderr`;
/// randomness and clocks fixed by `determinism` when set, the host's otherwise.
fn wasi_ctx(stderr: &GuestStderr, determinism: Option<&Determinism>) -> WasiCtx {
    let mut builder = WasiCtxBuilder::new();
    builder.stderr(stderr.clone());
    if let Some(d) = determinism {
        d.apply(&mut builder);
    }
    builder.build()
}

impl<D: Send> WasiView for HostState<D> {
    fn ctx(&mut self) -> WasiCtxView<'_> {
        let (stderr, determinism) = (&self.stderr, self.determinism.as_ref());
        let ctx = self.wasi.get_or_insert_with(|| wasi_ctx(stderr, determinism));
        WasiCtxView { ctx, table: &mut self.table }
    }
}

impl<D: Send> WasiHttpView for HostState<D> {
    fn http(&mut self) -> WasiHttpCtxView<'_> {
        WasiHttpCtxView { ctx: &mut self.http, table: &mut self.table, hooks: &mut self.policy }
    }
}
