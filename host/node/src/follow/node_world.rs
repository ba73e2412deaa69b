//! [`FollowWorld`] on a running node: chain reads through each chain's adapter, fetching
//! through the node's sources, deploys through the service registry.

use super::{FollowWorld, Pending};
use crate::chains::Chains;
use crate::error::NodeError;
use crate::fetch::{Fetcher, Origin};
use crate::services::Services;
use std::sync::Arc;
use wavs_types::ServiceManifest;

/// The node's chains, sources and service registry, as following uses them.
pub struct NodeWorld {
    pub(crate) chains: Arc<Chains>,
    pub(crate) services: Arc<Services>,
    pub(crate) fetcher: Arc<Fetcher>,
}

impl NodeWorld {
    fn chain(&self, chain: &str) -> Result<Arc<crate::chains::Chain>, NodeError> {
        self.chains.get(chain).ok_or_else(|| NodeError::NotFound(format!("no chain {chain:?} on this node")))
    }
}

impl FollowWorld for NodeWorld {
    fn service_uri<'a>(&'a self, chain: &'a str, manager: &'a str) -> Pending<'a, String> {
        Box::pin(async move { Ok(self.chain(chain)?.adapter.service_uri(manager).await?) })
    }

    fn handler_manager<'a>(&'a self, chain: &'a str, handler: &'a str) -> Pending<'a, String> {
        Box::pin(async move { Ok(self.chain(chain)?.adapter.handler_info(handler).await?.manager) })
    }

    fn fetch<'a>(&'a self, uri: &'a str, cap: u64) -> Pending<'a, Vec<u8>> {
        Box::pin(async move { self.fetcher.fetch_bytes(uri, cap, Origin::Chain).await })
    }

    fn deploy(&self, manifest: ServiceManifest) -> Pending<'_, ()> {
        Box::pin(async move {
            // As `POST /services` does, with the sources held to what a chain may name.
            self.services.deploy_fetching(&self.fetcher, manifest, Origin::Chain).await
        })
    }

    fn is_chain(&self, chain: &str, named: &str) -> bool {
        self.chains.resolve(named).is_some_and(|(name, _)| name == chain)
    }

    fn is_deployed(&self, id: &str) -> bool {
        self.services.get(id).is_some()
    }
}
