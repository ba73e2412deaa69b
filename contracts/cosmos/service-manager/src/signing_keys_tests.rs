//! Per-service signing keys: an operator registers the key its node signs this service with
//! from its own account; a registered key counts with its operator's weight, a key nobody
//! registered or one rotated out counts nothing, and no key is claimed by a second operator.

use cosmwasm_std::testing::{MockApi, MockQuerier, MockStorage, message_info, mock_dependencies, mock_env};
use cosmwasm_std::{Addr, Api, CanonicalAddr, HexBinary, OwnedDeps, Response, from_json};
use ripemd::Ripemd160;
use sha2::{Digest, Sha256};

use crate::contract::{execute, query};
use crate::testing::{TestOperator, instantiate_manager, sign_envelope, test_envelope, test_handler, test_operators};
use crate::{ContractError, ExecuteMsg, OperatorsResponse, QueryMsg, ValidateResponse};

type Deps = OwnedDeps<MockStorage, MockApi, MockQuerier>;

/// The account of `op`'s key on the mock chain.
fn account_of(deps: &Deps, op: &TestOperator) -> Addr {
    let hash = Ripemd160::digest(Sha256::digest(op.pubkey.as_slice()));
    deps.api.addr_humanize(&CanonicalAddr::from(&hash[..])).unwrap()
}

fn register(deps: &mut Deps, sender: &Addr, op: &TestOperator, key: &TestOperator) -> Result<Response, ContractError> {
    let msg = ExecuteMsg::SetSigningKey { operator: op.pubkey.clone(), signing_key: key.pubkey.clone() };
    execute(deps.as_mut(), mock_env(), message_info(sender, &[]), msg)
}

fn validate(deps: &Deps, signers: &[&TestOperator]) -> Result<u64, ContractError> {
    let mut signers = signers.to_vec();
    signers.sort_by(|a, b| a.pubkey.as_slice().cmp(b.pubkey.as_slice()));
    let envelope = test_envelope(7, b"result");
    let msg = QueryMsg::Validate {
        handler: test_handler().to_string(),
        signature_data: sign_envelope(&signers, &test_handler(), &envelope),
        envelope,
    };
    let answer: ValidateResponse = from_json(query(deps.as_ref(), mock_env(), msg)?).unwrap();
    Ok(answer.weight.u64())
}

fn operator_for(deps: &Deps, key: &TestOperator) -> Option<HexBinary> {
    let msg = QueryMsg::LatestOperatorForSigningKey { signing_key: key.pubkey.clone() };
    from_json(query(deps.as_ref(), mock_env(), msg).unwrap()).unwrap()
}

#[test]
fn operators_sign_with_the_key_they_registered() {
    let mut deps = mock_dependencies();
    let owner = deps.api.addr_make("owner");
    let ops = test_operators(3);
    instantiate_manager(deps.as_mut(), &owner, &ops, 2);
    let [key1, key2, key1_next, stranger] = [41, 42, 43, 44].map(TestOperator::from_seed);
    let accounts: Vec<_> = ops.iter().map(|op| account_of(&deps, op)).collect();

    // Only the operator's own account registers its key: not the owner, not another operator.
    for sender in [&owner, &accounts[1]] {
        let err = register(&mut deps, sender, &ops[0], &key1).unwrap_err();
        assert!(matches!(err, ContractError::NotOperator { .. }), "{err}");
        assert!(err.to_string().contains("send SetSigningKey from the account of the operator's key"), "{err}");
    }
    let event = register(&mut deps, &accounts[0], &ops[0], &key1).unwrap();
    assert_eq!(event.events[0].ty, "signing-key-updated");
    register(&mut deps, &accounts[1], &ops[1], &key2).unwrap();

    // Registered keys, and an operator that registered none signing with its own key.
    assert_eq!(validate(&deps, &[&key1, &key2]).unwrap(), 2);
    assert_eq!(validate(&deps, &[&key1, &ops[2]]).unwrap(), 2);
    // An operator's own key once it registered one, and a key nobody registered.
    for signers in [[&ops[0], &key2], [&stranger, &key2]] {
        let err = validate(&deps, &signers).unwrap_err();
        assert_eq!(err.to_string(), format!("UnknownSigner: {} is not an operator", signers[0].pubkey.to_hex()));
    }

    // Rotation: the old key counts no more, the new one does.
    register(&mut deps, &accounts[0], &ops[0], &key1_next).unwrap();
    assert!(matches!(validate(&deps, &[&key1, &key2]), Err(ContractError::UnknownSigner { .. })));
    assert_eq!(validate(&deps, &[&key1_next, &key2]).unwrap(), 2);
    assert_eq!(operator_for(&deps, &key1_next), Some(ops[0].pubkey.clone()));
    assert_eq!(operator_for(&deps, &key1), None);
    assert_eq!(operator_for(&deps, &ops[2]), Some(ops[2].pubkey.clone()));
    assert_eq!(operator_for(&deps, &stranger), None);

    // No key changes hands: a rotated-out key, another operator's key or own key.
    for (claimer, taken) in [(2, &key1), (2, &key2), (0, &ops[2])] {
        let err = register(&mut deps, &accounts[claimer], &ops[claimer], taken).unwrap_err();
        assert!(matches!(err, ContractError::SigningKeyTaken { .. }), "{err}");
    }

    // What the aggregator reads (the adapter's operator-set): each operator's current key
    // with its weight, sorted by key.
    let listed: OperatorsResponse = from_json(query(deps.as_ref(), mock_env(), QueryMsg::Operators {}).unwrap()).unwrap();
    let mut expected = vec![key1_next.pubkey.clone(), key2.pubkey.clone(), ops[2].pubkey.clone()];
    expected.sort_by(|a, b| a.as_slice().cmp(b.as_slice()));
    assert_eq!(listed.operators.iter().map(|o| o.pubkey.clone()).collect::<Vec<_>>(), expected);
    assert_eq!(listed.total_weight.u64(), 3);
}
