//! Service URI changes of the managers this node follows on a chain, read with its
//! triggers: the reader asks for them in the same `events` call, and any it sees wakes
//! following at once (`crate::follow`) instead of leaving it to the next 2 s look. They
//! become no job; a chain whose adapter cannot filter them is still followed by the look.

use super::ChainReader;
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
