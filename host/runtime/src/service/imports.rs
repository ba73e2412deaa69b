//! What a service component imports from the host: its configuration, its declared
//! secrets and its key-value store. Each call checks the deadline and is charged fuel (`meter.rs`), so a component
//! cannot escape its limits by leaning on the host.

use super::ServiceKv;
use crate::bindings::service_world;
use crate::bindings::service_world::wavs::service::kv::KvError;
use crate::meter::cost;
use crate::state::HostState;
use std::collections::BTreeMap;

/// Store data of a service component execution.
pub struct ServiceData {
    pub(crate) config: BTreeMap<String, String>,
    /// The secrets the manifest entry declares, and no others.
    pub(crate) secrets: super::SecretValues,
    /// The service's own store; the namespace is fixed by the host.
    pub(crate) kv: ServiceKv,
}

impl service_world::wavs::service::host::Host for HostState<ServiceData> {
    fn config_var(&mut self, key: String) -> wasmtime::Result<Option<String>> {
        let value = self.data.config.get(&key).cloned();
        self.meter.charge(key.len() + value.as_ref().map_or(0, String::len), 0)?;
        Ok(value)
    }

    fn secret(&mut self, name: String) -> wasmtime::Result<Option<String>> {
        let value = self.data.secrets.get(&name).cloned();
        self.meter.charge(name.len() + value.as_ref().map_or(0, String::len), 0)?;
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
