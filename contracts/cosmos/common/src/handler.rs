//! Messages of `wavs-cw-service-handler`: accepts signed envelopes, each event id once, and
//! stores their payloads.

use cosmwasm_schema::{QueryResponses, cw_serde};
use cosmwasm_std::{Addr, HexBinary};

use crate::{Envelope, SignatureData};

/// Event emitted per stored envelope (attributes `event_id`, `payload`, both lowercase hex).
pub const EVENT_ENVELOPE_HANDLED: &str = "envelope-handled";
/// Event emitted per envelope whose event id was already handled (attribute `event_id`).
pub const EVENT_ENVELOPE_SKIPPED: &str = "envelope-skipped";

#[cw_serde]
pub struct InstantiateMsg {
    /// Address of the `wavs-cw-service-manager` that validates signatures.
    pub service_manager: String,
}

#[cw_serde]
pub enum ExecuteMsg {
    /// Handles a batch in one transaction: already-handled event ids are skipped; an envelope
    /// the manager refuses fails the whole batch.
    HandleSignedEnvelopes {
        envelopes: Vec<Envelope>,
        signatures: Vec<SignatureData>,
    },
}

#[cw_serde]
#[derive(QueryResponses)]
pub enum QueryMsg {
    #[returns(bool)]
    IsHandled { event_id: HexBinary },
    /// The stored payload, `None` if the event id was not handled.
    #[returns(Option<cosmwasm_std::Binary>)]
    PayloadOf { event_id: HexBinary },
    #[returns(cosmwasm_std::Uint64)]
    HandledCount {},
    /// The service manager this handler validates signatures with.
    #[returns(ConfigResponse)]
    Config {},
    /// The 32-byte digest operators sign for `envelope` to be handled by THIS handler on this
    /// chain: what `handle_signed_envelopes` has the manager verify.
    #[returns(HexBinary)]
    EnvelopeDigest { envelope: Envelope },
}

#[cw_serde]
pub struct ConfigResponse {
    pub service_manager: Addr,
}
