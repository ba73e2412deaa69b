//! The field names of the wire formats, for [`super::arb_key`]: keys drawn from these make
//! unknown-field, missing-field, duplicate-field and type errors all occur.

use super::Fields;

/// `ServiceManifest` and everything nested in it.
pub const MANIFEST: Fields = &[
    "id", "name", "components", "workflows", "digest", "limits", "permissions", "config", "fuel", "time-ms",
    "memory-bytes", "output-bytes", "host-handles", "log-lines", "log-bytes", "allowed-http-hosts", "trigger", "component", "submit", "chain-event",
    "block-interval", "manual", "none", "aggregator", "chain", "contract", "event", "every", "start", "handler",
    "manager",
];

/// `ChainSpec`.
pub const CHAIN_SPEC: Fields = &[
    "family", "chain-id", "rpc-urls", "confirmations", "start-height", "poll-interval-ms", "max-block-range",
    "options",
];

/// `SignedSubmission` and its `WireEnvelope`.
pub const SUBMISSION: Fields = &[
    "service-id", "workflow-id", "chain", "handler", "manager", "envelope", "signature", "event-id", "ordering",
    "payload",
];

/// `EnvelopeStatus` and `ApiError`: the aggregator's answers.
pub const ANSWER: Fields =
    &["event-id", "state", "signed-weight", "threshold", "signers", "detail", "error", "retryable"];

/// The node's task body (`POST /services/{id}/workflows/{wf}/tasks`).
pub const TASK: Fields = &["task-id", "payload"];
