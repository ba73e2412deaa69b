//! Chain-agnostic data types shared by the WAVS node and aggregator: service manifests,
//! chain specs, envelopes and the messages between node and aggregator.

pub mod aggregator_chains;
pub mod aggregator_events;
pub mod aggregator_health;
pub mod aggregator_targets;
pub mod api;
#[cfg(feature = "http")]
pub mod api_token;
#[cfg(feature = "backoff")]
pub mod backoff;
pub mod chain;
pub mod cron;
pub mod envelope;
pub mod execution;
pub mod followed;
#[cfg(feature = "fuzzing")]
pub mod fuzzing;
pub mod health;
pub mod hex_bytes;
#[cfg(feature = "http")]
pub mod http;
pub mod manifest;
pub mod node_api;
pub mod p2p;
#[cfg(feature = "prometheus")]
pub mod prometheus;
pub mod source;

pub use api::{ApiError, ChainState, EnvelopeState, EnvelopeStatus, RefusedSubmission, Scheme, SignedSubmission, SubmissionResult};
pub use chain::{ChainSpec, Finality, check_chain_name};
pub use envelope::{TriggerIdentity, WireEnvelope, derive_event_id, ordering_bytes};
pub use manifest::{
    ComponentSpec, LimitOverrides, Permissions, ServiceManifest, SubmitSpec, TriggerSpec, WorkflowSpec,
};
