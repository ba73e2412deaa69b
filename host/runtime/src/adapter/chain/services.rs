//! Calls on the optional `services` export: the service URI a chain's manager holds, the
//! filter of its changes, and setting it. An adapter without the export answers
//! `unsupported`, saying so.

use super::ChainAdapter;
use crate::bindings::adapter_api::{AdapterError, EventFilter};
// The `call!` macro names these.
use crate::error::{Result, RuntimeError};
use crate::state::HostState;

impl ChainAdapter {
    /// The service URI the manager `manager` holds now; empty if never set.
    pub async fn service_uri(&self, manager: &str) -> Result<String> {
        call!(self, "service-uri", export: services |x, s, c| async move {
            match x {
                Some(x) => x.call_service_uri(s, c, manager).await,
                None => Ok(Err(no_services())),
            }
        })
    }

    /// The event filter whose events mean `manager`'s service URI changed.
    pub async fn service_uri_filter(&self, manager: &str) -> Result<EventFilter> {
        call!(self, "service-uri-filter", export: services |x, s, c| async move {
            match x {
                Some(x) => x.call_service_uri_filter(s, c, manager).await,
                None => Ok(Err(no_services())),
            }
        })
    }

    /// Sets `manager`'s service URI to `uri`, paying from this chain's signer (the owner).
    pub async fn set_service_uri(&self, manager: &str, uri: &str) -> Result<()> {
        call!(self, "set-service-uri", export: services |x, s, c| async move {
            match x {
                Some(x) => x.call_set_service_uri(s, c, manager, uri).await,
                None => Ok(Err(no_services())),
            }
        })
    }
}

fn no_services() -> AdapterError {
    AdapterError::Unsupported(
        "this adapter exports no services interface (services defined on chain): \
         rebuild it against wit/adapter with the chain-adapter-with-services world"
            .into(),
    )
}
