//! Conveniences over the `host` and `kv` imports of the service world.
//!
//! The imports are generated in the component's own crate, so the component connects
//! them to these traits itself:
//!
//! ```ignore
//! use wavs_component_sdk::host::{self, KvStore};
//! // `config-var`: any `Fn(&str) -> Option<String>` is a [`host::Config`].
//! let url = host::required(&wavs::service::host::config_var, "url")?;
//! // `secret`: the same trait; only names the manifest entry declares have a value.
//! let key = host::required_secret(&wavs::service::host::secret, "API_KEY")?;
//! // `kv`: a unit struct forwarding to the generated functions.
//! struct Kv;
//! impl KvStore for Kv {
//!     fn get(&self, key: &str) -> Result<Option<Vec<u8>>, String> { wavs::service::kv::get(key).map_err(|e| format!("{e:?}")) }
//!     fn set(&self, key: &str, value: &[u8]) -> Result<(), String> { wavs::service::kv::set(key, value).map_err(|e| format!("{e:?}")) }
//!     fn delete(&self, key: &str) -> Result<(), String> { wavs::service::kv::delete(key).map_err(|e| format!("{e:?}")) }
//! }
//! let count = host::increment(&Kv, "count", 1)?;
//! ```

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::fmt::Display;
use std::str::FromStr;

/// Where configuration variables come from (`config-var` in a component).
pub trait Config {
    /// The value of `key`, if set.
    fn var(&self, key: &str) -> Option<String>;
}

impl<F: Fn(&str) -> Option<String>> Config for F {
    fn var(&self, key: &str) -> Option<String> {
        self(key)
    }
}

/// Variable `key`, or an error saying to set it in the manifest.
pub fn required(config: &impl Config, key: &str) -> Result<String, String> {
    config.var(key).ok_or_else(|| format!("configuration variable {key:?} is not set: add it under the component's `config` in the service manifest"))
}

/// Secret `name` (the `secret` import, passed as `config`), or an error saying how to get
/// it there. The error names the secret, never a value: do not put a value in a log line,
/// an error or a response either, as those are recorded and shown.
pub fn required_secret(secrets: &impl Config, name: &str) -> Result<String, String> {
    secrets.var(name).ok_or_else(|| {
        format!(
            "secret {name:?} is not available: list it under the component's `secrets` in the service manifest, and \
             have the operator set it (`wavs secrets set SERVICE {name}`)"
        )
    })
}

/// Variable `key` parsed as `T`, or `default` when unset; an error if it does not parse.
pub fn parsed<T: FromStr>(config: &impl Config, key: &str, default: T) -> Result<T, String>
where
    T::Err: Display,
{
    match config.var(key) {
        None => Ok(default),
        Some(v) => v.trim().parse().map_err(|e| format!("configuration variable {key:?} = {v:?}: {e}")),
    }
}

/// Variable `key` split on commas (trimmed, empty entries dropped); empty when unset.
pub fn list(config: &impl Config, key: &str) -> Vec<String> {
    config.var(key).map(|v| v.split(',').map(str::trim).filter(|s| !s.is_empty()).map(str::to_string).collect()).unwrap_or_default()
}

/// A key-value store (the `kv` import in a component; [`MemoryKv`] in native tests).
/// Errors are messages: return them from `run` to record them on the execution.
pub trait KvStore {
    /// The value under `key`.
    fn get(&self, key: &str) -> Result<Option<Vec<u8>>, String>;
    /// Stores `value` under `key`.
    fn set(&self, key: &str, value: &[u8]) -> Result<(), String>;
    /// Removes `key`.
    fn delete(&self, key: &str) -> Result<(), String>;
}

/// A `u64` stored as 8 big-endian bytes (as `components/kv-counter` stores its count).
pub fn get_u64(kv: &impl KvStore, key: &str) -> Result<Option<u64>, String> {
    match kv.get(key)? {
        None => Ok(None),
        Some(v) => v
            .as_slice()
            .try_into()
            .map(|b| Some(u64::from_be_bytes(b)))
            .map_err(|_| format!("key {key:?} holds {} bytes, not an 8-byte u64: delete the key to start over", v.len())),
    }
}

/// Stores a `u64` as 8 big-endian bytes.
pub fn set_u64(kv: &impl KvStore, key: &str, value: u64) -> Result<(), String> {
    kv.set(key, &value.to_be_bytes())
}

/// Adds `by` to the `u64` under `key` (0 when unset); returns the new value. Not atomic
/// across concurrent executions (see the `kv` interface).
pub fn increment(kv: &impl KvStore, key: &str, by: u64) -> Result<u64, String> {
    let next = get_u64(kv, key)?.unwrap_or(0).checked_add(by).ok_or_else(|| format!("key {key:?} overflows a u64"))?;
    set_u64(kv, key, next)?;
    Ok(next)
}

/// A UTF-8 string under `key`.
pub fn get_string(kv: &impl KvStore, key: &str) -> Result<Option<String>, String> {
    kv.get(key)?.map(|v| String::from_utf8(v).map_err(|e| format!("key {key:?} is not UTF-8: {e}"))).transpose()
}

/// Stores a string.
pub fn set_string(kv: &impl KvStore, key: &str, value: &str) -> Result<(), String> {
    kv.set(key, value.as_bytes())
}

/// Runs `change` only if `marker` is not set yet, then sets it: makes a change
/// idempotent when the node runs a trigger again (use a marker derived from the
/// trigger, e.g. `seen/<chain>/<tx-hash>/<index>`). Returns whether `change` ran.
pub fn once(kv: &impl KvStore, marker: &str, change: impl FnOnce() -> Result<(), String>) -> Result<bool, String> {
    if kv.get(marker)?.is_some() {
        return Ok(false);
    }
    change()?;
    kv.set(marker, &[1])?;
    Ok(true)
}

/// An in-memory [`KvStore`] for native unit tests of component logic.
#[derive(Debug, Default)]
pub struct MemoryKv(RefCell<BTreeMap<String, Vec<u8>>>);

impl KvStore for MemoryKv {
    fn get(&self, key: &str) -> Result<Option<Vec<u8>>, String> {
        Ok(self.0.borrow().get(key).cloned())
    }
    fn set(&self, key: &str, value: &[u8]) -> Result<(), String> {
        self.0.borrow_mut().insert(key.to_string(), value.to_vec());
        Ok(())
    }
    fn delete(&self, key: &str) -> Result<(), String> {
        self.0.borrow_mut().remove(key);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn config_helpers() {
        let config = |k: &str| match k {
            "n" => Some(" 42 ".to_string()),
            "hosts" => Some("a.example, b.example,,".to_string()),
            "bad" => Some("x".to_string()),
            _ => None,
        };
        assert_eq!(required(&config, "n").unwrap(), " 42 ");
        assert!(required(&config, "missing").unwrap_err().contains("service manifest"));
        assert_eq!(required_secret(&config, "n").unwrap(), " 42 ");
        let err = required_secret(&config, "API_KEY").unwrap_err();
        assert!(err.contains("`secrets`") && err.contains("wavs secrets set SERVICE API_KEY"), "{err}");
        assert_eq!(parsed(&config, "n", 0u32).unwrap(), 42);
        assert_eq!(parsed(&config, "missing", 7u32).unwrap(), 7);
        assert!(parsed(&config, "bad", 0u32).unwrap_err().contains("\"bad\""));
        assert_eq!(list(&config, "hosts"), vec!["a.example", "b.example"]);
        assert!(list(&config, "missing").is_empty());
    }

    #[test]
    fn kv_helpers() {
        let kv = MemoryKv::default();
        assert_eq!(increment(&kv, "count", 1).unwrap(), 1);
        assert_eq!(increment(&kv, "count", 2).unwrap(), 3);
        assert_eq!(kv.get("count").unwrap(), Some(3u64.to_be_bytes().to_vec()));
        kv.set("count", b"xyz").unwrap();
        assert!(get_u64(&kv, "count").unwrap_err().contains("delete the key"));
        set_string(&kv, "name", "wavs").unwrap();
        assert_eq!(get_string(&kv, "name").unwrap().as_deref(), Some("wavs"));
        let mut runs = 0;
        assert!(once(&kv, "seen/1", || { runs += 1; Ok(()) }).unwrap());
        assert!(!once(&kv, "seen/1", || { runs += 1; Ok(()) }).unwrap());
        assert_eq!(runs, 1);
        kv.delete("seen/1").unwrap();
        assert_eq!(kv.get("seen/1").unwrap(), None);
    }
}
