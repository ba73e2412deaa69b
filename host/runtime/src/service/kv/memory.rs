//! An in-memory [`KvBackend`], for tests and tools that need no persistence.

use super::{KvBackend, SetOutcome, entry_bytes};
use parking_lot::Mutex;
use std::collections::BTreeMap;
use std::ops::Bound;

/// Keeps every namespace in memory; lost when dropped. Same semantics as the node's
/// persistent backend, quota included.
#[derive(Debug, Default)]
pub struct MemoryKv {
    /// (namespace, key) -> value. A tuple key keeps namespaces apart even when one
    /// namespace is a prefix of another.
    entries: Mutex<BTreeMap<(String, String), Vec<u8>>>,
}

impl MemoryKv {
    /// An empty store.
    pub fn new() -> Self {
        Self::default()
    }

    /// The total [`entry_bytes`] of namespace `ns`.
    pub fn namespace_bytes(&self, ns: &str) -> u64 {
        self.entries.lock().iter().filter(|((n, _), _)| n == ns).map(|((_, k), v)| entry_bytes(k, v.len())).sum()
    }
}

impl KvBackend for MemoryKv {
    fn get(&self, ns: &str, key: &str) -> Result<Option<Vec<u8>>, String> {
        Ok(self.entries.lock().get(&(ns.to_string(), key.to_string())).cloned())
    }

    fn set(&self, ns: &str, key: &str, value: &[u8], quota: u64) -> Result<SetOutcome, String> {
        let mut entries = self.entries.lock();
        let id = (ns.to_string(), key.to_string());
        let old = entries.get(&id).map_or(0, |v| entry_bytes(key, v.len()));
        let current: u64 =
            entries.iter().filter(|((n, _), _)| n == ns).map(|((_, k), v)| entry_bytes(k, v.len())).sum();
        let total = current - old + entry_bytes(key, value.len());
        if total > quota {
            return Ok(SetOutcome::OverQuota { total });
        }
        entries.insert(id, value.to_vec());
        Ok(SetOutcome::Stored)
    }

    fn delete(&self, ns: &str, key: &str) -> Result<(), String> {
        self.entries.lock().remove(&(ns.to_string(), key.to_string()));
        Ok(())
    }

    fn list_keys(&self, ns: &str, prefix: &str, start_after: Option<&str>, limit: usize) -> Result<Vec<String>, String> {
        let from = match start_after {
            Some(after) if after >= prefix => Bound::Excluded((ns.to_string(), after.to_string())),
            _ => Bound::Included((ns.to_string(), prefix.to_string())),
        };
        let entries = self.entries.lock();
        Ok(entries
            .range((from, Bound::Unbounded))
            .map(|((n, k), _)| (n, k))
            .take_while(|(n, k)| *n == ns && k.starts_with(prefix))
            .take(limit)
            .map(|(_, k)| k.clone())
            .collect())
    }
}
