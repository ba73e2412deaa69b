//! The seam between a trigger reader and its chain: the three reads it makes. The
//! node's chains are WASM adapters ([`ChainAdapter`]); the reader's tests use an
//! in-memory chain (`reader/fake.rs`) with the same answers.

use crate::error::Result;
use std::future::Future;
use std::sync::Arc;
use wavs_runtime::ChainAdapter;
use wavs_runtime::bindings::adapter_api::{BlockInfo, BlockStatus, BlockTag, ChainEvent, EventFilter};

/// What a trigger reader asks of a chain.
pub trait ChainReader: Send + Sync + 'static {
    /// Whether an adapter serves the chain now (`false`: it waits for one).
    fn has_adapter(&self) -> bool;
    /// The head for `tag`.
    fn head(&self, tag: BlockTag) -> impl Future<Output = Result<BlockInfo>> + Send;
    /// Events matching `filters` in `from..=to`; each names its filter by index.
    fn events(&self, filters: &[EventFilter], from: u64, to: u64) -> impl Future<Output = Result<Vec<ChainEvent>>> + Send;
    /// What the chain has at `height`: a block's hash, a skipped height, or not yet.
    fn block_status(&self, height: u64) -> impl Future<Output = Result<BlockStatus>> + Send;
    /// The filter of `manager`'s service URI changes (an error if the adapter has none).
    fn service_uri_filter(&self, manager: &str) -> impl Future<Output = Result<EventFilter>> + Send;
}

/// What the reader remembers of a height to notice a reorg: the block's hash, or empty
/// for a height the chain skipped; `None` while the chain has not reached it.
pub(crate) fn seen(status: BlockStatus) -> Option<Vec<u8>> {
    match status {
        BlockStatus::Produced(hash) => Some(hash),
        BlockStatus::Skipped => Some(Vec::new()),
        BlockStatus::NotYet => None,
    }
}

impl ChainReader for Arc<ChainAdapter> {
    fn has_adapter(&self) -> bool {
        ChainAdapter::has_adapter(self.as_ref())
    }

    async fn head(&self, tag: BlockTag) -> Result<BlockInfo> {
        Ok(ChainAdapter::head(self.as_ref(), tag).await?)
    }

    async fn events(&self, filters: &[EventFilter], from: u64, to: u64) -> Result<Vec<ChainEvent>> {
        Ok(ChainAdapter::events(self.as_ref(), filters, from, to).await?)
    }

    async fn block_status(&self, height: u64) -> Result<BlockStatus> {
        Ok(ChainAdapter::block_hash(self.as_ref(), height).await?)
    }

    async fn service_uri_filter(&self, manager: &str) -> Result<EventFilter> {
        Ok(ChainAdapter::service_uri_filter(self.as_ref(), manager).await?)
    }
}
