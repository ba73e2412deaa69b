//! ABCI queries the adapter makes: accounts, tx simulation, CosmWasm smart queries.

use crate::bindings::exports::wavs::adapter::adapter::AdapterError;
use crate::comet::Comet;
use cosmrs::proto::cosmos::auth::v1beta1::{BaseAccount, QueryAccountRequest, QueryAccountResponse};
use cosmrs::proto::cosmos::tx::v1beta1::{SimulateRequest, SimulateResponse};
use cosmrs::proto::cosmwasm::wasm::v1::{QuerySmartContractStateRequest, QuerySmartContractStateResponse};
use cosmrs::proto::prost::Message;
use serde::de::DeserializeOwned;
use serde_json::Value;

/// An account's number and next sequence.
pub struct Account {
    /// The account number, part of what the signer signs.
    pub number: u64,
    /// The sequence the next tx must carry.
    pub sequence: u64,
}

fn decode<M: Message + Default>(path: &str, bytes: &[u8]) -> Result<M, AdapterError> {
    M::decode(bytes).map_err(|e| AdapterError::Transient(format!("{path}: undecodable answer: {e}")))
}

/// The account at `address`; an account the chain has never seen is a configuration
/// problem (it has no funds to pay fees).
pub fn account(comet: &Comet, address: &str) -> Result<Account, AdapterError> {
    const PATH: &str = "/cosmos.auth.v1beta1.Query/Account";
    let request = QueryAccountRequest { address: address.to_string() }.encode_to_vec();
    let answer = comet.abci_query(PATH, request, None)?;
    if answer.code != 0 {
        if answer.log.contains("not found") {
            return Err(AdapterError::InvalidConfig(format!(
                "account {address} does not exist on chain: fund it before submitting"
            )));
        }
        return Err(AdapterError::Transient(format!("{PATH}: code {}: {}", answer.code, answer.log)));
    }
    let response: QueryAccountResponse = decode(PATH, &answer.value)?;
    let any = response.account.ok_or_else(|| AdapterError::Transient(format!("{PATH}: no account in the answer")))?;
    // Vesting and module accounts wrap a BaseAccount as their first field; a plain
    // BaseAccount is what signers have.
    let base: BaseAccount = decode(PATH, &any.value)?;
    Ok(Account { number: base.account_number, sequence: base.sequence })
}

/// Gas a signed-shaped tx would use; a tx the chain would refuse is refused here, with
/// the module's reason.
pub fn simulate(comet: &Comet, tx_bytes: Vec<u8>) -> Result<u64, AdapterError> {
    const PATH: &str = "/cosmos.tx.v1beta1.Service/Simulate";
    #[allow(deprecated)]
    let request = SimulateRequest { tx: None, tx_bytes }.encode_to_vec();
    let answer = comet.abci_query(PATH, request, None)?;
    if answer.code != 0 {
        return Err(crate::tx::classify_code("simulate", answer.code, &answer.log));
    }
    let response: SimulateResponse = decode(PATH, &answer.value)?;
    response
        .gas_info
        .map(|g| g.gas_used)
        .ok_or_else(|| AdapterError::Transient(format!("{PATH}: no gas info in the answer")))
}

/// A CosmWasm smart query of `contract` with JSON `msg`, at `height` or latest.
pub fn smart<T: DeserializeOwned>(comet: &Comet, contract: &str, msg: &Value, height: Option<u64>) -> Result<T, AdapterError> {
    const PATH: &str = "/cosmwasm.wasm.v1.Query/SmartContractState";
    let request = QuerySmartContractStateRequest { address: contract.to_string(), query_data: msg.to_string().into_bytes() };
    let answer = comet.abci_query(PATH, request.encode_to_vec(), height)?;
    if answer.code != 0 {
        // No such contract, a query it does not understand, or its own error: all final.
        return Err(AdapterError::Rejected(format!("query {msg} of {contract}: {}", answer.log)));
    }
    let response: QuerySmartContractStateResponse = decode(PATH, &answer.value)?;
    serde_json::from_slice(&response.data).map_err(|e| {
        AdapterError::Rejected(format!(
            "{contract} answered {msg} with {}: {e}",
            wavs_adapter_kit::jsonrpc::preview(&String::from_utf8_lossy(&response.data))
        ))
    })
}
