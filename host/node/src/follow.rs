//! Services defined on chain. An operator has the node follow a service manager
//! (`wavs service add --chain C --manager ADDR`): the node reads the service URI the
//! manager holds, fetches the definition it names, checks it ([`definition`]), fetches
//! its components by digest and runs it. It then looks at the URI again and moves to a
//! new definition by itself; a definition it refuses leaves the running one in place,
//! and `GET /followed` and the log say why.
//!
//! When it looks: as soon as the chain's trigger reader sees a URI change of a followed
//! manager (the adapter's `service-uri-filter`, read in the same `events` call as the
//! triggers; `crate::reader`), and every [`FOLLOW_INTERVAL`] anyway. The interval is the
//! fallback for an adapter without the filter, a change the reader has not reached (it
//! reads behind the head by the chain's confirmations) and a fetch that failed for now.
//!
//! The switch replaces the deployed manifest: executions already running finish on the
//! old one, jobs not started yet run the new one. A trigger on the manager's own chain at
//! or after the change's height waits in the reader until following has looked at the new
//! URI ([`crate::follow_rounds`]), so every operator runs it with the same definition. A trigger
//! from another chain has no order with the change: it runs what is deployed when it is
//! read.

mod definition;
mod node_world;
mod sync;
#[cfg(test)]
mod tests;

pub use definition::MAX_DEFINITION_BYTES;
pub use node_world::NodeWorld;

use crate::error::{NodeError, Result};
use crate::follow_rounds::FollowRounds;
use crate::store::Store;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;
use sync::Look;
use wavs_types::ServiceManifest;
use wavs_types::followed::FollowedService;

/// How often each followed manager's URI is read.
pub const FOLLOW_INTERVAL: Duration = Duration::from_secs(2);

/// A boxed future, for the object-safe [`FollowWorld`].
pub type Pending<'a, T> = Pin<Box<dyn Future<Output = Result<T>> + Send + 'a>>;

/// What following needs from the rest of the node: chain reads through the chain's
/// adapter, fetching by URI, and the service registry.
pub trait FollowWorld: Send + Sync {
    /// The service URI `manager` on `chain` holds now.
    fn service_uri<'a>(&'a self, chain: &'a str, manager: &'a str) -> Pending<'a, String>;
    /// The manager `handler` on `chain` validates signatures with, as the chain says.
    fn handler_manager<'a>(&'a self, chain: &'a str, handler: &'a str) -> Pending<'a, String>;
    /// The bytes `uri` names, refused above `cap`.
    fn fetch<'a>(&'a self, uri: &'a str, cap: u64) -> Pending<'a, Vec<u8>>;
    /// Deploys (or replaces) a service, fetching its components first.
    fn deploy(&self, manifest: ServiceManifest) -> Pending<'_, ()>;
    /// Whether a manifest's chain name `named` means this node's chain `chain`.
    fn is_chain(&self, chain: &str, named: &str) -> bool;
    /// Whether a service with this id is deployed.
    fn is_deployed(&self, id: &str) -> bool;
}

/// The followed managers, kept in the store.
pub struct Follows {
    store: Arc<Store>,
    world: Arc<dyn FollowWorld>,
    /// Told by the trigger readers when a followed manager's URI changed; told back
    /// when each look completes.
    rounds: Arc<FollowRounds>,
    /// Held while a record is checked and written, never across a chain read or a
    /// fetch: an add or a removal does not wait for a slow source.
    lock: tokio::sync::Mutex<()>,
}

impl Follows {
    pub(crate) fn new(store: Arc<Store>, world: Arc<dyn FollowWorld>, rounds: Arc<FollowRounds>) -> Follows {
        Follows { store, world, rounds, lock: tokio::sync::Mutex::new(()) }
    }

    /// Follows `manager` on `chain`: its current definition runs before this returns,
    /// or nothing is kept and the error says why.
    pub async fn add(&self, chain: &str, manager: &str) -> Result<FollowedService> {
        self.refuse_followed(chain, manager)?;
        let followed = sync::first(&*self.world, chain, manager).await?;
        // Checked again: another add of the same manager may have finished meanwhile.
        let _held = self.lock.lock().await;
        self.refuse_followed(chain, manager)?;
        self.store.put_followed(&followed)?;
        tracing::info!(chain, manager, service = %followed.service, uri = %followed.uri, "following the service this manager defines");
        Ok(followed)
    }

    /// A conflict if `manager` on `chain` is followed already.
    fn refuse_followed(&self, chain: &str, manager: &str) -> Result<()> {
        if self.store.followed()?.iter().any(|f| f.chain == chain && definition::same_address(&f.manager, manager)) {
            return Err(NodeError::Conflict(format!("manager {manager} on {chain} is followed already (GET /followed)")));
        }
        Ok(())
    }

    /// Every followed manager and where it stands.
    pub fn list(&self) -> Result<Vec<FollowedService>> {
        self.store.followed()
    }

    /// Stops following `manager` on `chain`. The service keeps running as it is; remove
    /// it with `DELETE /services/{id}` to stop it.
    pub async fn remove(&self, chain: &str, manager: &str) -> Result<()> {
        let _held = self.lock.lock().await;
        let Some(record) = self.store.followed()?.into_iter().find(|f| f.chain == chain && definition::same_address(&f.manager, manager))
        else {
            return Err(NodeError::NotFound(format!("manager {manager} on {chain} is not followed")));
        };
        self.store.remove_followed(&record.chain, &record.manager)?;
        tracing::info!(chain, manager, service = %record.service, "no longer following this manager; its service keeps running as it is");
        Ok(())
    }

    /// Looks at every followed manager once, keeping what changed.
    pub(crate) async fn look_all(&self) -> Result<()> {
        let round = self.rounds.start();
        let looked = self.look_each().await;
        self.rounds.complete(round);
        looked
    }

    async fn look_each(&self) -> Result<()> {
        for current in self.store.followed()? {
            let (next, log) = match sync::again(&*self.world, &current).await {
                Look::Same(next) => (next, false),
                Look::Switched { from, to } => {
                    tracing::info!(service = %to.service, chain = %to.chain, manager = %to.manager, from = %from, to = %to.uri,
                        digest = %to.definition_digest, "followed service switched to a new definition");
                    (to, false)
                }
                Look::Kept(next) => (next, true),
            };
            // Said once per new reason, not every look.
            if log && (next.error != current.error || next.pending_uri != current.pending_uri) {
                tracing::warn!(service = %next.service, chain = %next.chain, manager = %next.manager, state = ?next.state,
                    "keeping the running definition: {}", next.error.as_deref().unwrap_or(""));
            }
            if next != current {
                // Kept only if the record is as this look found it: one removed (or
                // added again) meanwhile is not brought back.
                let _held = self.lock.lock().await;
                let now = self.store.followed()?.into_iter().find(|f| f.chain == current.chain && f.manager == current.manager);
                if now.as_ref() == Some(&current) {
                    self.store.put_followed(&next)?;
                }
            }
        }
        Ok(())
    }

    /// Looks at every followed manager when a reader saw a URI change, and at least
    /// every [`FOLLOW_INTERVAL`], forever.
    pub(crate) async fn run(self: Arc<Self>) {
        loop {
            tokio::select! {
                _ = tokio::time::sleep(FOLLOW_INTERVAL) => {}
                _ = self.rounds.woken() => {}
            }
            if let Err(e) = self.look_all().await {
                tracing::warn!("following services on chain failed this round: {e}");
            }
        }
    }
}
