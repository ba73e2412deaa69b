//! One look at a followed manager: read its service URI and, when it names something
//! new, fetch the definition, check it and deploy it, or keep the running one and say
//! why not.

use super::FollowWorld;
use super::definition::{Followed, MAX_DEFINITION_BYTES, check, same_address};
use crate::backoff::unix_ms;
use crate::error::NodeError;
use sha2::{Digest, Sha256};
use wavs_types::followed::{FollowState, FollowedService};

/// What one look found.
#[derive(Debug)]
pub(crate) enum Look {
    /// Nothing new: the running definition stays (the record may have healed from an
    /// earlier unreachable look).
    Same(FollowedService),
    /// A new definition was deployed.
    Switched { from: String, to: FollowedService },
    /// Nothing could be read or fetched, or it did not pass: the record says why, and the
    /// running definition stays.
    Kept(FollowedService),
}

/// A new manager's first definition: read, fetched, checked, deployed. Any failure is
/// returned and nothing is kept, so the operator sees why at once.
pub(crate) async fn first(world: &dyn FollowWorld, chain: &str, manager: &str) -> Result<FollowedService, NodeError> {
    let uri = world.service_uri(chain, manager).await?;
    let (service, digest) = fetch_and_deploy(world, chain, manager, None, &uri).await?;
    let now = unix_ms();
    Ok(FollowedService {
        chain: chain.to_string(),
        manager: manager.to_string(),
        service,
        uri,
        definition_digest: digest,
        state: FollowState::Running,
        error: None,
        pending_uri: None,
        since_ms: now,
        switched_ms: now,
        switches: 0,
    })
}

/// Looks at `current` again.
pub(crate) async fn again(world: &dyn FollowWorld, current: &FollowedService) -> Look {
    let mut next = current.clone();
    let uri = match world.service_uri(&current.chain, &current.manager).await {
        Ok(uri) => uri,
        Err(e) => {
            next.state = FollowState::Unreachable;
            next.error = Some(format!("cannot read the service URI: {e}"));
            next.pending_uri = None;
            return Look::Kept(next);
        }
    };
    if uri == current.uri {
        next.state = FollowState::Running;
        next.error = None;
        next.pending_uri = None;
        return Look::Same(next);
    }
    // A URI refused for what it holds is not fetched again; only a new URI is.
    if current.state == FollowState::Refused && current.pending_uri.as_deref() == Some(uri.as_str()) {
        return Look::Same(next);
    }
    match fetch_and_deploy(world, &current.chain, &current.manager, Some(&current.service), &uri).await {
        Ok((_, digest)) => {
            next.uri = uri;
            next.definition_digest = digest;
            next.state = FollowState::Running;
            next.error = None;
            next.pending_uri = None;
            next.switched_ms = unix_ms();
            next.switches += 1;
            Look::Switched { from: current.uri.clone(), to: next }
        }
        Err(e) => {
            next.state = if e.is_retryable() { FollowState::Unreachable } else { FollowState::Refused };
            next.error = Some(e.to_string());
            next.pending_uri = Some(uri);
            Look::Kept(next)
        }
    }
}

/// Fetches the definition `uri` names, checks it against the followed manager and
/// deploys it; returns its service id and the sha256 of its bytes.
async fn fetch_and_deploy(
    world: &dyn FollowWorld,
    chain: &str,
    manager: &str,
    service: Option<&str>,
    uri: &str,
) -> Result<(String, String), NodeError> {
    if uri.trim().is_empty() {
        return Err(NodeError::Invalid(format!(
            "manager {manager} on {chain} holds no service URI yet: its owner sets one (setServiceURI) first"
        )));
    }
    let bytes = world.fetch(uri, MAX_DEFINITION_BYTES).await?;
    let is_chain = |name: &str| world.is_chain(chain, name);
    let followed = Followed { is_chain: &is_chain, chain, manager, service };
    let (manifest, handlers) =
        check(&bytes, &followed).map_err(|e| NodeError::Invalid(format!("the definition at {uri} is refused: {e}")))?;
    if service.is_none() && world.is_deployed(&manifest.id) {
        return Err(NodeError::Conflict(format!(
            "the definition at {uri} deploys service {:?}, which this node runs already (not from this manager): remove it \
             first, or have the definition use another id",
            manifest.id
        )));
    }
    for handler in &handlers {
        let actual = world.handler_manager(chain, handler).await?;
        if !same_address(&actual, manager) {
            return Err(NodeError::Invalid(format!(
                "the definition at {uri} is refused: handler {handler} on {chain} validates with manager {actual}, not {manager}"
            )));
        }
    }
    let id = manifest.id.clone();
    world
        .deploy(manifest)
        .await
        .map_err(|e| wrap(e, &format!("the definition at {uri} (service {id}) cannot be deployed")))?;
    Ok((id, hex::encode(Sha256::digest(&bytes))))
}

/// `e` with `context` before its message, keeping its kind (and so its retryability).
fn wrap(e: NodeError, context: &str) -> NodeError {
    match e {
        NodeError::Invalid(m) => NodeError::Invalid(format!("{context}: {m}")),
        NodeError::NotFound(m) => NodeError::Invalid(format!("{context}: {m}")),
        NodeError::Conflict(m) => NodeError::Conflict(format!("{context}: {m}")),
        NodeError::TooLarge(m) => NodeError::TooLarge(format!("{context}: {m}")),
        NodeError::Unavailable(m) => NodeError::Unavailable(format!("{context}: {m}")),
        other if other.is_retryable() => NodeError::Unavailable(format!("{context}: {other}")),
        other => NodeError::Invalid(format!("{context}: {other}")),
    }
}
