//! Host functions the two worlds import: log (shared), signer (adapters), config and
//! key-value store (services).

use crate::bindings::service_world::wavs::service::kv::KvError;
use crate::bindings::{adapter_world, service_world, wit_types};
use crate::service::ServiceKv;
use crate::signer::AdapterSigner;
use crate::state::HostState;
use std::collections::BTreeMap;

/// Log lines longer than this are cut, so a guest cannot flood the node's log.
const MAX_LOG_LINE: usize = 4096;

/// Store data of an adapter instance.
pub struct AdapterData {
    /// This chain's key, as far as this process lets its adapters use it.
    pub(crate) signer: AdapterSigner,
}

/// Store data of a service component execution.
pub struct ServiceData {
    pub(crate) config: BTreeMap<String, String>,
    /// The service's own store; the namespace is fixed by the host.
    pub(crate) kv: ServiceKv,
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

// The backend call blocks this worker thread for a disk commit (milliseconds): the
// import is synchronous because an async import would need a different binding
// configuration for the whole service world, and executions already run under a
// bounded concurrency.
impl service_world::wavs::service::kv::Host for HostState<ServiceData> {
    fn get(&mut self, key: String) -> Result<Option<Vec<u8>>, KvError> {
        let result = self.data.kv.get(&key);
        self.log_kv_failure(result)
    }

    fn set(&mut self, key: String, value: Vec<u8>) -> Result<(), KvError> {
        let result = self.data.kv.set(&key, &value);
        self.log_kv_failure(result)
    }

    fn delete(&mut self, key: String) -> Result<(), KvError> {
        let result = self.data.kv.delete(&key);
        self.log_kv_failure(result)
    }

    fn list_keys(&mut self, prefix: String, start_after: Option<String>) -> Result<Vec<String>, KvError> {
        let result = self.data.kv.list_keys(&prefix, start_after.as_deref());
        self.log_kv_failure(result)
    }
}

impl HostState<ServiceData> {
    /// Storage failures are the operator's to fix, so they reach the node's log too;
    /// limit errors are the component's and go only to it.
    fn log_kv_failure<T>(&self, result: Result<T, KvError>) -> Result<T, KvError> {
        if let Err(KvError::Unavailable(message)) = &result {
            tracing::error!(guest = self.origin.as_str(), "kv store: {message}");
        }
        result
    }
}
