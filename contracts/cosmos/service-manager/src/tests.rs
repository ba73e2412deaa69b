use cosmwasm_std::testing::{
    MockApi, MockQuerier, MockStorage, message_info, mock_dependencies, mock_env,
};
use cosmwasm_std::{Addr, HexBinary, OwnedDeps, Uint64, from_json};
use wavs_cw_common::{Envelope, SignatureData, envelope_digest};

use crate::contract::{execute, instantiate, query};
use crate::testing::{
    TestOperator, instantiate_manager, sign_envelope, sign_envelope_on, test_envelope,
    test_handler, test_operators,
};
use crate::{
    ContractError, ExecuteMsg, InstantiateMsg, OperatorWeight, OperatorsResponse, QueryMsg,
    ValidateResponse,
};

type Deps = OwnedDeps<MockStorage, MockApi, MockQuerier>;

/// A manager with three operators of weight 1 and threshold 2.
fn setup() -> (Deps, Addr, Vec<TestOperator>) {
    let mut deps = mock_dependencies();
    let owner = deps.api.addr_make("owner");
    let operators = test_operators(3);
    instantiate_manager(deps.as_mut(), &owner, &operators, 2);
    (deps, owner, operators)
}

/// Validates as the handler at `test_handler()` asks.
fn validate(deps: &Deps, envelope: &Envelope, data: SignatureData) -> Result<u64, ContractError> {
    validate_for(deps, test_handler().as_str(), envelope, data)
}

fn validate_for(
    deps: &Deps,
    handler: &str,
    envelope: &Envelope,
    data: SignatureData,
) -> Result<u64, ContractError> {
    let msg = QueryMsg::Validate {
        handler: handler.to_string(),
        envelope: envelope.clone(),
        signature_data: data,
    };
    let answer: ValidateResponse = from_json(query(deps.as_ref(), mock_env(), msg)?).unwrap();
    Ok(answer.weight.u64())
}

fn operators(deps: &Deps) -> OperatorsResponse {
    from_json(query(deps.as_ref(), mock_env(), QueryMsg::Operators {}).unwrap()).unwrap()
}

#[test]
fn instantiate_lists_operators_sorted_with_totals() {
    let mut deps = mock_dependencies();
    let ops = test_operators(3);
    // Given out of order, with one zero weight that must not be listed.
    let msg = InstantiateMsg {
        operators: vec![
            OperatorWeight {
                pubkey: ops[2].pubkey.clone(),
                weight: 5u64.into(),
            },
            OperatorWeight {
                pubkey: ops[0].pubkey.clone(),
                weight: 3u64.into(),
            },
            OperatorWeight {
                pubkey: ops[1].pubkey.clone(),
                weight: Uint64::zero(),
            },
        ],
        threshold: 4u64.into(),
    };
    let owner = deps.api.addr_make("owner");
    instantiate(deps.as_mut(), mock_env(), message_info(&owner, &[]), msg).unwrap();
    let listed = operators(&deps);
    let keys: Vec<_> = listed.operators.iter().map(|o| o.pubkey.clone()).collect();
    assert_eq!(keys, vec![ops[0].pubkey.clone(), ops[2].pubkey.clone()]);
    assert_eq!(listed.operators[1].weight.u64(), 5);
    assert_eq!((listed.threshold.u64(), listed.total_weight.u64()), (4, 8));
}

#[test]
fn instantiate_refuses_a_malformed_key() {
    let mut deps = mock_dependencies();
    let bad = HexBinary::from([0x04u8; 33]);
    let msg = InstantiateMsg {
        operators: vec![OperatorWeight {
            pubkey: bad,
            weight: 1u64.into(),
        }],
        threshold: 1u64.into(),
    };
    let owner = deps.api.addr_make("owner");
    let err = instantiate(deps.as_mut(), mock_env(), message_info(&owner, &[]), msg).unwrap_err();
    assert!(matches!(err, ContractError::InvalidPubkey { .. }), "{err}");
    assert!(err.to_string().contains(&"04".repeat(33)));
}

#[test]
fn only_the_owner_changes_the_set() {
    let (mut deps, owner, ops) = setup();
    let stranger = deps.api.addr_make("stranger");
    let remove = ExecuteMsg::SetOperator {
        pubkey: ops[0].pubkey.clone(),
        weight: Uint64::zero(),
    };
    for msg in [
        remove.clone(),
        ExecuteMsg::SetThreshold {
            threshold: 1u64.into(),
        },
    ] {
        let err =
            execute(deps.as_mut(), mock_env(), message_info(&stranger, &[]), msg).unwrap_err();
        assert!(matches!(err, ContractError::NotOwner), "{err}");
    }
    assert_eq!(operators(&deps).operators.len(), 3);

    execute(deps.as_mut(), mock_env(), message_info(&owner, &[]), remove).unwrap();
    let reweigh = ExecuteMsg::SetOperator {
        pubkey: ops[1].pubkey.clone(),
        weight: 7u64.into(),
    };
    execute(
        deps.as_mut(),
        mock_env(),
        message_info(&owner, &[]),
        reweigh,
    )
    .unwrap();
    let set = ExecuteMsg::SetThreshold {
        threshold: 6u64.into(),
    };
    let res = execute(deps.as_mut(), mock_env(), message_info(&owner, &[]), set).unwrap();
    assert_eq!(res.events[0].ty, "threshold-updated");
    let listed = operators(&deps);
    assert_eq!(listed.operators.len(), 2);
    assert!(listed.operators.iter().all(|o| o.pubkey != ops[0].pubkey));
    assert_eq!((listed.threshold.u64(), listed.total_weight.u64()), (6, 8));
}

#[test]
fn digest_query_binds_the_chain_id_and_the_named_handler() {
    let (deps, _, _) = setup();
    let envelope = test_envelope(9, b"payload");
    let digest_for = |handler: &Addr| -> HexBinary {
        let msg = QueryMsg::EnvelopeDigest {
            handler: handler.to_string(),
            envelope: envelope.clone(),
        };
        from_json(query(deps.as_ref(), mock_env(), msg).unwrap()).unwrap()
    };
    let handler = test_handler();
    assert_eq!(mock_env().block.chain_id, "cosmos-testnet-14002");
    assert_eq!(
        digest_for(&handler).as_slice(),
        envelope_digest("cosmos-testnet-14002", handler.as_str(), &envelope).unwrap()
    );
    let other = MockApi::default().addr_make("other-handler");
    assert_ne!(digest_for(&handler), digest_for(&other));
}

#[test]
fn a_handler_that_is_no_address_of_this_chain_is_refused() {
    let (deps, _, ops) = setup();
    let envelope = test_envelope(1, b"42");
    let data = sign_envelope(&[&ops[0], &ops[1]], &test_handler(), &envelope);
    let upper = test_handler().as_str().to_uppercase();
    for handler in ["not an address", "", upper.as_str()] {
        let err = validate_for(&deps, handler, &envelope, data.clone()).unwrap_err();
        assert!(
            matches!(&err, ContractError::InvalidHandler { handler: named, .. } if named == handler),
            "{handler:?}: {err}"
        );
        assert!(err.to_string().starts_with("InvalidHandler: "), "{err}");
    }
}

#[test]
fn validate_accepts_two_of_three_and_three_of_three() {
    let (deps, _, ops) = setup();
    let envelope = test_envelope(1, b"42");
    assert_eq!(
        validate(
            &deps,
            &envelope,
            sign_envelope(&[&ops[0], &ops[2]], &test_handler(), &envelope)
        )
        .unwrap(),
        2
    );
    let all = sign_envelope(&[&ops[0], &ops[1], &ops[2]], &test_handler(), &envelope);
    assert_eq!(validate(&deps, &envelope, all).unwrap(), 3);
}

#[test]
fn validate_names_every_refusal() {
    let (deps, _, ops) = setup();
    let envelope = test_envelope(1, b"42");
    let good = sign_envelope(&[&ops[0], &ops[1]], &test_handler(), &envelope);
    let refuse = |data: SignatureData| validate(&deps, &envelope, data).unwrap_err();

    let none = SignatureData {
        signers: vec![],
        signatures: vec![],
        reference_height: 1,
    };
    assert!(matches!(refuse(none), ContractError::NoSignatures));

    let mut short = good.clone();
    short.signatures.pop();
    let err = refuse(short);
    assert!(
        matches!(
            err,
            ContractError::LengthMismatch {
                signers: 2,
                signatures: 1
            }
        ),
        "{err}"
    );

    let unsorted = sign_envelope(&[&ops[1], &ops[0]], &test_handler(), &envelope);
    assert!(matches!(
        refuse(unsorted),
        ContractError::SignersNotSorted { index: 1 }
    ));
    let duplicate = sign_envelope(&[&ops[0], &ops[0]], &test_handler(), &envelope);
    assert!(matches!(
        refuse(duplicate),
        ContractError::SignersNotSorted { index: 1 }
    ));

    let mut truncated = good.clone();
    truncated.signatures[1] = HexBinary::from(&truncated.signatures[1][..63]);
    assert!(matches!(
        refuse(truncated),
        ContractError::InvalidSignature { index: 1 }
    ));
    let other = test_envelope(1, b"43");
    let mut wrong = good.clone();
    wrong.signatures[0] = sign_envelope(&[&ops[0]], &test_handler(), &other).signatures[0].clone();
    assert!(matches!(
        refuse(wrong),
        ContractError::InvalidSignature { index: 0 }
    ));

    let mut outsiders = test_operators(4);
    outsiders.retain(|op| ops.iter().all(|known| known.pubkey != op.pubkey));
    let stranger = sign_envelope(&[&outsiders[0]], &test_handler(), &envelope);
    let err = refuse(stranger);
    let expected = outsiders[0].pubkey.to_hex();
    assert!(
        matches!(&err, ContractError::UnknownSigner { pubkey } if *pubkey == expected),
        "{err}"
    );

    let err = refuse(sign_envelope(&[&ops[2]], &test_handler(), &envelope));
    assert!(
        matches!(err, ContractError::InsufficientQuorum { got: 1, need: 2 }),
        "{err}"
    );
    assert_eq!(
        err.to_string(),
        "InsufficientQuorum: signed weight 1 is below the threshold 2"
    );
}

#[test]
fn validate_refuses_high_s() {
    let (deps, _, ops) = setup();
    let envelope = test_envelope(1, b"42");
    let mut malleable = sign_envelope(&[&ops[0], &ops[1]], &test_handler(), &envelope);
    let low = k256::ecdsa::Signature::from_slice(&malleable.signatures[0]).unwrap();
    let (r, s) = low.split_scalars();
    let high =
        k256::ecdsa::Signature::from_scalars(r.to_bytes(), (-*s.as_ref()).to_bytes()).unwrap();
    malleable.signatures[0] = HexBinary::from(high.to_bytes().to_vec());
    let err = validate(&deps, &envelope, malleable).unwrap_err();
    assert!(
        matches!(err, ContractError::InvalidSignature { index: 0 }),
        "{err}"
    );
}

#[test]
fn signatures_for_another_chain_are_refused() {
    let (deps, _, ops) = setup();
    let envelope = test_envelope(1, b"42");
    let signers = [&ops[0], &ops[1]];
    let foreign = sign_envelope_on("another-chain", &signers, &test_handler(), &envelope);
    let err = validate(&deps, &envelope, foreign).unwrap_err();
    assert!(
        matches!(err, ContractError::InvalidSignature { index: 0 }),
        "{err}"
    );
    // The same signers, signing for this chain, pass.
    let honest = sign_envelope_on(
        &mock_env().block.chain_id,
        &signers,
        &test_handler(),
        &envelope,
    );
    assert_eq!(validate(&deps, &envelope, honest).unwrap(), 2);
}

#[test]
fn signatures_for_another_handler_are_refused() {
    let (deps, _, ops) = setup();
    let envelope = test_envelope(1, b"42");
    let handler_a = MockApi::default().addr_make("handler-a");
    let handler_b = MockApi::default().addr_make("handler-b");
    let for_a = sign_envelope(&[&ops[0], &ops[1]], &handler_a, &envelope);
    assert_eq!(
        validate_for(&deps, handler_a.as_str(), &envelope, for_a.clone()).unwrap(),
        2
    );
    let err = validate_for(&deps, handler_b.as_str(), &envelope, for_a).unwrap_err();
    assert!(
        matches!(err, ContractError::InvalidSignature { index: 0 }),
        "{err}"
    );
    // A v1 signature (chain id only, no handler) is refused too.
    use k256::sha2::Digest;
    let mut v1 = b"wavs-envelope-v1".to_vec();
    v1.extend_from_slice(&(mock_env().block.chain_id.len() as u32).to_be_bytes());
    v1.extend_from_slice(mock_env().block.chain_id.as_bytes());
    v1.extend_from_slice(envelope.event_id.as_slice());
    v1.extend_from_slice(envelope.ordering.as_slice());
    v1.extend_from_slice(&(envelope.payload.len() as u32).to_be_bytes());
    v1.extend_from_slice(envelope.payload.as_slice());
    let v1_digest: [u8; 32] = k256::sha2::Sha256::digest(&v1).into();
    let old = SignatureData {
        signers: vec![ops[0].pubkey.clone(), ops[1].pubkey.clone()],
        signatures: vec![ops[0].sign(&v1_digest), ops[1].sign(&v1_digest)],
        reference_height: 1,
    };
    let err = validate_for(&deps, handler_a.as_str(), &envelope, old).unwrap_err();
    assert!(
        matches!(err, ContractError::InvalidSignature { index: 0 }),
        "{err}"
    );
}

#[test]
fn validate_refuses_malformed_envelopes() {
    let (deps, _, ops) = setup();
    let good = test_envelope(1, b"42");
    let data = sign_envelope(&[&ops[0], &ops[1]], &test_handler(), &good);
    let mut bad = good.clone();
    bad.event_id = HexBinary::from([1u8; 32]);
    let err = validate(&deps, &bad, data.clone()).unwrap_err();
    assert!(
        err.to_string()
            .contains("event_id must be 20 bytes, got 32"),
        "{err}"
    );
    let mut bad = good;
    bad.ordering = HexBinary::from([0u8; 8]);
    let err = validate(&deps, &bad, data).unwrap_err();
    assert!(
        err.to_string().contains("ordering must be 12 bytes, got 8"),
        "{err}"
    );
}
