//! WAVS service handler for CosmWasm: accepts batches of signed envelopes, asks the service
//! manager to validate each, and stores each event id's payload once. Mirrors
//! `contracts/evm/src/WavsServiceHandler.sol`.

pub mod contract;
mod error;
mod state;
#[cfg(test)]
mod tests;

pub use error::ContractError;
pub use wavs_cw_common::handler::{ConfigResponse, ExecuteMsg, InstantiateMsg, QueryMsg};
