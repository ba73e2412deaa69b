//! `/services/{id}/keys/register`: the node registers the service's key for a chain at
//! the service's manager there, sent from and paid by this operator's account on that
//! chain: the one time the node lets an adapter sign, because the operator asked.

use super::service_keys::check_service_id;
use super::{ApiResult, ApiState};
use crate::chains::Chain;
use crate::error::NodeError;
use axum::Json;
use axum::extract::{Path, State};
use std::sync::Arc;
use wavs_runtime::{AdapterErrorKind, ChainAdapter, RuntimeError};
use wavs_types::node_api::{KeyRegistered, RegisterKeyRequest};
use wavs_types::{ApiError, Scheme};

/// Registers service `id`'s key for `chain` at `manager`, as the manager's scheme wants
/// it (with its proof of possession for bn254-bls), and answers the operator the
/// manager now counts the key for. The transaction is sent from this operator's account
/// on the chain (its key is `GET /operator`'s), which pays the fee: fund it first.
///
/// The service need not be deployed yet: its key index is assigned as by
/// `POST /services/{id}/keys`.
#[utoipa::path(post, path = "/services/{id}/keys/register", tag = "services", operation_id = "registerServiceKey",
    params(("id" = String, Path, description = "The service's id (deployed or not).")),
    request_body = RegisterKeyRequest,
    responses(
        (status = 200, description = "Registered: the key and the operator it counts for.", body = KeyRegistered),
        (status = 400, description = "Not a valid service id or body, or the manager takes no key this node can register.", body = ApiError),
        (status = 404, description = "No such chain on this node.", body = ApiError),
        (status = 409, description = "The chain refused: this operator's account is no operator of the manager, the key is another's, or the account cannot pay the fee; the message says which.", body = ApiError),
        (status = 503, description = "The chain could not be reached; retryable.", body = ApiError)))]
pub(super) async fn register_key(State(api): State<Arc<ApiState>>, Path(id): Path<String>, body: String) -> ApiResult<Json<KeyRegistered>> {
    check_service_id(&id)?;
    let request: RegisterKeyRequest = serde_json::from_str(&body)
        .map_err(|e| NodeError::Invalid(format!("the body must be {{\"chain\": NAME, \"manager\": ADDRESS}}: {e}")))?;
    let (name, chain) = resolve_chain(&api, &request.chain)?;
    let manager = request.manager.trim();
    let key = chain.service_key(api.store.service_key_index(&id)?)?;
    let scheme = manager_scheme(&chain.adapter, manager, &key.signer).await?;
    let public_key = key.signer.public_key_for(scheme)?;
    let proof = key.signer.possession_proof(scheme)?;
    let adapter = api.chains.submitting_adapter(&name, &chain);
    adapter
        .register_signing_key(manager, scheme.into(), &public_key, &proof)
        .await
        .map_err(|e| sent_refusal(e, &format!("registering {id}'s key at manager {manager} on chain {name}"), &name, &chain))?;
    let operator = chain.adapter.signing_key_operator(manager, scheme.into(), &public_key).await?.ok_or_else(|| {
        NodeError::Conflict(format!("manager {manager} on chain {name} took the registration but counts {id}'s key for no operator"))
    })?;
    tracing::info!(service = %id, chain = %name, manager, %operator, "registered the service's signing key");
    Ok(Json(KeyRegistered {
        chain: name,
        manager: manager.to_string(),
        scheme: scheme.to_string(),
        public_key: wavs_types::hex_bytes::encode(&public_key),
        operator,
    }))
}

/// The chain `wanted` names (the node's name or `family:chain-id`), with the node's name.
pub(super) fn resolve_chain(api: &ApiState, wanted: &str) -> Result<(String, Arc<Chain>), NodeError> {
    api.chains.resolve(wanted).ok_or_else(|| {
        let names: Vec<String> = api.chains.all().into_iter().map(|(n, _)| n).collect();
        NodeError::NotFound(format!("no chain {wanted:?} on this node (chains: {names:?}); add it first"))
    })
}

/// Why a transaction this operator's account on chain `name` sent for `what` failed: the
/// chain's refusal is a conflict (naming the account to fund if it cannot pay), a bad
/// manager or a missing export is the request's fault.
pub(super) fn sent_refusal(e: RuntimeError, what: &str, name: &str, chain: &Chain) -> NodeError {
    let refused = format!(
        "{what}: {e} (it is sent and paid by this operator's account on {name}, the account of key {}: fund it if it \
         cannot pay the fee)",
        wavs_types::hex_bytes::encode(&chain.key.signer.public_key())
    );
    match e {
        RuntimeError::Adapter { kind: AdapterErrorKind::Rejected, .. } => NodeError::Conflict(refused),
        RuntimeError::Adapter { kind: AdapterErrorKind::InvalidConfig | AdapterErrorKind::Unsupported, .. } => NodeError::Invalid(refused),
        other => NodeError::Runtime(other),
    }
}

/// The scheme `manager`'s operators sign with: the first of the adapter's schemes whose
/// read of the manager is not `unsupported` (an adapter refuses a scheme its manager does
/// not use). Without any, the last refusal says why (such as an adapter without the
/// signing-keys export).
async fn manager_scheme(adapter: &ChainAdapter, manager: &str, signer: &wavs_runtime::Signer) -> Result<Scheme, NodeError> {
    let mut refusal = None;
    for scheme in adapter.schemes() {
        match adapter.signing_key_operator(manager, scheme.into(), &signer.public_key_for(scheme)?).await {
            Ok(_) => return Ok(scheme),
            Err(RuntimeError::Adapter { kind: AdapterErrorKind::Unsupported, message }) => refusal = Some(message),
            Err(RuntimeError::Adapter { kind: AdapterErrorKind::InvalidConfig | AdapterErrorKind::Rejected, message }) => {
                return Err(NodeError::Invalid(format!("manager {manager}: {message}")));
            }
            Err(e) => return Err(e.into()),
        }
    }
    Err(NodeError::Invalid(format!(
        "manager {manager} takes keys of none of the schemes this node can register: {}",
        refusal.unwrap_or_else(|| "no adapter is loaded for the chain".into())
    )))
}
