#[cfg(not(feature = "library"))]
use cosmwasm_std::entry_point;
use cosmwasm_std::{
    Binary, Deps, DepsMut, Env, Event, HexBinary, MessageInfo, Response, Uint64, to_json_binary,
};
use wavs_cw_common::handler::{EVENT_ENVELOPE_HANDLED, EVENT_ENVELOPE_SKIPPED};
use wavs_cw_common::manager::{QueryMsg as ManagerQuery, ValidateResponse};
use wavs_cw_common::{Envelope, SignatureData, envelope_digest};

use crate::state::{HANDLED_COUNT, PAYLOADS, SERVICE_MANAGER};
use crate::{ConfigResponse, ContractError, ExecuteMsg, InstantiateMsg, QueryMsg};

#[cfg_attr(not(feature = "library"), entry_point)]
pub fn instantiate(
    deps: DepsMut,
    _env: Env,
    _info: MessageInfo,
    msg: InstantiateMsg,
) -> Result<Response, ContractError> {
    let manager = deps.api.addr_validate(&msg.service_manager)?;
    SERVICE_MANAGER.save(deps.storage, &manager)?;
    HANDLED_COUNT.save(deps.storage, &0)?;
    Ok(Response::new()
        .add_attribute("action", "instantiate")
        .add_attribute("service_manager", manager.as_str()))
}

#[cfg_attr(not(feature = "library"), entry_point)]
pub fn execute(
    deps: DepsMut,
    env: Env,
    _info: MessageInfo,
    msg: ExecuteMsg,
) -> Result<Response, ContractError> {
    match msg {
        ExecuteMsg::HandleSignedEnvelopes {
            envelopes,
            signatures,
        } => handle_signed_envelopes(deps, &env, envelopes, signatures),
    }
}

/// Stores each envelope the manager accepts; skips event ids already handled (also those
/// handled earlier in the same batch). Any refusal fails the whole batch.
///
/// The manager verifies signatures over the digest for THIS contract's address on this
/// chain (`env`), so signatures made for any other handler or chain are refused; nothing in
/// the message chooses the destination.
fn handle_signed_envelopes(
    deps: DepsMut,
    env: &Env,
    envelopes: Vec<Envelope>,
    signatures: Vec<SignatureData>,
) -> Result<Response, ContractError> {
    if envelopes.len() != signatures.len() {
        return Err(ContractError::LengthMismatch {
            envelopes: envelopes.len(),
            signatures: signatures.len(),
        });
    }
    let manager = SERVICE_MANAGER.load(deps.storage)?;
    let mut count = HANDLED_COUNT.load(deps.storage)?;
    let mut response = Response::new().add_attribute("action", "handle_signed_envelopes");
    for (envelope, signature_data) in envelopes.into_iter().zip(signatures) {
        // A malformed envelope is never stored, so it is not skipped: the manager refuses it.
        let event_id = envelope.event_id.to_hex();
        if PAYLOADS.has(deps.storage, &envelope.event_id) {
            response = response
                .add_event(Event::new(EVENT_ENVELOPE_SKIPPED).add_attribute("event_id", event_id));
            continue;
        }
        let payload = envelope.payload.clone();
        let key = envelope.event_id.clone();
        let validate = ManagerQuery::Validate {
            handler: env.contract.address.to_string(),
            envelope,
            signature_data,
        };
        let _: ValidateResponse =
            deps.querier
                .query_wasm_smart(&manager, &validate)
                .map_err(|err| ContractError::Refused {
                    event_id: event_id.clone(),
                    // The inner message, without StdError's "kind: ..." wrapper.
                    reason: (*err).to_string(),
                })?;
        PAYLOADS.save(deps.storage, &key, &payload)?;
        count += 1;
        response = response.add_event(
            Event::new(EVENT_ENVELOPE_HANDLED)
                .add_attribute("event_id", event_id)
                .add_attribute("payload", HexBinary::from(payload.as_slice()).to_hex()),
        );
    }
    HANDLED_COUNT.save(deps.storage, &count)?;
    Ok(response)
}

#[cfg_attr(not(feature = "library"), entry_point)]
pub fn query(deps: Deps, env: Env, msg: QueryMsg) -> Result<Binary, ContractError> {
    Ok(match msg {
        QueryMsg::IsHandled { event_id } => to_json_binary(&PAYLOADS.has(deps.storage, &event_id))?,
        QueryMsg::PayloadOf { event_id } => {
            to_json_binary(&PAYLOADS.may_load(deps.storage, &event_id)?)?
        }
        QueryMsg::HandledCount {} => {
            to_json_binary(&Uint64::from(HANDLED_COUNT.load(deps.storage)?))?
        }
        QueryMsg::Config {} => to_json_binary(&ConfigResponse {
            service_manager: SERVICE_MANAGER.load(deps.storage)?,
        })?,
        QueryMsg::EnvelopeDigest { envelope } => {
            to_json_binary(&HexBinary::from(envelope_digest(
                &env.block.chain_id,
                env.contract.address.as_str(),
                &envelope,
            )?))?
        }
    })
}
