//! `/services/{id}/keys`: what an operator registers at a service's manager, before or
//! after deploying the service.

use super::{ApiResult, ApiState};
use crate::error::NodeError;
use axum::Json;
use axum::extract::{Path, State};
use std::collections::BTreeMap;
use std::sync::Arc;
use wavs_types::ApiError;
use wavs_types::node_api::OperatorAnswer;

/// A service's signing keys, by chain: each chain's public key for the service (every
/// scheme, with proofs of possession where needed) and the identity the chain's adapter
/// gives it — what this operator registers at the service's manager.
///
/// The service need not be deployed yet: its key index is assigned on the first ask (so
/// this changes the node, and takes the token) and kept until the service is removed.
///
/// Send `Content-Type: application/json` (the body may be empty), as every request that
/// changes the node must.
#[utoipa::path(post, path = "/services/{id}/keys", tag = "services", operation_id = "serviceKeys",
    params(("id" = String, Path, description = "The service's id (deployed or not).")),
    responses(
        (status = 200, description = "The service's key on each chain, by chain name.", body = OperatorAnswer),
        (status = 400, description = "Not a valid service id.", body = ApiError)))]
pub(super) async fn service_keys(State(api): State<Arc<ApiState>>, Path(id): Path<String>) -> ApiResult<Json<OperatorAnswer>> {
    check_service_id(&id)?;
    let index = api.store.service_key_index(&id)?;
    let mut chains = BTreeMap::new();
    for (name, chain) in api.chains.all() {
        let key = chain.service_key(index)?;
        chains.insert(name, super::chains::described_key(&chain.adapter, &chain.spec, &key).await);
    }
    Ok(Json(OperatorAnswer { chains }))
}

/// Refuses what is no valid service id, saying what one is.
pub(super) fn check_service_id(id: &str) -> Result<(), NodeError> {
    if !wavs_types::manifest::valid_id(id) {
        return Err(NodeError::Invalid(format!("service id {id:?}: use 1-64 letters, digits, '-' or '_'")));
    }
    Ok(())
}
