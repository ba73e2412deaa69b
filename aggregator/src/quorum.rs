//! Operator sets read from chain, cached briefly so a burst of signatures does not
//! become a burst of RPC calls.

use crate::error::Result;
use parking_lot::Mutex;
use std::collections::HashMap;
use std::time::{Duration, Instant};
use wavs_runtime::ChainAdapter;
use wavs_runtime::bindings::adapter_api::OperatorSet;

/// How long a read operator set is trusted.
const TTL: Duration = Duration::from_secs(2);

/// Cache of (chain, manager) -> operator set.
#[derive(Default)]
pub struct OperatorSets {
    cache: Mutex<HashMap<(String, String), (Instant, OperatorSet)>>,
}

impl OperatorSets {
    /// The operator set of `manager` on `chain`, from cache or chain.
    pub async fn get(&self, chain_name: &str, chain: &ChainAdapter, manager: &str) -> Result<OperatorSet> {
        let key = (chain_name.to_string(), manager.to_string());
        if let Some((at, set)) = self.cache.lock().get(&key) {
            if at.elapsed() < TTL {
                return Ok(set.clone());
            }
        }
        let set = chain.operator_set(manager, None).await?;
        self.cache.lock().insert(key, (Instant::now(), set.clone()));
        Ok(set)
    }
}
