//! Calls on the optional `peers` export: publishing this operator's p2p address at a
//! service's manager, and reading the addresses its operators published. An adapter without
//! the export answers `unsupported`, saying so.

use super::ChainAdapter;
use crate::bindings::adapter_api::AdapterError;
// The `call!` macro names these.
use crate::error::{Result, RuntimeError};
use crate::state::HostState;

impl ChainAdapter {
    /// Publishes `address` at `manager` as the p2p address of the operator whose account is
    /// this chain's signer, which sends and pays the transaction: the adapter must have been
    /// given a signer that signs.
    pub async fn announce_peer(&self, manager: &str, address: &str) -> Result<()> {
        call!(self, "announce-peer", export: peers |x, s, c| async move {
            match x {
                Some(x) => x.call_announce_peer(s, c, manager, address).await,
                None => Ok(Err(no_peers())),
            }
        })
    }

    /// The p2p addresses `manager`'s operators with weight published: untrusted text.
    pub async fn peer_addresses(&self, manager: &str) -> Result<Vec<String>> {
        call!(self, "peer-addresses", export: peers |x, s, c| async move {
            match x {
                Some(x) => x.call_peer_addresses(s, c, manager).await,
                None => Ok(Err(no_peers())),
            }
        })
    }
}

fn no_peers() -> AdapterError {
    AdapterError::Unsupported(
        "this adapter exports no peers interface (operators' p2p addresses at a manager): rebuild it \
         against wit/adapter with the chain-adapter-with-peers world, or list the peers in [p2p] peers"
            .into(),
    )
}
