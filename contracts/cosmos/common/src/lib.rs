//! Message types and the envelope digest shared by the WAVS CosmWasm contracts
//! (`wavs-cw-service-manager`, `wavs-cw-service-handler`, `wavs-cw-trigger`).
//!
//! This crate has no entry points, so a contract (or an off-chain client) can depend on it to
//! speak to the others without pulling theirs in.

mod envelope;
pub mod handler;
pub mod manager;
pub mod trigger;

pub use envelope::{
    DIGEST_DOMAIN, EVENT_ID_LEN, Envelope, EnvelopeError, ORDERING_LEN, PUBKEY_LEN, SIGNATURE_LEN,
    SignatureData, envelope_digest, operator_id,
};
