//! The seam between a trigger reader and its chain: the three reads it makes. The
//! node's chains are WASM adapters ([`ChainAdapter`]); the reader's tests use an
//! in-memory chain (`reader/fake.rs`) with the same answers.

use crate::error::Result;
use std::future::Future;
use std::sync::Arc;
use wavs_runtime::ChainAdapter;
use wavs_runtime::bindings::adapter_api::{BlockInfo, BlockTag, ChainEvent, EventFilter};

/// What a trigger reader asks of a chain.
pub trait ChainReader: Send + Sync + 'static {
    /// Whether an adapter serves the chain now (`false`: it waits for one).
    fn has_adapter(&self) -> bool;
    /// The head for `tag`.
    fn head(&self, tag: BlockTag) -> impl Future<Output = Result<BlockInfo>> + Send;
    /// Events matching `filters` in `from..=to`; each names its filter by index.
    fn events(&self, filters: &[EventFilter], from: u64, to: u64) -> impl Future<Output = Result<Vec<ChainEvent>>> + Send;
    /// The hash of the block at `height`; `None` if there is none (yet).
    fn block_hash(&self, height: u64) -> impl Future<Output = Result<Option<Vec<u8>>>> + Send;
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

    async fn block_hash(&self, height: u64) -> Result<Option<Vec<u8>>> {
        Ok(ChainAdapter::block_hash(self.as_ref(), height).await?)
    }
}
