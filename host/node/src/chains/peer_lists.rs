//! The managers' peer lists, read through each chain's adapter for p2p discovery
//! (`crate::p2p::PeerLists`).

use super::Chains;
use crate::error::{NodeError, Result};
use crate::p2p::PeerLists;
use std::future::Future;
use std::pin::Pin;

impl PeerLists for Chains {
    fn peer_addresses<'a>(&'a self, chain: &'a str, manager: &'a str) -> Pin<Box<dyn Future<Output = Result<Vec<String>>> + Send + 'a>> {
        Box::pin(async move {
            let (_, served) = self.resolve(chain).ok_or_else(|| NodeError::NotFound(format!("no chain {chain} here to read manager {manager}'s peer addresses from")))?;
            Ok(served.adapter.peer_addresses(manager).await?)
        })
    }
}
