//! How wasi:http is linked into every guest: wasmtime-wasi-http's implementation, except
//! that `outgoing-handler.handle` releases the `request-options` the guest hands over.
//!
//! The guest passes `request-options` as an owned handle, but wasmtime-wasi-http 48 only
//! reads it and never removes it from the resource table. Every request with options
//! left one live handle behind, so a long-lived adapter (a request per RPC call) filled
//! its `host-handles` limit after about a thousand calls. Here `handle` is defined again
//! over wasmtime-wasi-http's own, which it calls, and the handle is removed after it.

use crate::state::HostState;
use wasmtime::StoreContextMut;
use wasmtime::component::{Linker, Resource};
use wasmtime_wasi_http::WasiHttpView;
use wasmtime_wasi_http::p2::bindings::http::{outgoing_handler, types};
use wasmtime_wasi_http::p2::types::{HostFutureIncomingResponse, HostOutgoingRequest};

/// A linker with WASI p2 and wasi:http (through the allow-list) defined: what every
/// guest, component or adapter, is linked against before its own world's imports.
pub(crate) fn base_linker<D: Send + 'static>(engine: &wasmtime::Engine) -> wasmtime::Result<Linker<HostState<D>>> {
    let mut linker = Linker::new(engine);
    wasmtime_wasi::p2::add_to_linker_async(&mut linker)?;
    add_http(&mut linker)?;
    Ok(linker)
}

/// The interface wasmtime-wasi-http 48 links (its WIT is wasi:http@0.2.12); guests built
/// against any 0.2.x match it. After a wasmtime upgrade, check the name: the fault tests
/// (1,000 triggers fired through one long-lived EVM adapter under the default
/// `host-handles` of 1,024) fail if the handle leaks again.
const OUTGOING_HANDLER: &str = "wasi:http/outgoing-handler@0.2.12";

type Options = Option<Resource<types::RequestOptions>>;
type Handled = Result<Resource<HostFutureIncomingResponse>, types::ErrorCode>;

/// Adds wasi:http (types and the outgoing handler) to `linker`.
fn add_http<D: Send + 'static>(linker: &mut Linker<HostState<D>>) -> wasmtime::Result<()> {
    wasmtime_wasi_http::p2::add_only_http_to_linker_async(linker)?;
    // Redefining a name already defined is refused unless shadowing is on.
    linker.allow_shadowing(true);
    let redefined = linker.instance(OUTGOING_HANDLER)?.func_wrap(
        "handle",
        |mut store: StoreContextMut<'_, HostState<D>>, (request, options): (Resource<HostOutgoingRequest>, Options)| {
            let owned = options.as_ref().map(|o| Resource::<types::RequestOptions>::new_own(o.rep()));
            let mut http = store.data_mut().http();
            let handled: Handled = match outgoing_handler::Host::handle(&mut http, request, options) {
                Ok(response) => Ok(response),
                Err(e) => Err(e.downcast()?),
            };
            if let Some(options) = owned {
                // Already gone (a later wasmtime may delete it itself) is fine.
                let _ = http.table.delete(options);
            }
            Ok((handled,))
        },
    );
    linker.allow_shadowing(false);
    redefined
}
