//! An in-memory chain for the reader's tests: blocks with hashes and contract events,
//! replaced from any height to make a reorg, and an adapter that can be missing or fail.

use super::ChainReader;
use crate::error::{NodeError, Result};
use parking_lot::Mutex;
use std::sync::Arc;
use wavs_runtime::bindings::adapter_api::{BlockInfo, BlockStatus, BlockTag, ChainEvent, EventBody, EventFilter};
use wavs_runtime::bindings::wit_types::{ContractEvent, EventPosition};

struct Block {
    hash: Vec<u8>,
    /// (contract, payload) of each event, in order.
    events: Vec<(String, Vec<u8>)>,
}

#[derive(Default)]
struct Inner {
    blocks: Vec<Block>,
    /// Bumped by every reorg: it is in the hashes of the blocks made since.
    fork: u8,
    no_adapter: bool,
    failing: Option<String>,
    /// The heights `head(safe)` and `head(finalized)` answer; the newest block if unset.
    safe: Option<u64>,
    finalized: Option<u64>,
    /// Heights the chain skipped (no block, never will be), as slots on Solana.
    skipped: std::collections::BTreeSet<u64>,
}

/// A chain in memory; block 0 is genesis.
#[derive(Default)]
pub(crate) struct FakeChain(Mutex<Inner>);

impl FakeChain {
    /// A chain whose head is `height`, without events.
    pub(crate) fn with_height(height: u64) -> Arc<FakeChain> {
        let chain = Arc::new(FakeChain::default());
        for _ in 0..=height {
            chain.mine(&[]);
        }
        chain
    }

    /// A chain whose head is `height`, with `events` (height, contract, payload).
    pub(crate) fn with_events(height: u64, events: &[(u64, &str, &[u8])]) -> Arc<FakeChain> {
        let chain = FakeChain::with_height(height);
        for (at, contract, payload) in events {
            chain.add_event(*at, contract, payload);
        }
        chain
    }

    /// Makes `head(finalized)` answer `height` (and `head(safe)` the same, unless set
    /// higher), as a chain whose finality trails its newest block.
    pub(crate) fn finalize(&self, height: u64) {
        let mut inner = self.0.lock();
        inner.finalized = Some(height);
        inner.safe = Some(inner.safe.unwrap_or(height).max(height));
    }

    /// Marks `height` skipped: `block-hash` answers so and `events` finds nothing there.
    pub(crate) fn skip(&self, height: u64) {
        let mut inner = self.0.lock();
        inner.skipped.insert(height);
        inner.blocks[height as usize].events.clear();
    }

    /// Adds a block with `events` (contract, payload); returns its height.
    pub(crate) fn mine(&self, events: &[(&str, &[u8])]) -> u64 {
        let mut inner = self.0.lock();
        let height = inner.blocks.len() as u64;
        let hash = hash(inner.fork, height);
        inner.blocks.push(Block { hash, events: events.iter().map(|(c, p)| (c.to_string(), p.to_vec())).collect() });
        height
    }

    /// Replaces every block from `from` on with new ones (other hashes, no events), as
    /// many as there were: a reorg of that depth.
    pub(crate) fn reorg(&self, from: u64) {
        let mut inner = self.0.lock();
        inner.fork += 1;
        let fork = inner.fork;
        for height in from..inner.blocks.len() as u64 {
            inner.blocks[height as usize] = Block { hash: hash(fork, height), events: vec![] };
        }
    }

    /// Puts an event into the (already mined) block at `height`.
    pub(crate) fn add_event(&self, height: u64, contract: &str, payload: &[u8]) {
        self.0.lock().blocks[height as usize].events.push((contract.to_string(), payload.to_vec()));
    }

    pub(crate) fn set_adapter(&self, present: bool) {
        self.0.lock().no_adapter = !present;
    }

    pub(crate) fn set_failing(&self, why: Option<&str>) {
        self.0.lock().failing = why.map(str::to_string);
    }

    pub(crate) fn hash_at(&self, height: u64) -> Vec<u8> {
        self.0.lock().blocks[height as usize].hash.clone()
    }

    fn check(&self) -> Result<()> {
        match &self.0.lock().failing {
            Some(why) => Err(NodeError::Unavailable(why.clone())),
            None => Ok(()),
        }
    }
}

fn hash(fork: u8, height: u64) -> Vec<u8> {
    let mut hash = vec![fork; 24];
    hash.extend(height.to_be_bytes());
    hash
}

impl ChainReader for Arc<FakeChain> {
    fn has_adapter(&self) -> bool {
        !self.0.lock().no_adapter
    }

    async fn head(&self, tag: BlockTag) -> Result<BlockInfo> {
        self.check()?;
        let inner = self.0.lock();
        let newest = inner.blocks.len() as u64 - 1;
        let height = match tag {
            BlockTag::Latest => newest,
            BlockTag::Safe => inner.safe.unwrap_or(newest),
            BlockTag::Finalized => inner.finalized.unwrap_or(newest),
        };
        Ok(BlockInfo { height, hash: inner.blocks[height as usize].hash.clone(), time_unix_ms: 0 })
    }

    async fn events(&self, filters: &[EventFilter], from: u64, to: u64) -> Result<Vec<ChainEvent>> {
        self.check()?;
        let inner = self.0.lock();
        let mut out = Vec::new();
        for height in (from..=to).filter(|h| !inner.skipped.contains(h)) {
            let block = &inner.blocks[height as usize];
            let position = |index: u32| EventPosition {
                height,
                block_hash: block.hash.clone(),
                tx_hash: if index == u32::MAX { vec![] } else { vec![inner.fork, height as u8, index as u8] },
                tx_index: 0,
                index: if index == u32::MAX { 0 } else { index },
            };
            for (filter, wanted) in filters.iter().enumerate() {
                let filter = filter as u32;
                match wanted {
                    EventFilter::ContractEvent(f) => {
                        for (index, (contract, payload)) in block.events.iter().enumerate() {
                            if *contract != f.contract {
                                continue;
                            }
                            let event = ContractEvent {
                                contract: contract.clone(),
                                kind: f.event.clone(),
                                topics: vec![],
                                data: payload.clone(),
                                attributes: vec![],
                            };
                            out.push(ChainEvent { filter, position: position(index as u32), body: EventBody::Contract(event) });
                        }
                    }
                    EventFilter::BlockInterval(f) => {
                        if height >= f.start && (height - f.start) % f.every == 0 {
                            out.push(ChainEvent { filter, position: position(u32::MAX), body: EventBody::Block });
                        }
                    }
                    EventFilter::Custom(_) => {}
                }
            }
        }
        Ok(out)
    }

    /// Changes are events of the manager's own contract, as on the EVM.
    async fn service_uri_filter(&self, manager: &str) -> Result<EventFilter> {
        self.check()?;
        let event = "ServiceURIUpdated(string)".to_string();
        Ok(EventFilter::ContractEvent(wavs_runtime::bindings::adapter_api::ContractEventFilter { contract: manager.to_string(), event }))
    }

    async fn block_status(&self, height: u64) -> Result<BlockStatus> {
        self.check()?;
        let inner = self.0.lock();
        Ok(match inner.blocks.get(height as usize) {
            None => BlockStatus::NotYet,
            Some(_) if inner.skipped.contains(&height) => BlockStatus::Skipped,
            Some(b) => BlockStatus::Produced(b.hash.clone()),
        })
    }
}
