//! Test helpers shared by this crate's tests and the handler's: deterministic operator keys,
//! signing, and a mock querier that answers as a deployed service manager would.

use cosmwasm_std::testing::{MockApi, MockQuerier, MockStorage, message_info, mock_env};
use cosmwasm_std::{
    Addr, Binary, ContractResult, DepsMut, Empty, HexBinary, OwnedDeps, QuerierResult, SystemError,
    SystemResult, WasmQuery, from_json,
};
use k256::ecdsa::SigningKey;
use k256::ecdsa::signature::hazmat::PrehashSigner;
use wavs_cw_common::{Envelope, SignatureData, envelope_digest};

use crate::contract::{instantiate, query};
use crate::{ContractError, InstantiateMsg, OperatorWeight};

/// An operator's secp256k1 key and its compressed public key.
pub struct TestOperator {
    pub key: SigningKey,
    pub pubkey: HexBinary,
}

impl TestOperator {
    /// A deterministic key whose secret is 32 bytes of `seed` (non-zero).
    pub fn from_seed(seed: u8) -> Self {
        let key = SigningKey::from_slice(&[seed; 32]).expect("valid secret");
        let pubkey = HexBinary::from(key.verifying_key().to_encoded_point(true).as_bytes());
        Self { key, pubkey }
    }

    /// A 64-byte r || s (low-s) signature over `digest`.
    pub fn sign(&self, digest: &[u8; 32]) -> HexBinary {
        let signature: k256::ecdsa::Signature = self.key.sign_prehash(digest).expect("signs");
        HexBinary::from(signature.to_bytes().to_vec())
    }
}

/// `n` operators, sorted by public key.
pub fn test_operators(n: u8) -> Vec<TestOperator> {
    let mut operators: Vec<_> = (1..=n).map(TestOperator::from_seed).collect();
    operators.sort_by(|a, b| a.pubkey.as_slice().cmp(b.pubkey.as_slice()));
    operators
}

/// An envelope whose event id is 20 bytes of `id`.
pub fn test_envelope(id: u8, payload: &[u8]) -> Envelope {
    Envelope {
        event_id: HexBinary::from([id; 20]),
        ordering: HexBinary::from([0u8; 12]),
        payload: Binary::from(payload),
    }
}

/// The address `mock_env()` gives the contract under test: the handler in the handler's
/// tests, and the handler signatures are made for by default here.
pub fn test_handler() -> Addr {
    mock_env().contract.address
}

/// `signers` sign `envelope` for `handler` on the mock chain, in the order given.
pub fn sign_envelope(
    signers: &[&TestOperator],
    handler: &Addr,
    envelope: &Envelope,
) -> SignatureData {
    sign_envelope_on(&mock_env().block.chain_id, signers, handler, envelope)
}

/// `signers` sign `envelope` for `handler` on chain `chain_id`, in the order given.
pub fn sign_envelope_on(
    chain_id: &str,
    signers: &[&TestOperator],
    handler: &Addr,
    envelope: &Envelope,
) -> SignatureData {
    let digest = envelope_digest(chain_id, handler.as_str(), envelope).expect("well-formed");
    SignatureData {
        signers: signers.iter().map(|op| op.pubkey.clone()).collect(),
        signatures: signers.iter().map(|op| op.sign(&digest)).collect(),
        reference_height: mock_env().block.height,
    }
}

/// Instantiates a manager owned by `owner` with `operators` at weight 1 each.
pub fn instantiate_manager(
    deps: DepsMut,
    owner: &Addr,
    operators: &[TestOperator],
    threshold: u64,
) {
    let msg = InstantiateMsg {
        operators: operators
            .iter()
            .map(|op| OperatorWeight {
                pubkey: op.pubkey.clone(),
                weight: 1u64.into(),
            })
            .collect(),
        threshold: threshold.into(),
    };
    instantiate(deps, mock_env(), message_info(owner, &[]), msg).expect("instantiates");
}

/// A `MockQuerier::update_wasm` handler answering smart queries to `address` with the manager
/// held in `deps`, running on chain `chain_id`, as wasmd would (a refusal becomes a contract
/// error carrying its text).
pub fn manager_querier(
    address: Addr,
    chain_id: &str,
    deps: OwnedDeps<MockStorage, MockApi, MockQuerier, Empty>,
) -> impl Fn(&WasmQuery) -> QuerierResult + 'static {
    let mut env = mock_env();
    env.block.chain_id = chain_id.to_string();
    env.contract.address = address.clone();
    move |request| match request {
        WasmQuery::Smart { contract_addr, msg } if *contract_addr == address.as_str() => {
            let result = from_json(msg)
                .map_err(ContractError::from)
                .and_then(|msg| query(deps.as_ref(), env.clone(), msg))
                .map_err(|err| err.to_string());
            SystemResult::Ok(ContractResult::from(result))
        }
        other => SystemResult::Err(SystemError::UnsupportedRequest {
            kind: format!("{other:?}"),
        }),
    }
}
