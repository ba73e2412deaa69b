//! Messages of `wavs-cw-trigger`: emits the trigger events WAVS services listen to.

use cosmwasm_schema::{QueryResponses, cw_serde};
use cosmwasm_std::Binary;

/// Event type emitted by `Fire`; on chain it is seen as `wasm-wavs-trigger`, with attributes
/// `trigger_id` (decimal), `creator` (sender address) and `payload` (lowercase hex).
pub const EVENT_TRIGGER: &str = "wavs-trigger";

#[cw_serde]
pub struct InstantiateMsg {}

#[cw_serde]
pub enum ExecuteMsg {
    /// Emits a `wavs-trigger` event carrying `payload`, with the next trigger id.
    Fire { payload: Binary },
}

#[cw_serde]
#[derive(QueryResponses)]
pub enum QueryMsg {
    /// The id the next trigger gets; ids start at 1.
    #[returns(cosmwasm_std::Uint64)]
    NextTriggerId {},
}
