//! Host functions both worlds import (log) and the adapters' signer; the services' own
//! imports are in `service/imports.rs`. Each checks the call's deadline and is charged
//! fuel (`meter.rs`), so a guest cannot escape its limits by leaning on the host.

use crate::bindings::curves_api::Scheme;
use crate::bindings::{adapter_world, wit_types};
use crate::meter::{LogVerdict, cost};
use crate::signer::AdapterSigner;
use crate::state::HostState;

/// Log lines longer than this are cut, so a guest cannot flood the node's log.
const MAX_LOG_LINE: usize = 4096;

/// Store data of an adapter instance.
pub struct AdapterData {
    /// This chain's key, as far as this process lets its adapters use it.
    pub(crate) signer: AdapterSigner,
}

impl<D: Send> wit_types::Host for HostState<D> {}

impl<D: Send> adapter_world::wavs::types::log::Host for HostState<D> {
    fn log(&mut self, level: wit_types::LogLevel, mut message: String) -> wasmtime::Result<()> {
        self.meter.charge(message.len(), 0)?;
        match self.meter.log(message.len().min(MAX_LOG_LINE)) {
            LogVerdict::Write => {}
            LogVerdict::Drop => return Ok(()),
            LogVerdict::Exhausted => {
                let (lines, bytes) = self.meter.log_budget();
                tracing::warn!(
                    guest = self.origin.as_str(),
                    "log budget of {lines} lines / {bytes} bytes for this call exhausted; dropping the rest \
                     (counted in wavs_guest_log_lines_dropped_total)"
                );
                return Ok(());
            }
        }
        if message.len() > MAX_LOG_LINE {
            let mut cut = MAX_LOG_LINE;
            while !message.is_char_boundary(cut) {
                cut -= 1;
            }
            message.truncate(cut);
            message.push('…');
        }
        let origin = self.origin.as_str();
        match level {
            wit_types::LogLevel::Debug => tracing::debug!(guest = origin, "{message}"),
            wit_types::LogLevel::Info => tracing::info!(guest = origin, "{message}"),
            wit_types::LogLevel::Warn => tracing::warn!(guest = origin, "{message}"),
            wit_types::LogLevel::Error => tracing::error!(guest = origin, "{message}"),
        }
        Ok(())
    }
}

impl adapter_world::wavs::adapter::signer::Host for HostState<AdapterData> {
    fn public_key(&mut self, scheme: Scheme) -> wasmtime::Result<Vec<u8>> {
        self.meter.charge(0, cost::curve(scheme, 1))?;
        // Keys are derived on first use; a failure there is the host's, not the guest's.
        self.data.signer.public_key(scheme.into()).map_err(|e| wasmtime::Error::msg(e.to_string()))
    }

    fn sign_digest(&mut self, scheme: Scheme, digest: Vec<u8>) -> wasmtime::Result<Result<Vec<u8>, String>> {
        self.meter.charge(digest.len(), cost::curve(scheme, 1))?;
        Ok(self.data.signer.sign_digest(scheme.into(), &digest).map_err(|e| e.to_string()))
    }
}
