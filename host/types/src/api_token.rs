//! API tokens, as the node and the aggregator both use them: `api-token` in a config is a
//! secret, or exactly `"none"` to open the API; unset, the process generates one at its
//! first start into `<data-dir>/api-token` (32 random bytes, hex, mode 0600) and reuses
//! it. Requests carry it as `Authorization: Bearer <token>`.

use axum::http::{HeaderMap, header};
use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Deserializer};
use std::io::Write;
use std::path::{Path, PathBuf};

/// The name of the token file in a data dir.
pub const TOKEN_FILE: &str = "api-token";

/// The value of `api-token` that opens the API to anyone who can reach it.
pub const OPEN: &str = "none";

/// What guards the endpoints that change a process.
#[derive(Clone)]
pub enum ApiToken {
    /// `api-token = "none"`: no token; anyone who reaches the API may change things.
    Open,
    /// The bearer token those requests must carry: never printed, zeroed when dropped.
    Secret(SecretString),
}

impl ApiToken {
    /// A token with secret `secret`.
    pub fn secret_of(secret: impl Into<String>) -> Self {
        ApiToken::Secret(SecretString::from(secret.into()))
    }
}

/// Compared in constant time, as a request's token is.
impl PartialEq for ApiToken {
    fn eq(&self, other: &Self) -> bool {
        match (self.secret(), other.secret()) {
            (None, None) => true,
            (Some(a), Some(b)) => same(a.as_bytes(), b.as_bytes()),
            _ => false,
        }
    }
}

impl Eq for ApiToken {}

/// Why a request was not let through.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// No `Authorization: Bearer` header.
    Missing,
    /// A bearer token, but not this one.
    Mismatch,
}

impl ApiToken {
    /// The secret, unless the API is open.
    pub fn secret(&self) -> Option<&str> {
        match self {
            ApiToken::Open => None,
            ApiToken::Secret(s) => Some(s.expose_secret()),
        }
    }

    /// Lets a request through if it carries the token (or the API is open).
    pub fn check(&self, headers: &HeaderMap) -> Result<(), Refusal> {
        let Some(secret) = self.secret() else { return Ok(()) };
        match bearer(headers) {
            Some(given) if same(given.as_bytes(), secret.as_bytes()) => Ok(()),
            Some(_) => Err(Refusal::Mismatch),
            None => Err(Refusal::Missing),
        }
    }
}

// Never print the secret: configs are logged and printed with `{:?}`.
impl std::fmt::Debug for ApiToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ApiToken::Open => f.write_str("ApiToken::Open"),
            ApiToken::Secret(_) => f.write_str("ApiToken::Secret(<redacted>)"),
        }
    }
}

impl<'de> Deserialize<'de> for ApiToken {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        Ok(if text == OPEN { ApiToken::Open } else { ApiToken::secret_of(text) })
    }
}

/// Checks a configured secret: not empty, and not a spelling of "none" that would be a
/// guessable token (only the exact `api-token = "none"` in the file opens the API).
pub fn check_secret(secret: &str) -> Result<(), String> {
    if secret.trim().is_empty() {
        return Err("api-token is empty: set a secret, remove the line to have one generated, \
                    or write api-token = \"none\" to open the API"
            .into());
    }
    if secret.trim().eq_ignore_ascii_case(OPEN) {
        return Err(format!(
            "api-token {secret:?} would be a guessable token: only api-token = \"none\", written exactly so in the \
             configuration file (not in an environment variable), opens the API"
        ));
    }
    Ok(())
}

/// The token of an `Authorization: Bearer <token>` header, if there is one.
pub fn bearer(headers: &HeaderMap) -> Option<&str> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?.trim();
    let (scheme, token) = value.split_once(' ')?;
    scheme.eq_ignore_ascii_case("bearer").then(|| token.trim())
}

/// Compares in time independent of where the first difference is.
fn same(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// `<data_dir>/api-token`.
pub fn token_path(data_dir: &Path) -> PathBuf {
    data_dir.join(TOKEN_FILE)
}

/// The token in `<data_dir>/api-token`, written first (32 random bytes, hex, mode 0600)
/// if the file does not exist. Returns the token and whether it was generated now; an
/// error says what to do.
pub fn load_or_create(data_dir: &Path) -> Result<(String, bool), String> {
    let path = token_path(data_dir);
    match read_token_file(&path) {
        Ok(token) => return Ok((token, false)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => return Err(e.to_string()),
    }
    std::fs::create_dir_all(data_dir).map_err(|e| format!("cannot create the data dir {}: {e}", data_dir.display()))?;
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).map_err(|e| format!("cannot generate an API token: {e}"))?;
    let token = hex::encode(bytes);
    // Written whole under another name, then renamed: a crash never leaves half a token.
    let partial = data_dir.join(format!("{TOKEN_FILE}.partial"));
    let _ = std::fs::remove_file(&partial);
    let written = owner_only_file(&partial).and_then(|mut f| {
        f.write_all(format!("{token}\n").as_bytes())?;
        f.sync_all()
    });
    written
        .and_then(|()| std::fs::rename(&partial, &path))
        .map_err(|e| format!("cannot write the API token to {}: {e}", path.display()))?;
    Ok((token, true))
}

/// Creates `path` (which must not exist) readable and writable by its owner only (mode
/// 0600 on Unix); the node's secrets file is written so too.
pub fn owner_only_file(path: &Path) -> std::io::Result<std::fs::File> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    options.open(path)
}

/// Reads a token file: its first line, trimmed. Refuses a file other users may read (a
/// token they could use) and an empty one, saying how to fix each.
pub fn read_token_file(path: &Path) -> std::io::Result<String> {
    let text = std::fs::read_to_string(path)?;
    let invalid = |msg: String| std::io::Error::new(std::io::ErrorKind::InvalidData, msg);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(path)?.permissions().mode() & 0o777;
        if mode & 0o077 != 0 {
            return Err(invalid(format!(
                "the API token file {} can be read by other users (mode {mode:04o}): run `chmod 600 {}`, \
                 or delete it to have a new token generated",
                path.display(),
                path.display()
            )));
        }
    }
    let token = text.lines().next().unwrap_or_default().trim().to_string();
    if token.is_empty() {
        return Err(invalid(format!("the API token file {} is empty: delete it to have a new token generated", path.display())));
    }
    Ok(token)
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    #[test]
    fn a_token_is_generated_once_owner_only_and_reused() {
        let dir = tempfile::tempdir().unwrap();
        let data = dir.path().join("data");
        let (token, created) = load_or_create(&data).unwrap();
        assert!(created);
        assert_eq!(token.len(), 64, "32 bytes, hex: {token}");
        assert!(token.chars().all(|c| c.is_ascii_hexdigit()));
        assert_eq!(load_or_create(&data).unwrap(), (token.clone(), false), "reused at the next start");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(token_path(&data)).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode, 0o600);
            std::fs::set_permissions(token_path(&data), std::fs::Permissions::from_mode(0o644)).unwrap();
            let err = load_or_create(&data).unwrap_err();
            assert!(err.contains("can be read by other users") && err.contains("chmod 600"), "{err}");
        }
        let other = tempfile::tempdir().unwrap();
        assert_ne!(load_or_create(other.path()).unwrap().0, token, "each process its own token");
    }

    #[test]
    fn only_the_exact_word_none_opens_the_api() {
        let parse = |v: &str| serde_json::from_value::<ApiToken>(serde_json::json!(v)).unwrap();
        assert_eq!(parse("none"), ApiToken::Open);
        assert_eq!(parse("s3cret"), ApiToken::secret_of("s3cret"));
        assert_eq!(parse("None"), ApiToken::secret_of("None"));
        assert!(check_secret("None").unwrap_err().contains("guessable"));
        assert!(check_secret(" ").unwrap_err().contains("empty"));
        assert!(check_secret("s3cret").is_ok());
        assert_eq!(format!("{:?}", ApiToken::secret_of("s3cret")), "ApiToken::Secret(<redacted>)");
    }

    #[test]
    fn bearer_tokens_are_read_and_compared() {
        let secret = ApiToken::secret_of("abc");
        let mut h = HeaderMap::new();
        assert_eq!(secret.check(&h), Err(Refusal::Missing));
        h.insert(header::AUTHORIZATION, HeaderValue::from_static("bearer  abc "));
        assert_eq!(secret.check(&h), Ok(()));
        h.insert(header::AUTHORIZATION, HeaderValue::from_static("Bearer abd"));
        assert_eq!(secret.check(&h), Err(Refusal::Mismatch));
        h.insert(header::AUTHORIZATION, HeaderValue::from_static("Basic abc"));
        assert_eq!(secret.check(&h), Err(Refusal::Missing));
        assert_eq!(ApiToken::Open.check(&HeaderMap::new()), Ok(()));
        assert!(!same(b"abc", b"abcd"));
    }
}
