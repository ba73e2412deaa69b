//! Service URI changes of the managers this node follows on a chain, read with its
//! triggers: the reader asks for them in the same `events` call, and any it sees wakes
//! following at once (`crate::follow`) instead of leaving it to the next 2 s look, and
//! holds the chain's triggers from its height until following has looked ([`Hold`]).
//! They become no job; a chain whose adapter cannot filter them is still followed by the
//! look, without the hold.

use super::ChainReader;
use crate::follow_rounds::FollowRounds;
use crate::store::Store;
use wavs_runtime::bindings::adapter_api::EventFilter;

/// The URI-change filter of every manager followed on chain `name`, as its adapter
/// states it. A manager whose filter the adapter cannot give is left to the look.
pub(crate) async fn filters<C: ChainReader>(chain: &C, store: &Store, name: &str) -> Vec<EventFilter> {
    let followed = match store.followed() {
        Ok(followed) => followed,
        Err(e) => {
            tracing::warn!(chain = %name, "cannot read the followed managers, leaving their URI changes to the look: {e}");
            return Vec::new();
        }
    };
    let mut filters = Vec::new();
    for manager in followed.iter().filter(|f| f.chain == name).map(|f| &f.manager) {
        match chain.service_uri_filter(manager).await {
            Ok(filter) => filters.push(filter),
            Err(e) => tracing::debug!(chain = %name, %manager, "no URI-change filter, the look alone follows this manager: {e}"),
        }
    }
    filters
}

/// A reader's hold at a followed manager's URI change (`crate::follow_rounds::FollowRounds`):
/// triggers from the change's height on wait until following has looked at the new URI.
#[derive(Debug, Default)]
pub(crate) struct Hold {
    /// (height of the change, the ticket a look must pass) while holding.
    at: Option<(u64, u64)>,
    /// The height of the last change following has looked at: seen again when the
    /// reader reads on from it, it holds nothing.
    passed: Option<u64>,
}

impl Hold {
    /// The height triggers are held from, if still held; a hold a look has passed is
    /// released.
    pub(crate) fn held_from(&mut self, rounds: &FollowRounds) -> Option<u64> {
        let (height, ticket) = self.at?;
        if rounds.looked_since(ticket) {
            self.at = None;
            self.passed = Some(height);
            return None;
        }
        Some(height)
    }

    /// Whether a change at `height` is one following has not looked at yet.
    pub(crate) fn is_new(&self, height: u64) -> bool {
        self.passed.is_none_or(|passed| height > passed)
    }

    /// Holds triggers from `height` on, and wakes following.
    pub(crate) fn hold(&mut self, height: u64, rounds: &FollowRounds) {
        self.at = Some((height, rounds.changed()));
    }
}
