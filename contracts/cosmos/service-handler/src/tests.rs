use cosmwasm_std::testing::{
    MockApi, MockQuerier, MockStorage, message_info, mock_dependencies, mock_env,
};
use cosmwasm_std::{Addr, Binary, HexBinary, OwnedDeps, Response, Uint64, from_json};
use wavs_cw_common::{Envelope, SignatureData};
use wavs_cw_service_manager::testing::{
    TestOperator, instantiate_manager, manager_querier, sign_envelope, test_envelope,
    test_operators,
};

use crate::contract::{execute, instantiate, query};
use crate::{ConfigResponse, ContractError, ExecuteMsg, InstantiateMsg, QueryMsg};

type Deps = OwnedDeps<MockStorage, MockApi, MockQuerier>;

/// A handler wired to a manager (three operators of weight 1, threshold 2) through the
/// mock querier.
fn setup() -> (Deps, Vec<TestOperator>) {
    let mut manager = mock_dependencies();
    let owner = manager.api.addr_make("owner");
    let operators = test_operators(3);
    instantiate_manager(manager.as_mut(), &owner, &operators, 2);

    let mut deps = mock_dependencies();
    let manager_addr = deps.api.addr_make("manager");
    deps.querier
        .update_wasm(manager_querier(manager_addr.clone(), manager));
    let msg = InstantiateMsg {
        service_manager: manager_addr.to_string(),
    };
    instantiate(deps.as_mut(), mock_env(), message_info(&owner, &[]), msg).unwrap();
    (deps, operators)
}

fn submit(
    deps: &mut Deps,
    batch: Vec<(Envelope, SignatureData)>,
) -> Result<Response, ContractError> {
    let (envelopes, signatures) = batch.into_iter().unzip();
    let relayer = deps.api.addr_make("relayer");
    let msg = ExecuteMsg::HandleSignedEnvelopes {
        envelopes,
        signatures,
    };
    execute(deps.as_mut(), mock_env(), message_info(&relayer, &[]), msg)
}

fn ask<T: serde::de::DeserializeOwned>(deps: &Deps, msg: QueryMsg) -> T {
    from_json(query(deps.as_ref(), mock_env(), msg).unwrap()).unwrap()
}

fn signed(ops: &[TestOperator], id: u8, payload: &[u8]) -> (Envelope, SignatureData) {
    let envelope = test_envelope(id, payload);
    let data = sign_envelope(&[&ops[0], &ops[1]], &envelope);
    (envelope, data)
}

/// (event type, attributes) of every event, for comparing whole responses.
fn events(response: &Response) -> Vec<(String, Vec<(String, String)>)> {
    let attrs = |e: &cosmwasm_std::Event| {
        e.attributes
            .iter()
            .map(|a| (a.key.clone(), a.value.clone()))
            .collect()
    };
    response
        .events
        .iter()
        .map(|e| (e.ty.clone(), attrs(e)))
        .collect()
}

fn handled(id: u8, payload: &[u8]) -> (String, Vec<(String, String)>) {
    let attrs = vec![
        ("event_id".to_string(), hex::encode([id; 20])),
        ("payload".to_string(), hex::encode(payload)),
    ];
    ("envelope-handled".to_string(), attrs)
}

fn skipped(id: u8) -> (String, Vec<(String, String)>) {
    (
        "envelope-skipped".to_string(),
        vec![("event_id".to_string(), hex::encode([id; 20]))],
    )
}

#[test]
fn a_batch_is_stored_and_counted() {
    let (mut deps, ops) = setup();
    let res = submit(
        &mut deps,
        vec![signed(&ops, 1, b"one"), signed(&ops, 2, b"two")],
    )
    .unwrap();
    assert_eq!(events(&res), vec![handled(1, b"one"), handled(2, b"two")]);
    assert_eq!(ask::<Uint64>(&deps, QueryMsg::HandledCount {}).u64(), 2);
    let id = HexBinary::from([2u8; 20]);
    assert!(ask::<bool>(
        &deps,
        QueryMsg::IsHandled {
            event_id: id.clone()
        }
    ));
    let payload: Option<Binary> = ask(&deps, QueryMsg::PayloadOf { event_id: id });
    assert_eq!(payload, Some(Binary::from(b"two")));
    let unknown = HexBinary::from([3u8; 20]);
    assert!(!ask::<bool>(
        &deps,
        QueryMsg::IsHandled {
            event_id: unknown.clone()
        }
    ));
    assert_eq!(
        ask::<Option<Binary>>(&deps, QueryMsg::PayloadOf { event_id: unknown }),
        None
    );
}

#[test]
fn handled_event_ids_are_skipped() {
    let (mut deps, ops) = setup();
    submit(&mut deps, vec![signed(&ops, 1, b"one")]).unwrap();
    // Resubmitted, with another payload: skipped, the first payload stays.
    let batch = vec![
        signed(&ops, 1, b"changed"),
        signed(&ops, 2, b"two"),
        signed(&ops, 2, b"again"),
    ];
    let res = submit(&mut deps, batch).unwrap();
    assert_eq!(
        events(&res),
        vec![skipped(1), handled(2, b"two"), skipped(2)]
    );
    assert_eq!(ask::<Uint64>(&deps, QueryMsg::HandledCount {}).u64(), 2);
    let payload: Option<Binary> = ask(
        &deps,
        QueryMsg::PayloadOf {
            event_id: HexBinary::from([1u8; 20]),
        },
    );
    assert_eq!(payload, Some(Binary::from(b"one")));
}

#[test]
fn one_refused_envelope_sinks_the_batch() {
    let (mut deps, ops) = setup();
    let (envelope, mut data) = signed(&ops, 2, b"two");
    data.signers.truncate(1);
    data.signatures.truncate(1);
    let err = submit(&mut deps, vec![signed(&ops, 1, b"one"), (envelope, data)]).unwrap_err();
    let text = err.to_string();
    assert!(
        matches!(&err, ContractError::Refused { event_id, .. } if *event_id == hex::encode([2u8; 20]))
    );
    assert!(
        text.contains("InsufficientQuorum: signed weight 1 is below the threshold 2"),
        "{text}"
    );
    // The chain reverts the whole transaction; the count is only written at the end.
    assert_eq!(ask::<Uint64>(&deps, QueryMsg::HandledCount {}).u64(), 0);

    let (envelope, mut data) = signed(&ops, 3, b"three");
    data.signatures[0] = data.signatures[1].clone();
    let text = submit(&mut deps, vec![(envelope, data)])
        .unwrap_err()
        .to_string();
    assert!(text.contains("InvalidSignature: signature 0"), "{text}");
    assert!(!ask::<bool>(
        &deps,
        QueryMsg::IsHandled {
            event_id: HexBinary::from([3u8; 20])
        }
    ));
}

#[test]
fn malformed_batches_are_refused() {
    let (mut deps, ops) = setup();
    let (envelope, data) = signed(&ops, 1, b"one");
    let relayer = deps.api.addr_make("relayer");
    let msg = ExecuteMsg::HandleSignedEnvelopes {
        envelopes: vec![envelope.clone()],
        signatures: vec![],
    };
    let err = execute(deps.as_mut(), mock_env(), message_info(&relayer, &[]), msg).unwrap_err();
    assert!(
        matches!(
            err,
            ContractError::LengthMismatch {
                envelopes: 1,
                signatures: 0
            }
        ),
        "{err}"
    );

    let mut short_id = envelope;
    short_id.event_id = HexBinary::from([1u8; 8]);
    let err = submit(&mut deps, vec![(short_id, data)]).unwrap_err();
    assert!(
        err.to_string().contains("event_id must be 20 bytes, got 8"),
        "{err}"
    );
}

#[test]
fn config_names_the_manager() {
    let (deps, _) = setup();
    let config: ConfigResponse = ask(&deps, QueryMsg::Config {});
    assert_eq!(
        config.service_manager,
        MockApi::default().addr_make("manager")
    );
    let mut fresh = mock_dependencies();
    let sender = Addr::unchecked("anyone");
    let msg = InstantiateMsg {
        service_manager: "not an address".to_string(),
    };
    assert!(instantiate(fresh.as_mut(), mock_env(), message_info(&sender, &[]), msg).is_err());
}
