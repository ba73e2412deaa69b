//! Services defined on chain: an operator has its node follow a service manager, and the
//! node runs whatever service definition the manager's service URI names, moving to a
//! new one when the URI changes. These are the node API's messages for it
//! (`POST /followed`, `GET /followed`).

use serde::{Deserialize, Serialize};

/// `POST /followed`: follow the service whose manager is `manager` on `chain`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct FollowRequest {
    /// The chain holding the manager: its name on this node, or `family:chain-id`.
    pub chain: String,
    /// The service manager's address, in the chain's canonical text form.
    pub manager: String,
}

/// Where following a manager stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "kebab-case")]
pub enum FollowState {
    /// The definition the URI names runs.
    Running,
    /// The URI changed to a definition this node refused (see `error`); the previous
    /// definition keeps running. Tried again only when the URI changes again.
    Refused,
    /// The URI or its definition could not be read (see `error`); retried with backoff,
    /// the running definition unchanged.
    Unreachable,
}

/// One followed manager, as `GET /followed` shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "kebab-case")]
pub struct FollowedService {
    /// The chain, as this node names it.
    pub chain: String,
    /// The manager's address.
    pub manager: String,
    /// The service id the definitions deploy as; fixed by the first one accepted.
    pub service: String,
    /// The URI of the running definition.
    pub uri: String,
    /// sha256 (hex) of the running definition's bytes.
    pub definition_digest: String,
    /// Where following stands.
    pub state: FollowState,
    /// Why the latest URI was refused or unreachable; none while running.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// The URI refused or unreachable, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pending_uri: Option<String>,
    /// When the node started following (unix ms).
    pub since_ms: u64,
    /// When the running definition was switched to (unix ms).
    pub switched_ms: u64,
    /// Definitions switched to since following began (the first one not counted).
    pub switches: u64,
}
