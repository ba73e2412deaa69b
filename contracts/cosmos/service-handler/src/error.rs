use cosmwasm_std::StdError;
use thiserror::Error;
use wavs_cw_common::EnvelopeError;

/// Everything the service handler refuses.
#[derive(Error, Debug)]
pub enum ContractError {
    #[error("{0}")]
    Std(#[from] StdError),
    #[error(transparent)]
    Envelope(#[from] EnvelopeError),
    #[error("LengthMismatch: {envelopes} envelopes but {signatures} signature sets")]
    LengthMismatch { envelopes: usize, signatures: usize },
    #[error("envelope {event_id} refused by the service manager: {reason}")]
    Refused { event_id: String, reason: String },
}
