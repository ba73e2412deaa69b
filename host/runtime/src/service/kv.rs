//! The per-service key-value store behind the `kv` import. The host picks the namespace
//! (the service id); a component only names keys inside it, so keys never cross
//! services. Limits are checked here, once for every backend; a backend only stores
//! bytes and keeps each namespace's total under the quota it is given.

use crate::bindings::service_world::wavs::service::kv::{KvError, LimitExceeded};
use std::sync::Arc;

mod memory;

pub use memory::MemoryKv;

/// Longest key, in bytes of UTF-8.
pub const MAX_KEY_BYTES: u64 = 1024;
/// Largest value, in bytes.
pub const MAX_VALUE_BYTES: u64 = 1 << 20;
/// Largest total of one namespace: the bytes of every stored key and value.
pub const MAX_STORE_BYTES: u64 = 64 << 20;
/// Most keys one `list-keys` call returns.
pub const MAX_LIST_KEYS: usize = 1000;

/// What [`KvBackend::set`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SetOutcome {
    /// Stored, durably.
    Stored,
    /// Nothing changed: the namespace would have held `total` bytes, over the quota.
    OverQuota {
        /// The namespace's total had the write gone through.
        total: u64,
    },
}

/// Durable storage for the `kv` import. `Err` means the storage itself failed (the
/// message says how); the component sees `unavailable` and may try again later.
pub trait KvBackend: Send + Sync {
    /// The value of `key` in namespace `ns`.
    fn get(&self, ns: &str, key: &str) -> Result<Option<Vec<u8>>, String>;

    /// Stores `value` under `key` in `ns`, unless the namespace's total
    /// ([`entry_bytes`] of every entry) would exceed `quota`. Atomic, and durable once
    /// it returns `Stored`.
    fn set(&self, ns: &str, key: &str, value: &[u8], quota: u64) -> Result<SetOutcome, String>;

    /// Removes `key` from `ns`; removing a missing key succeeds.
    fn delete(&self, ns: &str, key: &str) -> Result<(), String>;

    /// Up to `limit` keys of `ns` that start with `prefix` and sort after `start_after`
    /// (if given), in ascending byte order.
    fn list_keys(&self, ns: &str, prefix: &str, start_after: Option<&str>, limit: usize) -> Result<Vec<String>, String>;
}

/// What one entry counts against its namespace's quota.
pub fn entry_bytes(key: &str, value_len: usize) -> u64 {
    (key.len() + value_len) as u64
}

/// One service's view of a backend: every call goes to the namespace fixed here.
#[derive(Clone)]
pub struct ServiceKv {
    backend: Arc<dyn KvBackend>,
    namespace: String,
}

impl std::fmt::Debug for ServiceKv {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ServiceKv").field("namespace", &self.namespace).finish_non_exhaustive()
    }
}

impl ServiceKv {
    /// The store of namespace `namespace` (the node passes the service id) in `backend`.
    pub fn new(backend: Arc<dyn KvBackend>, namespace: impl Into<String>) -> Self {
        ServiceKv { backend, namespace: namespace.into() }
    }

    /// The namespace every call uses.
    pub fn namespace(&self) -> &str {
        &self.namespace
    }

    /// The `get` import.
    pub fn get(&self, key: &str) -> Result<Option<Vec<u8>>, KvError> {
        check_key(key)?;
        self.backend.get(&self.namespace, key).map_err(unavailable)
    }

    /// The `set` import: limits first, then the backend under the namespace quota.
    pub fn set(&self, key: &str, value: &[u8]) -> Result<(), KvError> {
        check_key(key)?;
        let size = value.len() as u64;
        if size > MAX_VALUE_BYTES {
            return Err(KvError::ValueTooLarge(LimitExceeded { size, limit: MAX_VALUE_BYTES }));
        }
        match self.backend.set(&self.namespace, key, value, MAX_STORE_BYTES).map_err(unavailable)? {
            SetOutcome::Stored => Ok(()),
            SetOutcome::OverQuota { total } => {
                Err(KvError::StoreFull(LimitExceeded { size: total, limit: MAX_STORE_BYTES }))
            }
        }
    }

    /// The `delete` import.
    pub fn delete(&self, key: &str) -> Result<(), KvError> {
        check_key(key)?;
        self.backend.delete(&self.namespace, key).map_err(unavailable)
    }

    /// The `list-keys` import: at most [`MAX_LIST_KEYS`] keys.
    pub fn list_keys(&self, prefix: &str, start_after: Option<&str>) -> Result<Vec<String>, KvError> {
        // A prefix longer than any key matches nothing; say so rather than return an
        // empty page that looks like "no keys".
        check_key(prefix)?;
        self.backend.list_keys(&self.namespace, prefix, start_after, MAX_LIST_KEYS).map_err(unavailable)
    }
}

fn check_key(key: &str) -> Result<(), KvError> {
    let size = key.len() as u64;
    if size > MAX_KEY_BYTES {
        return Err(KvError::KeyTooLarge(LimitExceeded { size, limit: MAX_KEY_BYTES }));
    }
    Ok(())
}

fn unavailable(message: String) -> KvError {
    KvError::Unavailable(format!("the node's key-value store failed: {message}; retry later"))
}

#[cfg(test)]
mod tests;
