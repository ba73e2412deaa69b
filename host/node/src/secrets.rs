//! Operator-held secrets: values a service's components read with the `secret` import
//! (API keys and the like), kept on this node only, in `<data-dir>/secrets.json`, which
//! only the node's user may read (mode 0600). They are never in a manifest, an API
//! answer, a log line, an execution record or the store: the node refuses to start, and
//! refuses to hand secrets to a run, while the file can be read by other users.
//!
//! The file is rewritten whole under another name (created 0600) and renamed, so a
//! crash leaves the old file or the new one.

use crate::error::{NodeError, Result};
use parking_lot::Mutex;
use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use wavs_runtime::SecretValues;
use wavs_types::api_token::owner_only_file;

/// The name of the secrets file in a data dir.
pub const SECRETS_FILE: &str = "secrets.json";

/// The largest secret value, in bytes.
pub const MAX_SECRET_BYTES: usize = 64 << 10;

/// Secret values by service, then by name.
type Values = BTreeMap<String, BTreeMap<String, String>>;

/// This node's secrets. Printing it (`{:?}`) shows no value.
pub struct Secrets {
    /// `<data-dir>/secrets.json`.
    path: PathBuf,
    values: Mutex<Values>,
}

impl std::fmt::Debug for Secrets {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Secrets").field("path", &self.path).finish_non_exhaustive()
    }
}

/// The command that sets secret `name` of `service`.
pub fn set_command(service: &str, name: &str) -> String {
    format!("`wavs secrets set {service} {name}` (the value on stdin, or --file PATH)")
}

impl Secrets {
    /// The secrets in `<data_dir>/secrets.json` (none if there is no file). Refuses a file
    /// other users may read or that does not parse, saying what to do.
    pub fn open(data_dir: &Path) -> Result<Self> {
        let path = data_dir.join(SECRETS_FILE);
        let values = match std::fs::read(&path) {
            Ok(bytes) => {
                check_owner_only(&path)?;
                serde_json::from_slice(&bytes).map_err(|e| {
                    NodeError::Invalid(format!("the secrets file {} does not parse ({e}): fix or delete it", path.display()))
                })?
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Values::new(),
            Err(e) => return Err(NodeError::Invalid(format!("cannot read the secrets file {}: {e}", path.display()))),
        };
        Ok(Secrets { path, values: Mutex::new(values) })
    }

    /// Sets secret `name` of `service` (which need not be deployed yet) to `value`.
    pub fn set(&self, service: &str, name: &str, value: &str) -> Result<()> {
        check_name("service", service)?;
        check_name("secret", name)?;
        if value.is_empty() {
            return Err(NodeError::Invalid(format!("secret {name:?}: the value is empty")));
        }
        if value.len() > MAX_SECRET_BYTES {
            return Err(NodeError::TooLarge(format!(
                "secret {name:?}: the value has {} bytes, more than the {MAX_SECRET_BYTES} allowed",
                value.len()
            )));
        }
        let mut values = self.values.lock();
        let mut next = values.clone();
        next.entry(service.to_string()).or_default().insert(name.to_string(), value.to_string());
        self.write(&next)?;
        *values = next;
        tracing::info!(service, secret = name, "secret set");
        Ok(())
    }

    /// Deletes secret `name` of `service`.
    pub fn delete(&self, service: &str, name: &str) -> Result<()> {
        let mut values = self.values.lock();
        let mut next = values.clone();
        let removed = next.get_mut(service).and_then(|names| names.remove(name)).is_some();
        if !removed {
            return Err(NodeError::NotFound(format!("service {service:?} has no secret {name:?} on this node")));
        }
        next.retain(|_, names| !names.is_empty());
        self.write(&next)?;
        *values = next;
        tracing::info!(service, secret = name, "secret deleted");
        Ok(())
    }

    /// The names of `service`'s secrets, in order; never their values.
    pub fn names(&self, service: &str) -> Vec<String> {
        self.values.lock().get(service).map(|names| names.keys().cloned().collect()).unwrap_or_default()
    }

    /// The first of `declared` that `service` has no value for.
    pub fn first_missing<'a>(&self, service: &str, declared: &'a [String]) -> Option<&'a str> {
        let values = self.values.lock();
        let held = values.get(service);
        declared.iter().find(|name| !held.is_some_and(|h| h.contains_key(*name))).map(String::as_str)
    }

    /// The values of the `declared` secrets of `service`, for one run: an error names
    /// the first one not set (deleted since the deploy), or says the file became readable
    /// by other users.
    pub fn for_run(&self, service: &str, declared: &[String]) -> Result<SecretValues> {
        if declared.is_empty() {
            return Ok(SecretValues::default());
        }
        check_owner_only(&self.path)?;
        let values = self.values.lock();
        let held = values.get(service);
        let mut out = BTreeMap::new();
        for name in declared {
            let value = held.and_then(|h| h.get(name)).ok_or_else(|| {
                NodeError::Invalid(format!(
                    "secret {name:?}, which service {service:?} declares, is not set on this node (deleted?): set it with {}",
                    set_command(service, name)
                ))
            })?;
            out.insert(name.clone(), value.clone());
        }
        Ok(SecretValues::new(out))
    }

    /// Writes `values` to the file: whole, owner-only, then renamed over the old one.
    fn write(&self, values: &Values) -> Result<()> {
        let partial = self.path.with_extension("json.partial");
        let _ = std::fs::remove_file(&partial);
        let bytes = serde_json::to_vec_pretty(values).map_err(|e| NodeError::Invalid(format!("secrets: {e}")))?;
        let written = owner_only_file(&partial).and_then(|mut f| {
            f.write_all(&bytes)?;
            f.sync_all()
        });
        written
            .and_then(|()| std::fs::rename(&partial, &self.path))
            .map_err(|e| NodeError::Io(std::io::Error::new(e.kind(), format!("cannot write {}: {e}", self.path.display()))))
    }
}

fn check_name(what: &str, name: &str) -> Result<()> {
    match wavs_types::manifest::valid_id(name) {
        true => Ok(()),
        false => Err(NodeError::Invalid(format!("{what} name {name:?}: use 1-64 letters, digits, '-' or '_'"))),
    }
}

/// Refuses a secrets file that other users may read or write, saying what to run. No
/// file is fine: there are no secrets yet.
fn check_owner_only(path: &Path) -> Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = match std::fs::metadata(path) {
            Ok(meta) => meta.permissions().mode() & 0o777,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
            Err(e) => return Err(NodeError::Invalid(format!("cannot read the secrets file {}: {e}", path.display()))),
        };
        if mode & 0o077 != 0 {
            return Err(NodeError::Invalid(format!(
                "the secrets file {} can be read by other users (mode {mode:04o}): run `chmod 600 {}` (and rotate the \
                 secrets if others could read them); the node serves no secret until then",
                path.display(),
                path.display()
            )));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_persist_owner_only_and_show_no_value() {
        let dir = tempfile::tempdir().unwrap();
        let secrets = Secrets::open(dir.path()).unwrap();
        secrets.set("svc", "API_KEY", "s3cret-value").unwrap();
        secrets.set("svc", "OTHER", "x").unwrap();
        assert_eq!(secrets.names("svc"), ["API_KEY", "OTHER"]);
        assert!(!format!("{secrets:?}").contains("s3cret"));
        let declared = vec!["API_KEY".to_string()];
        let run = secrets.for_run("svc", &declared).unwrap();
        assert_eq!(run.get("API_KEY").map(String::as_str), Some("s3cret-value"));
        assert_eq!(run.get("OTHER"), None, "only declared names reach a run");
        assert!(!format!("{run:?}").contains("s3cret"), "{run:?}");
        assert!(secrets.set("svc", "bad name", "x").is_err());
        assert!(secrets.set("svc", "EMPTY", "").is_err());

        let reopened = Secrets::open(dir.path()).unwrap();
        assert_eq!(reopened.names("svc"), ["API_KEY", "OTHER"]);
        reopened.delete("svc", "API_KEY").unwrap();
        assert!(matches!(reopened.delete("svc", "API_KEY"), Err(NodeError::NotFound(_))));
        assert_eq!(reopened.first_missing("svc", &declared), Some("API_KEY"));
        let err = reopened.for_run("svc", &declared).unwrap_err().to_string();
        assert!(err.contains("\"API_KEY\"") && err.contains("wavs secrets set svc API_KEY"), "{err}");

        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let path = dir.path().join(SECRETS_FILE);
            assert_eq!(std::fs::metadata(&path).unwrap().permissions().mode() & 0o777, 0o600);
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
            let err = Secrets::open(dir.path()).unwrap_err().to_string();
            assert!(err.contains("can be read by other users") && err.contains("chmod 600"), "{err}");
            let err = reopened.for_run("svc", &["OTHER".to_string()]).unwrap_err().to_string();
            assert!(err.contains("chmod 600"), "a run is refused too: {err}");
        }
    }
}
