//! Messages between node and aggregator.

use crate::envelope::WireEnvelope;
use serde::{Deserialize, Serialize};

/// An operator's signed envelope, sent to the aggregator.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct SignedSubmission {
    /// The service the result belongs to.
    pub service_id: String,
    /// The workflow within the service.
    pub workflow_id: String,
    /// The chain (aggregator's configuration name) to submit on.
    pub chain: String,
    /// The handler contract.
    pub handler: String,
    /// The manager contract holding the operator set.
    pub manager: String,
    /// The envelope.
    pub envelope: WireEnvelope,
    /// The signature over the chain's digest of the envelope, encoded for its scheme
    /// (secp256k1-ecdsa: 65 bytes `r || s || recovery-id`).
    #[serde(with = "crate::hex_bytes")]
    #[cfg_attr(feature = "openapi", schema(value_type = String, pattern = "^(0x)?([0-9a-fA-F]{2})*$"))]
    pub signature: Vec<u8>,
    /// The scheme the signature was made with; `secp256k1-ecdsa` when left out.
    #[serde(default, skip_serializing_if = "Scheme::is_default")]
    pub scheme: Scheme,
    /// The signer's public key for that scheme; may be left out for secp256k1-ecdsa,
    /// whose signature yields it. The target chain's adapter checks the signature.
    #[serde(default, with = "crate::hex_bytes", skip_serializing_if = "Vec::is_empty")]
    #[cfg_attr(feature = "openapi", schema(value_type = String, pattern = "^(0x)?([0-9a-fA-F]{2})*$"))]
    pub public_key: Vec<u8>,
}

/// A signature scheme operators sign with, as the target chain's adapter names it for a
/// handler.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize, PartialOrd, Ord)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "kebab-case")]
pub enum Scheme {
    /// ECDSA over secp256k1, recoverable.
    #[default]
    Secp256k1Ecdsa,
    /// Ed25519 (RFC 8032).
    Ed25519,
    /// BLS over BN254, signatures in G1; aggregates.
    Bn254Bls,
}

impl Scheme {
    /// Every scheme, in a fixed order.
    pub const ALL: [Scheme; 3] = [Scheme::Secp256k1Ecdsa, Scheme::Ed25519, Scheme::Bn254Bls];

    /// Whether this is the default (left out when written).
    pub fn is_default(&self) -> bool {
        *self == Scheme::Secp256k1Ecdsa
    }

    /// The name WIT and configurations use (`bn254-bls`).
    pub fn as_str(self) -> &'static str {
        match self {
            Scheme::Secp256k1Ecdsa => "secp256k1-ecdsa",
            Scheme::Ed25519 => "ed25519",
            Scheme::Bn254Bls => "bn254-bls",
        }
    }
}

impl std::fmt::Display for Scheme {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for Scheme {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        Scheme::ALL.into_iter().find(|scheme| scheme.as_str() == s).ok_or_else(|| {
            format!("unknown signature scheme {s:?}: one of {}", Scheme::ALL.map(|s| s.as_str()).join(", "))
        })
    }
}

/// Where an envelope stands at the aggregator.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "state", rename_all = "kebab-case")]
pub enum EnvelopeState {
    /// Collecting signatures: `signed-weight` of `threshold` so far.
    #[serde(rename_all = "kebab-case")]
    Pending { signed_weight: u64, threshold: u64, signers: usize },
    /// Quorum reached; queued for the next batch.
    Queued,
    /// Landed on chain.
    #[serde(rename_all = "kebab-case")]
    Landed {
        #[serde(with = "crate::hex_bytes")]
        #[cfg_attr(feature = "openapi", schema(value_type = String, pattern = "^(0x)?([0-9a-fA-F]{2})*$"))]
        tx_hash: Vec<u8>,
        height: u64,
    },
    /// The handler had already accepted this event id; nothing was sent.
    AlreadyHandled,
    /// Submission failed for good.
    Failed { reason: String },
}

impl EnvelopeState {
    /// Whether the state can no longer change: landed, already handled, or given up
    /// for good. A node keeps sending an envelope until its state is final.
    pub fn is_final(&self) -> bool {
        !matches!(self, EnvelopeState::Pending { .. } | EnvelopeState::Queued)
    }
}

/// The aggregator's answer to a submission or status query.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "kebab-case")]
pub struct EnvelopeStatus {
    /// The envelope's event id.
    #[serde(with = "crate::hex_bytes")]
    #[cfg_attr(feature = "openapi", schema(value_type = String, pattern = "^(0x)?([0-9a-fA-F]{2})*$"))]
    pub event_id: Vec<u8>,
    /// Its state.
    #[serde(flatten)]
    pub state: EnvelopeState,
    /// The state in words, for people (e.g. "insufficient quorum: weight 1 of 2").
    pub detail: String,
}

/// An error answer from the aggregator or node API.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ApiError {
    /// What went wrong and what to do.
    pub error: String,
    /// Whether sending the same request again may succeed.
    pub retryable: bool,
}

/// One envelope's answer in `POST /envelopes/batch`, in the order they were posted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "kebab-case")]
pub enum SubmissionResult {
    /// Its signature was counted (or its event id is final already): its status, as
    /// `POST /envelopes` answers it.
    Status(EnvelopeStatus),
    /// It was refused: what `POST /envelopes` would have answered.
    Error(RefusedSubmission),
}

/// Why one envelope of a batch was refused.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RefusedSubmission {
    /// The HTTP status `POST /envelopes` would have answered (403, 429, 503, ...).
    pub code: u16,
    /// What went wrong and what to do.
    pub error: String,
    /// Whether sending this envelope again may succeed.
    pub retryable: bool,
}

/// Where a chain's trigger reading stands, as a node's `GET /health` shows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "kebab-case")]
pub enum ChainState {
    /// Its first round of reading has not finished yet.
    #[default]
    Starting,
    /// No adapter for the chain's family is loaded: it waits for one to be dropped into
    /// the adapters directory.
    WaitingForAdapter,
    /// The last round of reading worked.
    Active,
    /// The last round failed (the chain's `error` says why); it is tried again.
    Error,
}
