//! WAVS service manager for CosmWasm: holds a service's operators (33-byte compressed
//! secp256k1 public keys), their weights and the quorum threshold, and validates signed
//! envelopes against them; each operator may register the key it signs this service with
//! (`SetSigningKey`) and publish its node's p2p address (`SetPeerAddress`). Mirrors `contracts/evm/src/WavsServiceManager.sol`.

pub mod contract;
mod error;
mod state;
#[cfg(any(test, feature = "testing"))]
pub mod testing;
#[cfg(test)]
mod tests;
#[cfg(test)]
mod service_uri_tests;
mod peer_addresses;
#[cfg(test)]
mod peer_addresses_tests;
mod signing_keys;
#[cfg(test)]
mod signing_keys_tests;
mod validate;

pub use error::ContractError;
pub use wavs_cw_common::manager::{
    ExecuteMsg, InstantiateMsg, OperatorWeight, OperatorsResponse, QueryMsg, ValidateResponse,
};
