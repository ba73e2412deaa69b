//! Peer addresses: an operator publishes and updates its node's p2p address from its own
//! account; nodes read those of the operators with weight. Another account and an over-long
//! address are refused, and the honest operators' addresses stay as they were.

use cosmwasm_std::testing::{MockApi, MockQuerier, MockStorage, message_info, mock_dependencies, mock_env};
use cosmwasm_std::{Addr, Api, CanonicalAddr, OwnedDeps, Response, Uint64, from_json};
use ripemd::Ripemd160;
use sha2::{Digest, Sha256};
use wavs_cw_common::manager::MAX_PEER_ADDRESS_BYTES;

use crate::contract::{execute, query};
use crate::testing::{TestOperator, instantiate_manager, test_operators};
use crate::{ContractError, ExecuteMsg, QueryMsg};

type Deps = OwnedDeps<MockStorage, MockApi, MockQuerier>;

/// The account of `op`'s key on the mock chain.
fn account_of(deps: &Deps, op: &TestOperator) -> Addr {
    let hash = Ripemd160::digest(Sha256::digest(op.pubkey.as_slice()));
    deps.api.addr_humanize(&CanonicalAddr::from(&hash[..])).unwrap()
}

/// A manager over three operators (threshold 2): its deps, owner, operators and their accounts.
fn setup() -> (Deps, Addr, Vec<TestOperator>, Vec<Addr>) {
    let mut deps = mock_dependencies();
    let owner = deps.api.addr_make("owner");
    let ops = test_operators(3);
    instantiate_manager(deps.as_mut(), &owner, &ops, 2);
    let accounts = ops.iter().map(|op| account_of(&deps, op)).collect();
    (deps, owner, ops, accounts)
}

fn announce(deps: &mut Deps, sender: &Addr, op: &TestOperator, address: &str) -> Result<Response, ContractError> {
    let msg = ExecuteMsg::SetPeerAddress { operator: op.pubkey.clone(), address: address.to_string() };
    execute(deps.as_mut(), mock_env(), message_info(sender, &[]), msg)
}

fn peer_addresses(deps: &Deps) -> Vec<String> {
    from_json(query(deps.as_ref(), mock_env(), QueryMsg::PeerAddresses {}).unwrap()).unwrap()
}

fn weigh(deps: &mut Deps, owner: &Addr, op: &TestOperator, weight: u64) {
    let msg = ExecuteMsg::SetOperator { pubkey: op.pubkey.clone(), weight: Uint64::new(weight) };
    execute(deps.as_mut(), mock_env(), message_info(owner, &[]), msg).unwrap();
}

fn sorted(mut v: Vec<String>) -> Vec<String> {
    v.sort();
    v
}

const A1: &str = "/ip4/10.0.0.1/tcp/9700/p2p/12D3KooWPeer1";
const A2: &str = "/ip4/10.0.0.2/tcp/9700/p2p/12D3KooWPeer2";
const A1_NEXT: &str = "/dns4/node1.example.com/tcp/9700/p2p/12D3KooWPeer1";

#[test]
fn operators_publish_and_update_their_addresses_and_weight_0_drops_one_out() {
    let (mut deps, owner, ops, accounts) = setup();
    assert_eq!(peer_addresses(&deps), Vec::<String>::new());

    let res = announce(&mut deps, &accounts[0], &ops[0], A1).unwrap();
    assert_eq!(res.events[0].ty, "peer-address-updated");
    assert_eq!(res.events[0].attributes[1].value, A1);
    announce(&mut deps, &accounts[1], &ops[1], A2).unwrap();
    assert_eq!(sorted(peer_addresses(&deps)), [A1, A2]);

    // An update replaces the operator's address.
    announce(&mut deps, &accounts[0], &ops[0], A1_NEXT).unwrap();
    assert_eq!(sorted(peer_addresses(&deps)), sorted(vec![A1_NEXT.into(), A2.into()]));

    // Weight 0 drops the operator out; weight back brings its address back.
    weigh(&mut deps, &owner, &ops[1], 0);
    assert_eq!(peer_addresses(&deps), [A1_NEXT]);
    weigh(&mut deps, &owner, &ops[1], 1);
    assert_eq!(sorted(peer_addresses(&deps)), sorted(vec![A1_NEXT.into(), A2.into()]));

    // An empty address withdraws it.
    announce(&mut deps, &accounts[0], &ops[0], "").unwrap();
    assert_eq!(peer_addresses(&deps), [A2]);
}

#[test]
fn another_account_and_an_over_long_address_are_refused_and_operators_still_publish() {
    let (mut deps, owner, ops, accounts) = setup();
    announce(&mut deps, &accounts[0], &ops[0], A1).unwrap();

    // Not the owner, not another operator's account, not a key without weight.
    let stranger = TestOperator::from_seed(61);
    let stranger_account = account_of(&deps, &stranger);
    for (sender, op) in [(&owner, &ops[1]), (&accounts[2], &ops[1]), (&stranger_account, &stranger)] {
        let err = announce(&mut deps, sender, op, "/ip4/6.6.6.6/tcp/1").unwrap_err();
        assert!(matches!(err, ContractError::NotOperator { .. }), "{err}");
        assert!(err.to_string().contains("send SetPeerAddress from the account of the operator's key"), "{err}");
    }

    let too_long = "x".repeat(MAX_PEER_ADDRESS_BYTES + 1);
    let err = announce(&mut deps, &accounts[1], &ops[1], &too_long).unwrap_err();
    assert_eq!(err.to_string(), "PeerAddressTooLong: the peer address is 257 bytes, more than the 256 the manager stores");
    assert_eq!(peer_addresses(&deps), [A1]);

    // Exactly the bound is accepted; the honest operator's address is unchanged.
    let longest = "x".repeat(MAX_PEER_ADDRESS_BYTES);
    announce(&mut deps, &accounts[1], &ops[1], &longest).unwrap();
    assert_eq!(sorted(peer_addresses(&deps)), sorted(vec![A1.into(), longest]));
}
