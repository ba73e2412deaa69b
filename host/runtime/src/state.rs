//! The data every store carries: WASI context, HTTP policy, limits, and the
//! world-specific part `D`.

use crate::error::RuntimeError;
use crate::guest_stderr::GuestStderr;
use crate::http_policy::HttpPolicy;
use crate::limits::Limits;
use wasmtime::component::{Linker, ResourceTable};
use wasmtime::{Engine, Store, StoreLimits};
use wasmtime_wasi::{WasiCtx, WasiCtxBuilder, WasiCtxView, WasiView};
use wasmtime_wasi_http::{WasiHttpCtx, WasiHttpCtxView, WasiHttpView};

/// Store data for one guest.
pub struct HostState<D> {
    /// Built on the guest's first WASI call: most executions make none (a pure-compute
    /// component never reads its environment, clocks or randomness), and building one
    /// seeds two random generators and boxes its streams.
    wasi: Option<WasiCtx>,
    http: WasiHttpCtx,
    table: ResourceTable,
    pub(crate) policy: HttpPolicy,
    limiter: StoreLimits,
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
        let state = HostState {
            wasi: None,
            http: WasiHttpCtx::new(),
            table: ResourceTable::new(),
            policy,
            limiter: limits.store_limits(),
            stderr,
            origin,
            data,
        };
        let mut store = Store::new(engine, state);
        store.limiter(|s| &mut s.limiter);
        store.set_fuel(limits.fuel)?;
        store.fuel_async_yield_interval(Some(crate::engine::FUEL_YIELD_INTERVAL))?;
        Ok(store)
    }

    /// `err` with the guest's panic message added, if it trapped after printing one.
    pub(crate) fn explain(&self, err: RuntimeError) -> RuntimeError {
        match (err, self.stderr.panic_message()) {
            (RuntimeError::Trap(trap), Some(message)) => RuntimeError::Trap(format!("{trap}; guest {message}")),
            (err, _) => err,
        }
    }

    /// A linker with WASI p2 and wasi:http (through the allow-list) defined.
    pub(crate) fn base_linker(engine: &Engine) -> wasmtime::Result<Linker<Self>> {
        let mut linker = Linker::new(engine);
        wasmtime_wasi::p2::add_to_linker_async(&mut linker)?;
        wasmtime_wasi_http::p2::add_only_http_to_linker_async(&mut linker)?;
        Ok(linker)
    }
}

/// The WASI context every guest gets: no filesystem, no sockets, no environment or
/// arguments, stdin closed, stdout discarded, stderr kept as a short tail in `stderr`.
fn wasi_ctx(stderr: &GuestStderr) -> WasiCtx {
    WasiCtxBuilder::new().stderr(stderr.clone()).build()
}

impl<D: Send> WasiView for HostState<D> {
    fn ctx(&mut self) -> WasiCtxView<'_> {
        let stderr = &self.stderr;
        let ctx = self.wasi.get_or_insert_with(|| wasi_ctx(stderr));
        WasiCtxView { ctx, table: &mut self.table }
    }
}

impl<D: Send> WasiHttpView for HostState<D> {
    fn http(&mut self) -> WasiHttpCtxView<'_> {
        WasiHttpCtxView { ctx: &mut self.http, table: &mut self.table, hooks: &mut self.policy }
    }
}
