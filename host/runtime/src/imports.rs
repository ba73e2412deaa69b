//! Host functions the two worlds import: log (shared), signer (adapters), config and
//! key-value store (services). Each checks the call's deadline and is charged fuel
//! (`meter.rs`), so a guest cannot escape its limits by leaning on the host.

use crate::bindings::service_world::wavs::service::kv::KvError;
use crate::bindings::{adapter_world, service_world, wit_types};
use crate::meter::{LogVerdict, cost};
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
    fn public_key(&mut self) -> wasmtime::Result<Vec<u8>> {
        self.meter.charge(0, 0)?;
        Ok(self.data.signer.public_key())
    }

    fn sign_digest(&mut self, digest: Vec<u8>) -> wasmtime::Result<Result<Vec<u8>, String>> {
        self.meter.charge(digest.len(), 0)?;
        Ok(self.data.signer.sign_digest(&digest).map_err(|e| e.to_string()))
    }
}

impl service_world::wavs::service::host::Host for HostState<ServiceData> {
    fn config_var(&mut self, key: String) -> wasmtime::Result<Option<String>> {
        let value = self.data.config.get(&key).cloned();
        self.meter.charge(key.len() + value.as_ref().map_or(0, String::len), 0)?;
        Ok(value)
    }
}

/// Runs a key-value operation on a blocking thread: it may wait on a disk commit, which
/// must not stall the async workers that serve the API and other executions.
async fn off_thread<T: Send + 'static>(
    work: impl FnOnce() -> Result<T, KvError> + Send + 'static,
) -> Result<T, KvError> {
    tokio::task::spawn_blocking(work)
        .await
        .unwrap_or_else(|e| Err(KvError::Unavailable(format!("the key-value store task failed: {e}; retry later"))))
}

impl service_world::wavs::service::kv::Host for HostState<ServiceData> {
    async fn get(&mut self, key: String) -> wasmtime::Result<Result<Option<Vec<u8>>, KvError>> {
        self.meter.charge(key.len(), 0)?;
        let kv = self.data.kv.clone();
        let result = off_thread(move || kv.get(&key)).await;
        let read = result.as_ref().ok().and_then(|v| v.as_ref()).map_or(0, Vec::len);
        // The bytes read are charged after the read: it is the guest that asked for them.
        self.meter.charge(read, 0)?;
        Ok(self.log_kv_failure(result))
    }

    async fn set(&mut self, key: String, value: Vec<u8>) -> wasmtime::Result<Result<(), KvError>> {
        self.meter.charge(key.len() + value.len(), cost::WRITE)?;
        let kv = self.data.kv.clone();
        let result = off_thread(move || kv.set(&key, &value)).await;
        self.meter.check_deadline()?;
        Ok(self.log_kv_failure(result))
    }

    async fn delete(&mut self, key: String) -> wasmtime::Result<Result<(), KvError>> {
        self.meter.charge(key.len(), cost::WRITE)?;
        let kv = self.data.kv.clone();
        let result = off_thread(move || kv.delete(&key)).await;
        self.meter.check_deadline()?;
        Ok(self.log_kv_failure(result))
    }

    async fn list_keys(
        &mut self,
        prefix: String,
        start_after: Option<String>,
    ) -> wasmtime::Result<Result<Vec<String>, KvError>> {
        self.meter.charge(prefix.len(), 0)?;
        let kv = self.data.kv.clone();
        let result = off_thread(move || kv.list_keys(&prefix, start_after.as_deref())).await;
        let listed = result.as_ref().map_or(0, |keys| keys.iter().map(String::len).sum());
        self.meter.charge(listed, 0)?;
        Ok(self.log_kv_failure(result))
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
