//! Each chain's reading state, as `/health`, `/metrics` and the status page show it.

use parking_lot::RwLock;
use serde::Serialize;
use std::collections::BTreeMap;
use std::sync::Arc;
use wavs_types::ChainState;

/// A chain's state as the API shows it.
#[derive(Debug, Clone, Default, Serialize)]
#[serde(rename_all = "kebab-case")]
pub struct ChainStatus {
    pub state: ChainState,
    /// Last head seen.
    pub head: Option<u64>,
    /// Next height to read.
    pub cursor: Option<u64>,
    /// Last error, if the chain is in `error`.
    pub error: Option<String>,
    /// Adapter instance restarts after traps or timeouts.
    pub adapter_restarts: u64,
}

impl ChainStatus {
    /// A round of reading worked: the chain is active and its last error is cleared.
    pub(crate) fn set_active(&mut self) {
        self.state = ChainState::Active;
        self.error = None;
    }
}

/// Every chain's status by name: written by the readers, read by the API.
pub type ChainStatuses = Arc<RwLock<BTreeMap<String, ChainStatus>>>;

/// Applies `f` to `chain`'s status.
pub(crate) fn update(statuses: &ChainStatuses, chain: &str, f: impl FnOnce(&mut ChainStatus)) {
    f(statuses.write().entry(chain.to_string()).or_default());
}
