use cosmwasm_std::testing::{
    MockApi, MockQuerier, MockStorage, message_info, mock_dependencies, mock_env,
};
use cosmwasm_std::{Addr, Binary, Env, HexBinary, OwnedDeps, Response, Uint64, from_json};
use wavs_cw_common::{Envelope, SignatureData, envelope_digest};
use wavs_cw_service_manager::testing::{
    TestOperator, instantiate_manager, manager_querier, sign_envelope, sign_envelope_on,
    test_envelope, test_handler, test_operators,
};

use crate::contract::{execute, instantiate, query};
use crate::{ConfigResponse, ContractError, ExecuteMsg, InstantiateMsg, QueryMsg};

type Deps = OwnedDeps<MockStorage, MockApi, MockQuerier>;

/// The handler of `setup()`: at `test_handler()` on the mock chain.
fn setup() -> (Deps, Vec<TestOperator>) {
    setup_at(&mock_env())
}

/// A handler at `env.contract.address` on chain `env.block.chain_id`, wired to a manager
/// (three operators of weight 1, threshold 2) through the mock querier. Every call builds
/// the manager from the same keys at the same address, so two handlers set up here use
/// the same manager, as two handlers registered with one manager on chain do.
fn setup_at(env: &Env) -> (Deps, Vec<TestOperator>) {
    let mut manager = mock_dependencies();
    let owner = manager.api.addr_make("owner");
    let operators = test_operators(3);
    instantiate_manager(manager.as_mut(), &owner, &operators, 2);

    let mut deps = mock_dependencies();
    let manager_addr = deps.api.addr_make("manager");
    deps.querier.update_wasm(manager_querier(
        manager_addr.clone(),
        &env.block.chain_id,
        manager,
    ));
    let msg = InstantiateMsg {
        service_manager: manager_addr.to_string(),
    };
    instantiate(deps.as_mut(), env.clone(), message_info(&owner, &[]), msg).unwrap();
    (deps, operators)
}

/// The environment of a handler at `address` on chain `chain_id`.
fn env_of(address: &Addr, chain_id: &str) -> Env {
    let mut env = mock_env();
    env.contract.address = address.clone();
    env.block.chain_id = chain_id.to_string();
    env
}

fn submit(
    deps: &mut Deps,
    batch: Vec<(Envelope, SignatureData)>,
) -> Result<Response, ContractError> {
    submit_at(deps, &mock_env(), batch)
}

/// Submits `batch` from an unrelated account to the handler running in `env`.
fn submit_at(
    deps: &mut Deps,
    env: &Env,
    batch: Vec<(Envelope, SignatureData)>,
) -> Result<Response, ContractError> {
    let (envelopes, signatures) = batch.into_iter().unzip();
    let relayer = deps.api.addr_make("relayer");
    let msg = ExecuteMsg::HandleSignedEnvelopes {
        envelopes,
        signatures,
    };
    execute(deps.as_mut(), env.clone(), message_info(&relayer, &[]), msg)
}

fn ask<T: serde::de::DeserializeOwned>(deps: &Deps, msg: QueryMsg) -> T {
    ask_at(deps, &mock_env(), msg)
}

fn ask_at<T: serde::de::DeserializeOwned>(deps: &Deps, env: &Env, msg: QueryMsg) -> T {
    from_json(query(deps.as_ref(), env.clone(), msg).unwrap()).unwrap()
}

/// Two of the three operators sign for the handler of `setup()`.
fn signed(ops: &[TestOperator], id: u8, payload: &[u8]) -> (Envelope, SignatureData) {
    let envelope = test_envelope(id, payload);
    let data = sign_envelope(&[&ops[0], &ops[1]], &test_handler(), &envelope);
    (envelope, data)
}

fn is_handled_at(deps: &Deps, env: &Env, id: u8) -> bool {
    ask_at(
        deps,
        env,
        QueryMsg::IsHandled {
            event_id: HexBinary::from([id; 20]),
        },
    )
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

#[test]
fn a_signature_for_handler_a_is_refused_by_handler_b_on_the_same_manager() {
    let handler_b = MockApi::default().addr_make("handler-b");
    let env_b = env_of(&handler_b, &mock_env().block.chain_id);
    let (mut deps_a, ops) = setup();
    let (mut deps_b, _) = setup_at(&env_b);

    // Operators signed for A; the same envelope and signatures, replayed to B by anyone.
    let for_a = signed(&ops, 1, b"for A");
    let err = submit_at(&mut deps_b, &env_b, vec![for_a.clone()]).unwrap_err();
    assert!(
        matches!(&err, ContractError::Refused { event_id, .. } if *event_id == hex::encode([1u8; 20])),
        "{err}"
    );
    assert!(
        err.to_string().contains(
            "InvalidSignature: signature 0 is malformed or does not verify for its signer"
        ),
        "{err}"
    );
    assert!(!is_handled_at(&deps_b, &env_b, 1));

    // A accepts them; B accepts what was signed for B.
    let res = submit(&mut deps_a, vec![for_a]).unwrap();
    assert_eq!(events(&res), vec![handled(1, b"for A")]);
    let envelope = test_envelope(1, b"for B");
    let for_b = sign_envelope(&[&ops[0], &ops[2]], &handler_b, &envelope);
    let res = submit_at(&mut deps_b, &env_b, vec![(envelope, for_b)]).unwrap();
    assert_eq!(events(&res), vec![handled(1, b"for B")]);
    let payload: Option<Binary> = ask_at(
        &deps_b,
        &env_b,
        QueryMsg::PayloadOf {
            event_id: HexBinary::from([1u8; 20]),
        },
    );
    assert_eq!(payload, Some(Binary::from(b"for B")));
}

#[test]
fn a_signature_for_chain_x_is_refused_under_chain_y() {
    let chain_x = mock_env().block.chain_id;
    let env_y = env_of(&test_handler(), "wavs-other-2");
    let (mut deps, ops) = setup_at(&env_y);
    let envelope = test_envelope(4, b"42");
    let signers = [&ops[0], &ops[1]];

    // The same handler address and manager, on another chain.
    let for_x = sign_envelope_on(&chain_x, &signers, &test_handler(), &envelope);
    let err = submit_at(&mut deps, &env_y, vec![(envelope.clone(), for_x)]).unwrap_err();
    assert!(
        err.to_string().contains("InvalidSignature: signature 0"),
        "{err}"
    );
    assert!(!is_handled_at(&deps, &env_y, 4));

    let for_y = sign_envelope_on("wavs-other-2", &signers, &test_handler(), &envelope);
    let res = submit_at(&mut deps, &env_y, vec![(envelope, for_y)]).unwrap();
    assert_eq!(events(&res), vec![handled(4, b"42")]);
    assert!(is_handled_at(&deps, &env_y, 4));
}

#[test]
fn the_digest_query_names_this_handler_and_chain() {
    let handler_b = MockApi::default().addr_make("handler-b");
    let env_b = env_of(&handler_b, "wavs-other-2");
    let (deps, _) = setup_at(&env_b);
    let envelope = test_envelope(5, b"digest");
    let got: HexBinary = ask_at(
        &deps,
        &env_b,
        QueryMsg::EnvelopeDigest {
            envelope: envelope.clone(),
        },
    );
    let expected = envelope_digest("wavs-other-2", handler_b.as_str(), &envelope).unwrap();
    assert_eq!(got.as_slice(), expected);
    let elsewhere = envelope_digest("wavs-other-2", test_handler().as_str(), &envelope).unwrap();
    assert_ne!(got.as_slice(), elsewhere);
}
