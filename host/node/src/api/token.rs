//! The API token: what `api-token` in the node's configuration means, and the token
//! file a node generates in its data dir when none is configured.
//!
//! A fresh node is closed: at its first start without `api-token` it writes 32 random
//! bytes, hex, to `<data-dir>/api-token` (mode 0600) and reuses that file at every later
//! start. The `wavs` CLI reads the same file through the node's configuration. Only
//! `api-token = "none"`, written so in the configuration, opens the API.

use crate::error::{NodeError, Result};
use std::path::{Path, PathBuf};
pub use wavs_types::api_token::{ApiToken, OPEN, TOKEN_FILE, check_secret, read_token_file, token_path};

/// The token in `<data_dir>/api-token`, generated now if there is none; with whether it
/// was generated now.
pub fn load_or_create(data_dir: &Path) -> Result<(String, bool)> {
    wavs_types::api_token::load_or_create(data_dir).map_err(NodeError::Invalid)
}

/// Where a started node's token came from, for its log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    /// `api-token = "none"`: no token.
    Open,
    /// `api-token` in the configuration, or `WAVS_API_TOKEN`.
    Configured,
    /// Generated now into this file.
    Generated(PathBuf),
    /// Read from this file, generated at an earlier start.
    File(PathBuf),
}

/// Gives `config` its token: the configured one, else the one in its data dir's token
/// file, generated now if there is none. What `wavs node` does before it opens the node.
pub fn resolve(config: &mut crate::NodeConfig) -> Result<Origin> {
    match &config.api_token {
        Some(ApiToken::Open) => return Ok(Origin::Open),
        Some(ApiToken::Secret(_)) => return Ok(Origin::Configured),
        None => {}
    }
    let (token, created) = load_or_create(&config.data_dir)?;
    config.api_token = Some(ApiToken::secret_of(token));
    let path = token_path(&config.data_dir);
    Ok(if created { Origin::Generated(path) } else { Origin::File(path) })
}
