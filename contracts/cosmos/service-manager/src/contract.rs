#[cfg(not(feature = "library"))]
use cosmwasm_std::entry_point;
use cosmwasm_std::{
    Binary, Deps, DepsMut, Env, Event, HexBinary, MessageInfo, Order, Response, StdResult, Storage,
    Uint64, to_json_binary,
};
use wavs_cw_common::manager::{
    EVENT_OPERATOR_UPDATED, EVENT_SERVICE_URI_UPDATED, EVENT_THRESHOLD_UPDATED, MAX_SERVICE_URI_BYTES,
};
use wavs_cw_common::{PUBKEY_LEN, envelope_digest, operator_id};

use crate::peer_addresses::{peer_addresses, set_peer_address};
use crate::signing_keys::{latest_operator_for, set_signing_key, signing_key_of};
use crate::state::{OWNER, SERVICE_URI, THRESHOLD, TOTAL_WEIGHT, WEIGHTS};
use crate::validate::validate;
use crate::{
    ContractError, ExecuteMsg, InstantiateMsg, OperatorWeight, OperatorsResponse, QueryMsg,
};

#[cfg_attr(not(feature = "library"), entry_point)]
pub fn instantiate(
    deps: DepsMut,
    _env: Env,
    info: MessageInfo,
    msg: InstantiateMsg,
) -> Result<Response, ContractError> {
    OWNER.save(deps.storage, &info.sender)?;
    TOTAL_WEIGHT.save(deps.storage, &0)?;
    let mut response = Response::new()
        .add_attribute("action", "instantiate")
        .add_attribute("owner", info.sender.as_str());
    for operator in &msg.operators {
        response = response.add_event(set_operator(
            deps.storage,
            &operator.pubkey,
            operator.weight,
        )?);
    }
    Ok(response.add_event(set_threshold(deps.storage, msg.threshold)?))
}

#[cfg_attr(not(feature = "library"), entry_point)]
pub fn execute(
    deps: DepsMut,
    _env: Env,
    info: MessageInfo,
    msg: ExecuteMsg,
) -> Result<Response, ContractError> {
    // The messages an operator sends rather than the owner.
    let msg = match msg {
        ExecuteMsg::SetSigningKey { operator, signing_key } => {
            let event = set_signing_key(deps.storage, deps.api, &info, &operator, &signing_key)?;
            return Ok(Response::new().add_event(event));
        }
        ExecuteMsg::SetPeerAddress { operator, address } => {
            let event = set_peer_address(deps.storage, deps.api, &info, &operator, address)?;
            return Ok(Response::new().add_event(event));
        }
        owner_msg => owner_msg,
    };
    if info.sender != OWNER.load(deps.storage)? {
        return Err(ContractError::NotOwner);
    }
    let event = match msg {
        ExecuteMsg::SetOperator { pubkey, weight } => set_operator(deps.storage, &pubkey, weight)?,
        ExecuteMsg::SetThreshold { threshold } => set_threshold(deps.storage, threshold)?,
        ExecuteMsg::SetServiceUri { uri } => set_service_uri(deps.storage, uri)?,
        ExecuteMsg::SetSigningKey { .. } | ExecuteMsg::SetPeerAddress { .. } => unreachable!("handled above"),
    };
    Ok(Response::new().add_event(event))
}

#[cfg_attr(not(feature = "library"), entry_point)]
pub fn query(deps: Deps, env: Env, msg: QueryMsg) -> Result<Binary, ContractError> {
    // The chain id comes from the chain itself, never from the query.
    let chain_id = env.block.chain_id.as_str();
    Ok(match msg {
        QueryMsg::Operators {} => to_json_binary(&operators(deps)?)?,
        QueryMsg::LatestOperatorForSigningKey { signing_key } => to_json_binary(
            &latest_operator_for(deps.storage, &signing_key)?.map(HexBinary::from),
        )?,
        QueryMsg::ServiceUri {} => {
            to_json_binary(&SERVICE_URI.may_load(deps.storage)?.unwrap_or_default())?
        }
        QueryMsg::PeerAddresses {} => to_json_binary(&peer_addresses(deps.storage)?)?,
        QueryMsg::EnvelopeDigest { handler, envelope } => {
            let handler = handler_address(deps, &handler)?;
            to_json_binary(&HexBinary::from(envelope_digest(
                chain_id, &handler, &envelope,
            )?))?
        }
        QueryMsg::Validate {
            handler,
            envelope,
            signature_data,
        } => {
            let handler = handler_address(deps, &handler)?;
            to_json_binary(&validate(
                deps,
                chain_id,
                &handler,
                &envelope,
                &signature_data,
            )?)?
        }
    })
}

/// `handler` as a canonical address of this chain. Only the canonical text is hashed, so a
/// digest is never computed over some other spelling of an address (upper case, another
/// prefix) that no handler could ever be called by.
fn handler_address(deps: Deps, handler: &str) -> Result<String, ContractError> {
    deps.api
        .addr_validate(handler)
        .map(|addr| addr.into_string())
        .map_err(|err| ContractError::InvalidHandler {
            handler: handler.to_string(),
            reason: err.to_string(),
        })
}

/// Sets `pubkey`'s weight (0 removes it) and keeps the total in step.
fn set_operator(
    storage: &mut dyn Storage,
    pubkey: &HexBinary,
    weight: Uint64,
) -> Result<Event, ContractError> {
    check_pubkey(pubkey)?;
    let old = WEIGHTS.may_load(storage, pubkey)?.unwrap_or(0);
    if weight.is_zero() {
        WEIGHTS.remove(storage, pubkey);
    } else {
        WEIGHTS.save(storage, pubkey, &weight.u64())?;
    }
    let total = (TOTAL_WEIGHT.load(storage)? - old)
        .checked_add(weight.u64())
        .ok_or(ContractError::WeightOverflow)?;
    TOTAL_WEIGHT.save(storage, &total)?;
    Ok(Event::new(EVENT_OPERATOR_UPDATED)
        .add_attribute("operator", operator_id(pubkey))
        .add_attribute("weight", weight.to_string()))
}

/// Refuses anything but a 33-byte compressed secp256k1 key.
pub(crate) fn check_pubkey(pubkey: &HexBinary) -> Result<(), ContractError> {
    if pubkey.len() != PUBKEY_LEN || !matches!(pubkey[0], 0x02 | 0x03) {
        return Err(ContractError::InvalidPubkey {
            pubkey: operator_id(pubkey),
        });
    }
    Ok(())
}

fn set_threshold(storage: &mut dyn Storage, threshold: Uint64) -> Result<Event, ContractError> {
    THRESHOLD.save(storage, &threshold.u64())?;
    Ok(Event::new(EVENT_THRESHOLD_UPDATED).add_attribute("threshold", threshold.to_string()))
}

fn set_service_uri(storage: &mut dyn Storage, uri: String) -> Result<Event, ContractError> {
    if uri.len() > MAX_SERVICE_URI_BYTES {
        return Err(ContractError::ServiceUriTooLong {
            length: uri.len(),
            max: MAX_SERVICE_URI_BYTES,
        });
    }
    SERVICE_URI.save(storage, &uri)?;
    Ok(Event::new(EVENT_SERVICE_URI_UPDATED).add_attribute("uri", uri))
}

fn operators(deps: Deps) -> StdResult<OperatorsResponse> {
    let mut operators = WEIGHTS
        .range(deps.storage, None, None, Order::Ascending)
        .map(|entry| {
            let (operator, weight) = entry?;
            Ok(OperatorWeight {
                pubkey: signing_key_of(deps.storage, &operator)?.into(),
                weight: weight.into(),
            })
        })
        .collect::<StdResult<Vec<_>>>()?;
    operators.sort_by(|a, b| a.pubkey.as_slice().cmp(b.pubkey.as_slice()));
    Ok(OperatorsResponse {
        operators,
        threshold: THRESHOLD.load(deps.storage)?.into(),
        total_weight: TOTAL_WEIGHT.load(deps.storage)?.into(),
    })
}
