//! The service URI: set by the owner only, read back by query, each change an event, and
//! bounded in length.

use cosmwasm_std::testing::{MockApi, MockQuerier, MockStorage, message_info, mock_dependencies, mock_env};
use cosmwasm_std::{Addr, OwnedDeps, Response, from_json};
use wavs_cw_common::manager::MAX_SERVICE_URI_BYTES;

use crate::contract::{execute, query};
use crate::testing::{instantiate_manager, test_operators};
use crate::{ContractError, ExecuteMsg, QueryMsg};

type Deps = OwnedDeps<MockStorage, MockApi, MockQuerier>;

fn setup() -> (Deps, Addr) {
    let mut deps = mock_dependencies();
    let owner = deps.api.addr_make("owner");
    instantiate_manager(deps.as_mut(), &owner, &test_operators(2), 1);
    (deps, owner)
}

fn service_uri(deps: &Deps) -> String {
    from_json(query(deps.as_ref(), mock_env(), QueryMsg::ServiceUri {}).unwrap()).unwrap()
}

fn set(deps: &mut Deps, sender: &Addr, uri: &str) -> Result<Response, ContractError> {
    let msg = ExecuteMsg::SetServiceUri { uri: uri.to_string() };
    execute(deps.as_mut(), mock_env(), message_info(sender, &[]), msg)
}

#[test]
fn the_owner_sets_the_uri_and_each_change_is_an_event() {
    let (mut deps, owner) = setup();
    assert_eq!(service_uri(&deps), "");
    for uri in ["ipfs://bafy-service-v1", "https://example.com/service-v2.json", ""] {
        let res = set(&mut deps, &owner, uri).unwrap();
        assert_eq!(res.events.len(), 1);
        assert_eq!(res.events[0].ty, "service-uri-updated");
        assert_eq!(res.events[0].attributes[0].key, "uri");
        assert_eq!(res.events[0].attributes[0].value, uri);
        assert_eq!(service_uri(&deps), uri);
    }
}

#[test]
fn a_stranger_cannot_set_the_uri() {
    let (mut deps, owner) = setup();
    set(&mut deps, &owner, "ipfs://kept").unwrap();
    let stranger = deps.api.addr_make("stranger");
    let err = set(&mut deps, &stranger, "ipfs://hijack").unwrap_err();
    assert!(matches!(err, ContractError::NotOwner), "{err}");
    assert!(err.to_string().contains("service URI"), "{err}");
    assert_eq!(service_uri(&deps), "ipfs://kept");
}

#[test]
fn a_uri_over_the_bound_is_refused_naming_both_lengths() {
    let (mut deps, owner) = setup();
    set(&mut deps, &owner, "ipfs://kept").unwrap();
    let err = set(&mut deps, &owner, &"x".repeat(MAX_SERVICE_URI_BYTES + 1)).unwrap_err();
    assert_eq!(err.to_string(), "ServiceURITooLong: the service URI is 2049 bytes, more than the 2048 the manager stores");
    assert_eq!(service_uri(&deps), "ipfs://kept");
    // Exactly the bound is stored.
    set(&mut deps, &owner, &"x".repeat(MAX_SERVICE_URI_BYTES)).unwrap();
    assert_eq!(service_uri(&deps).len(), MAX_SERVICE_URI_BYTES);
}
