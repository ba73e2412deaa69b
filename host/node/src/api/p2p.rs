//! `/p2p/announce`: the node publishes its p2p address at a manager, so the other
//! operators' nodes find it from the chain (`[p2p] peers-from-chain`). Sent from and paid
//! by this operator's account on the chain, like a key registration: the operator asked.

use super::register_key::{resolve_chain, sent_refusal};
use super::{ApiResult, ApiState};
use crate::error::NodeError;
use axum::Json;
use axum::extract::State;
use std::sync::Arc;
use wavs_types::ApiError;
use wavs_types::p2p::{AnnouncePeerRequest, PeerAnnounced};

/// Publishes this node's p2p address (or `address`) at `manager` on `chain`, as the address
/// of the operator whose account is this node's on that chain (`GET /operator`), and
/// answers whether the manager lists it. The transaction is paid by that account: fund it
/// first. Only for a node with `[p2p]`.
#[utoipa::path(post, path = "/p2p/announce", tag = "p2p", operation_id = "announcePeer",
    request_body = AnnouncePeerRequest,
    responses(
        (status = 200, description = "Published: the address and whether the manager lists it.", body = PeerAnnounced),
        (status = 400, description = "Not a valid body or address, the node runs no [p2p], or the chain's adapter cannot publish peers.", body = ApiError),
        (status = 404, description = "No such chain on this node.", body = ApiError),
        (status = 409, description = "The chain refused: this operator's account is no operator of the manager, the address is too long, or the account cannot pay the fee; the message says which.", body = ApiError),
        (status = 503, description = "The chain could not be reached; retryable.", body = ApiError)))]
pub(super) async fn announce(State(api): State<Arc<ApiState>>, body: String) -> ApiResult<Json<PeerAnnounced>> {
    let request: AnnouncePeerRequest = serde_json::from_str(&body).map_err(|e| {
        NodeError::Invalid(format!("the body must be {{\"chain\": NAME, \"manager\": ADDRESS, \"address\"?: MULTIADDR}}: {e}"))
    })?;
    let peers = api.peers.as_ref().ok_or_else(|| {
        NodeError::Invalid("this node runs without [p2p]: it has no p2p address to announce".into())
    })?;
    let (name, chain) = resolve_chain(&api, &request.chain)?;
    let manager = request.manager.trim();
    let address = match request.address {
        Some(address) => address.trim().to_string(),
        None => peers.own_address().await?,
    };
    wavs_p2p::check_announced(&address).map_err(NodeError::Invalid)?;
    let what = format!("announcing {address} at manager {manager} on chain {name}");
    let adapter = api.chains.submitting_adapter(&name, &chain);
    adapter.announce_peer(manager, &address).await.map_err(|e| sent_refusal(e, &what, &name, &chain))?;
    let listed = chain.adapter.peer_addresses(manager).await?.contains(&address);
    tracing::info!(chain = %name, manager, %address, listed, "announced this node's p2p address");
    Ok(Json(PeerAnnounced { chain: name, manager: manager.to_string(), address, listed }))
}
