//! Host functions the two worlds import: log (shared), signer (adapters), config (services).

use crate::bindings::{adapter_world, service_world, wit_types};
use crate::signer::Signer;
use crate::state::HostState;
use std::collections::BTreeMap;

/// Log lines longer than this are cut, so a guest cannot flood the node's log.
const MAX_LOG_LINE: usize = 4096;

/// Store data of an adapter instance.
pub struct AdapterData {
    pub(crate) signer: Signer,
}

/// Store data of a service component execution.
pub struct ServiceData {
    pub(crate) config: BTreeMap<String, String>,
}

impl<D: Send> wit_types::Host for HostState<D> {}

impl<D: Send> adapter_world::wavs::types::log::Host for HostState<D> {
    fn log(&mut self, level: wit_types::LogLevel, mut message: String) {
        if message.len() > MAX_LOG_LINE {
            let mut cut = MAX_LOG_LINE;
            while !message.is_char_boundary(cut) {
                cut -= 1;
            }
            message.truncate(cut);
            message.push_str("…");
        }
        let origin = self.origin.as_str();
        match level {
            wit_types::LogLevel::Debug => tracing::debug!(guest = origin, "{message}"),
            wit_types::LogLevel::Info => tracing::info!(guest = origin, "{message}"),
            wit_types::LogLevel::Warn => tracing::warn!(guest = origin, "{message}"),
            wit_types::LogLevel::Error => tracing::error!(guest = origin, "{message}"),
        }
    }
}

impl adapter_world::wavs::adapter::signer::Host for HostState<AdapterData> {
    fn public_key(&mut self) -> Vec<u8> {
        self.data.signer.public_key()
    }

    fn sign_digest(&mut self, digest: Vec<u8>) -> Result<Vec<u8>, String> {
        self.data.signer.sign_digest(&digest).map_err(|e| e.to_string())
    }
}

impl service_world::wavs::service::host::Host for HostState<ServiceData> {
    fn config_var(&mut self, key: String) -> Option<String> {
        self.data.config.get(&key).cloned()
    }
}
