//! WAVS trigger contract for CosmWasm: `Fire { payload }` emits a `wavs-trigger` event (seen
//! on chain as `wasm-wavs-trigger`) that WAVS services listen to. Mirrors
//! `contracts/evm/src/WavsTrigger.sol`.

#[cfg(not(feature = "library"))]
use cosmwasm_std::entry_point;
use cosmwasm_std::{
    Binary, Deps, DepsMut, Env, Event, HexBinary, MessageInfo, Response, StdError, Uint64,
    to_json_binary,
};
use cw_storage_plus::Item;
use thiserror::Error;
use wavs_cw_common::trigger::EVENT_TRIGGER;
pub use wavs_cw_common::trigger::{ExecuteMsg, InstantiateMsg, QueryMsg};

/// The id the next trigger gets; ids start at 1.
const NEXT_TRIGGER_ID: Item<u64> = Item::new("next_trigger_id");

/// Everything the trigger contract refuses.
#[derive(Error, Debug)]
pub enum ContractError {
    #[error("{0}")]
    Std(#[from] StdError),
    #[error("TriggerIdOverflow: no trigger id is left")]
    TriggerIdOverflow,
}

#[cfg_attr(not(feature = "library"), entry_point)]
pub fn instantiate(
    deps: DepsMut,
    _env: Env,
    _info: MessageInfo,
    _msg: InstantiateMsg,
) -> Result<Response, ContractError> {
    NEXT_TRIGGER_ID.save(deps.storage, &1)?;
    Ok(Response::new().add_attribute("action", "instantiate"))
}

#[cfg_attr(not(feature = "library"), entry_point)]
pub fn execute(
    deps: DepsMut,
    _env: Env,
    info: MessageInfo,
    msg: ExecuteMsg,
) -> Result<Response, ContractError> {
    let ExecuteMsg::Fire { payload } = msg;
    let trigger_id = NEXT_TRIGGER_ID.load(deps.storage)?;
    let next = trigger_id
        .checked_add(1)
        .ok_or(ContractError::TriggerIdOverflow)?;
    NEXT_TRIGGER_ID.save(deps.storage, &next)?;
    let event = Event::new(EVENT_TRIGGER)
        .add_attribute("trigger_id", trigger_id.to_string())
        .add_attribute("creator", info.sender.as_str())
        .add_attribute("payload", HexBinary::from(payload.as_slice()).to_hex());
    Ok(Response::new().add_event(event))
}

#[cfg_attr(not(feature = "library"), entry_point)]
pub fn query(deps: Deps, _env: Env, msg: QueryMsg) -> Result<Binary, ContractError> {
    let QueryMsg::NextTriggerId {} = msg;
    Ok(to_json_binary(&Uint64::from(
        NEXT_TRIGGER_ID.load(deps.storage)?,
    ))?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use cosmwasm_std::testing::{message_info, mock_dependencies, mock_env};
    use cosmwasm_std::{Attribute, from_json};

    #[test]
    fn trigger_ids_start_at_one_and_increase() {
        let mut deps = mock_dependencies();
        let creator = deps.api.addr_make("creator");
        let info = message_info(&creator, &[]);
        instantiate(deps.as_mut(), mock_env(), info.clone(), InstantiateMsg {}).unwrap();
        let next = |deps: Deps| -> u64 {
            from_json::<Uint64>(query(deps, mock_env(), QueryMsg::NextTriggerId {}).unwrap())
                .unwrap()
                .u64()
        };
        assert_eq!(next(deps.as_ref()), 1);

        for (expected_id, payload) in [(1u64, &b"\x00\xff7"[..]), (2, b""), (3, b"hi")] {
            let msg = ExecuteMsg::Fire {
                payload: Binary::from(payload),
            };
            let res = execute(deps.as_mut(), mock_env(), info.clone(), msg).unwrap();
            assert_eq!(res.events.len(), 1);
            assert_eq!(res.events[0].ty, "wavs-trigger");
            let expected = vec![
                Attribute::new("trigger_id", expected_id.to_string()),
                Attribute::new("creator", creator.as_str()),
                Attribute::new("payload", hex_of(payload)),
            ];
            assert_eq!(res.events[0].attributes, expected);
            assert_eq!(next(deps.as_ref()), expected_id + 1);
        }
    }

    /// Lowercase hex, written out independently of HexBinary.
    fn hex_of(bytes: &[u8]) -> String {
        bytes.iter().map(|b| format!("{b:02x}")).collect()
    }
}
