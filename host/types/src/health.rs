//! The node's `GET /health` answer, typed: the server builds it, and the CLI, metrics,
//! devnet, bench and tests read it through these types rather than by string key, so a
//! renamed field breaks the build instead of a test at runtime. Keys are kebab-case, as
//! they have always been on the wire.

use crate::api::ChainState;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The node (or aggregator) as a whole: `ok`, or `unhealthy` while its store cannot
/// write (the answer's HTTP status is then 503).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "kebab-case")]
pub enum HealthStatus {
    /// Everything that is checked works.
    #[default]
    Ok,
    /// The store cannot write; the reason is in the answer.
    Unhealthy,
}

/// The node's `GET /health`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "kebab-case")]
pub struct NodeHealth {
    /// `ok`, or `unhealthy` while the store cannot write.
    pub status: HealthStatus,
    /// `ok`, or why the store cannot write (e.g. `node.redb: I/O error (No space left on
    /// device ...)`); the node reopens its database and carries on once the disk accepts
    /// writes.
    pub store: String,
    /// Each configured or added chain, by the operator's name for it.
    pub chains: BTreeMap<String, ChainHealth>,
    /// How many services are deployed.
    pub services: usize,
    /// The ids of the paused services (an older node has none: empty).
    #[serde(default)]
    pub paused_services: Vec<String>,
    /// Executions since start, by outcome: `ok` or the error kind.
    #[serde(default)]
    pub executions: BTreeMap<String, u64>,
    /// Background compiles under way (`POST /components?wait=false`); at most
    /// `max-concurrent-compiles` of new components.
    #[serde(default)]
    pub compiling: Vec<CompileEntry>,
    /// Every deployed workflow with a cron trigger, as the node's cron loop sees it: it
    /// rereads the services when one is deployed or removed, so a workflow shows up
    /// within a second of its deploy (an older node has no `cron`: empty).
    #[serde(default)]
    pub cron: Vec<CronHealth>,
    /// With `[p2p]`: this node's peer id, addresses and how many peers hear it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub p2p: Option<crate::p2p::P2pHealth>,
}

impl NodeHealth {
    /// Whether chain `name` exists and is in `state`: what most waits on `/health` ask.
    pub fn chain_is(&self, name: &str, state: ChainState) -> bool {
        self.chains.get(name).is_some_and(|c| c.state == state)
    }

    /// The executions counted under `kind` (`ok` or an error kind) since start; 0 if none.
    pub fn executions_of(&self, kind: &str) -> u64 {
        self.executions.get(kind).copied().unwrap_or(0)
    }
}

/// Where a chain was configured.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "kebab-case")]
pub enum ChainSource {
    /// In the node's configuration file (`[chains.NAME]`).
    #[default]
    Config,
    /// Added at runtime through `POST /chains`.
    Api,
}

/// One chain in the node's `/health`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "kebab-case")]
pub struct ChainHealth {
    /// `starting` until the first round of reading ends; `waiting-for-adapter` while no
    /// adapter for the chain's family is loaded; `active` while the last round worked;
    /// `error` when it failed (`error` says why; it is tried again).
    pub state: ChainState,
    /// The last head seen, once known.
    pub head: Option<u64>,
    /// The next height to read, once known.
    pub cursor: Option<u64>,
    /// Blocks between the cursor and the head not read yet (`head - cursor + 1`, or 0
    /// past the head); unknown until both are.
    pub lag: Option<u64>,
    /// Blocks the reader stays behind the head.
    pub confirmations: u64,
    /// Which head it reads up to (`head` is that one): `latest`, `safe` or `finalized`
    /// (an older node shows none: `latest`).
    #[serde(default)]
    pub finality: crate::Finality,
    /// The adapter family serving it (`evm`, `cosmos`, ...).
    pub family: String,
    /// Where the chain was configured: the node's configuration file, or `POST /chains`.
    pub source: ChainSource,
    /// Whether an adapter for its family is loaded.
    pub adapter_loaded: bool,
    /// Adapter instance restarts after traps or timeouts.
    pub adapter_restarts: u64,
    /// The last error, while the chain is in `error` (or waits for its adapter).
    pub error: Option<String>,
}

/// A component compiling, in `/health`'s `compiling`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "kebab-case")]
pub struct CompileEntry {
    /// The component's sha256, hex.
    pub digest: String,
    /// Where its compile is.
    pub compile: CompileState,
}

/// Where one upload's compile is (`GET /components/{digest}`, `/health`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "state", rename_all = "kebab-case")]
pub enum CompileState {
    /// Compiling for `elapsed-ms` so far.
    #[serde(rename_all = "kebab-case")]
    Compiling {
        /// The component's size.
        bytes: usize,
        /// Milliseconds since its compile started.
        elapsed_ms: u64,
    },
    /// Compiled (or found in the cache) in `ms`, and stored.
    #[serde(rename_all = "kebab-case")]
    Ready {
        /// The component's size.
        bytes: usize,
        /// Milliseconds the compile (or the cache look-up) took.
        ms: u64,
        /// Where the compiled form came from (`compiled`, `cache`, ...).
        source: String,
    },
    /// Refused: not a valid service component, or no room.
    #[serde(rename_all = "kebab-case")]
    Failed {
        /// The component's size.
        bytes: usize,
        /// Why.
        reason: String,
        /// Whether uploading it again may succeed.
        retryable: bool,
    },
}

/// One cron workflow in `/health`'s `cron`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "kebab-case")]
pub struct CronHealth {
    /// The service.
    pub service: String,
    /// The cron workflow.
    pub workflow: String,
    /// The manifest's cron expression (UTC).
    pub schedule: String,
    /// When the next tick is due, Unix seconds; null only at the loop's first sight of
    /// the workflow (its schedule starts then) or for a schedule with no tick to come.
    pub next_tick: Option<u64>,
    /// The newest tick this node process queued as a job, Unix seconds; null until its
    /// first tick since the node started or the service was deployed.
    pub last_queued_tick: Option<u64>,
}

/// The wire name of a state: `starting`, `waiting-for-adapter`, `active`, `error`.
impl std::fmt::Display for ChainState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            ChainState::Starting => "starting",
            ChainState::WaitingForAdapter => "waiting-for-adapter",
            ChainState::Active => "active",
            ChainState::Error => "error",
        })
    }
}

/// The wire name: `ok` or `unhealthy`.
impl std::fmt::Display for HealthStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            HealthStatus::Ok => "ok",
            HealthStatus::Unhealthy => "unhealthy",
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The names printed are the names on the wire.
    #[test]
    fn display_is_the_wire_name() {
        for state in [ChainState::Starting, ChainState::WaitingForAdapter, ChainState::Active, ChainState::Error] {
            assert_eq!(serde_json::to_value(state).unwrap(), state.to_string());
        }
        for status in [HealthStatus::Ok, HealthStatus::Unhealthy] {
            assert_eq!(serde_json::to_value(status).unwrap(), status.to_string());
        }
    }

    /// The keys of one chain's entry, as clients (and the status page) read them.
    #[test]
    fn chain_keys_are_kebab_case() {
        let chain = serde_json::to_value(ChainHealth::default()).unwrap();
        let keys: Vec<&str> = chain.as_object().unwrap().keys().map(String::as_str).collect();
        let expected = ["adapter-loaded", "adapter-restarts", "confirmations", "cursor", "error", "family", "finality", "head", "lag", "source", "state"];
        assert_eq!(keys, expected);
    }
}
