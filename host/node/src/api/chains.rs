//! What the node serves chains with: its adapters, its key per chain, and chains added
//! while it runs.

use super::{ApiResult, ApiState};
use crate::error::NodeError;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use std::collections::BTreeMap;
use std::sync::Arc;
use wavs_types::ApiError;
use wavs_runtime::bindings::curves_api::Scheme;
use wavs_types::node_api::{AdaptersAnswer, ChainAdded, ChainKey, ChainRequest, OperatorAnswer, OperatorIdentity, SchemeKey};

/// Chain adapters loaded, and every file of the adapters directory with its state.
#[utoipa::path(get, path = "/adapters", tag = "status", operation_id = "adapters",
    responses((status = 200, description = "Adapters.", body = AdaptersAnswer)))]
pub(super) async fn adapters(State(api): State<Arc<ApiState>>) -> Json<AdaptersAnswer> {
    Json(AdaptersAnswer { loaded: api.registry.loaded(), files: api.registry.files() })
}

/// Each chain's signing key: public key, where it came from, and the identity the
/// chain's adapter gives it (what a service manager registers).
#[utoipa::path(get, path = "/operator", tag = "status", operation_id = "operator",
    responses((status = 200, description = "Each chain's key, by chain name.", body = OperatorAnswer)))]
pub(super) async fn operator(State(api): State<Arc<ApiState>>) -> Json<OperatorAnswer> {
    let mut chains = BTreeMap::new();
    for (name, chain) in api.chains.all() {
        chains.insert(name, described_key(&chain.adapter, &chain.spec, &chain.key).await);
    }
    Json(OperatorAnswer { chains })
}

/// `key` on the chain of `spec`, as `wavs keys` lists it: every scheme's public key with
/// the identity `adapter` gives it and, where the scheme needs one, a proof of possession.
pub async fn described_key(adapter: &wavs_runtime::ChainAdapter, spec: &wavs_types::ChainSpec, key: &wavs_runtime::ChainKey) -> ChainKey {
    let public_key = key.signer.public_key();
    let id = adapter.operator_id(Scheme::Secp256k1Ecdsa, &public_key).await;
    let mut entry = chain_key(spec, &public_key, &key.source, id);
    entry.schemes = scheme_keys(adapter, &key.signer).await;
    entry
}

/// The chain's keys for the schemes beyond secp256k1 its adapter verifies, with the
/// identity the adapter gives each and, where the scheme needs one, a proof of possession.
pub async fn scheme_keys(adapter: &wavs_runtime::ChainAdapter, signer: &wavs_runtime::Signer) -> BTreeMap<String, SchemeKey> {
    let mut keys = BTreeMap::new();
    for scheme in adapter.schemes().into_iter().filter(|s| *s != wavs_types::Scheme::Secp256k1Ecdsa) {
        let described = async {
            let public_key = signer.public_key_for(scheme)?;
            let proof = signer.possession_proof(scheme)?;
            Ok::<_, wavs_runtime::RuntimeError>((public_key, proof))
        };
        let entry = match described.await {
            Ok((public_key, proof)) => {
                let id = adapter.operator_id(scheme.into(), &public_key).await;
                SchemeKey {
                    public_key: wavs_types::hex_bytes::encode(&public_key),
                    id: id.map_or_else(|e| OperatorIdentity::Unknown { error: e.to_string() }, OperatorIdentity::Id),
                    proof: if proof.is_empty() { String::new() } else { wavs_types::hex_bytes::encode(&proof) },
                }
            }
            Err(e) => SchemeKey { public_key: String::new(), id: OperatorIdentity::Unknown { error: e.to_string() }, proof: String::new() },
        };
        keys.insert(scheme.to_string(), entry);
    }
    keys
}

/// Serve a new chain from now on, without a restart; it is kept across restarts.
///
/// Its family's adapter may already be loaded or be dropped into the adapters directory
/// later (the chain waits for it, as a configured one does).
#[utoipa::path(post, path = "/chains", tag = "chains", operation_id = "addChain",
    request_body = ChainRequest,
    responses(
        (status = 201, description = "Added.", body = ChainAdded),
        (status = 400, description = "Invalid name or spec (the message names the field).", body = ApiError),
        (status = 409, description = "A chain of that name is already served, or the node has no room for more chains \
            added at runtime (it says to use the configuration file).", body = ApiError)))]
pub(super) async fn add_chain(State(api): State<Arc<ApiState>>, body: String) -> ApiResult<(StatusCode, Json<ChainAdded>)> {
    let (ChainRequest { name, spec }, _) = ChainRequest::parse(&body, &[]).map_err(NodeError::Invalid)?;
    api.chain_adder.add(&name, spec)?;
    Ok((StatusCode::CREATED, Json(ChainAdded { name })))
}

/// One chain's entry in `wavs keys` and `GET /operator`, with the identity its adapter
/// gave the key (or why it could not).
pub fn chain_key<E: std::fmt::Display>(spec: &wavs_types::ChainSpec, public_key: &[u8], source: &str, id: Result<String, E>) -> ChainKey {
    ChainKey {
        family: spec.family.clone(),
        chain_id: spec.chain_id.clone(),
        public_key: wavs_types::hex_bytes::encode(public_key),
        id: id.map_or_else(|e| OperatorIdentity::Unknown { error: e.to_string() }, OperatorIdentity::Id),
        key: source.to_string(),
        schemes: BTreeMap::new(),
    }
}
