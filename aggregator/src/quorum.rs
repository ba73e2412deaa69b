//! Operator sets read from chain, and the quorum they define. Sets are cached briefly
//! so a burst of signatures does not become a burst of RPC calls; the batcher reads a
//! fresh one before every submission (`OperatorSets::fresh`).
//!
//! Weights are summed in `u128` with checked additions: a `u64` sum overflows at
//! 2^63 + 2^63, while the EVM manager sums in `uint256` and would accept such a quorum,
//! so a wider sum keeps it landable, and an overflow is an error, never a panic.

use crate::error::Result;
use parking_lot::Mutex;
use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};
use crate::chain::SubmitChain;
use wavs_runtime::bindings::adapter_api::OperatorSet;

/// How long a read operator set is trusted when counting a new signature.
const TTL: Duration = Duration::from_secs(2);

/// The weights and threshold of one manager, as last read from chain.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Quorum {
    /// Operator id -> weight; operators with weight 0 are left out.
    pub weights: HashMap<String, u64>,
    /// The weight an envelope needs.
    pub threshold: u64,
}

impl Quorum {
    /// The quorum an operator set defines.
    pub fn from_set(set: &OperatorSet) -> Quorum {
        let weights = set.operators.iter().filter(|o| o.weight > 0).map(|o| (o.id.clone(), o.weight)).collect();
        Quorum { weights, threshold: set.threshold }
    }

    /// A quorum from (operator, weight) pairs, for tests and tools.
    pub fn of(weights: &[(&str, u64)], threshold: u64) -> Quorum {
        Quorum { weights: weights.iter().filter(|(_, w)| *w > 0).map(|(o, w)| (o.to_string(), *w)).collect(), threshold }
    }

    /// `operator`'s weight; 0 if it is not an operator.
    pub fn weight(&self, operator: &str) -> u64 {
        self.weights.get(operator).copied().unwrap_or(0)
    }
}

/// The sum of `weights`, or a message saying it overflowed.
pub fn sum_weights(weights: impl IntoIterator<Item = u64>) -> Result<u128, String> {
    weights.into_iter().try_fold(0u128, |sum, w| {
        sum.checked_add(u128::from(w)).ok_or_else(|| "the signers' weights overflow when summed".to_string())
    })
}

/// Cache of (chain, manager) -> the quorum its operator set defines. Shared, not
/// copied: every signature reads it, and rebuilding the weight map per signature was a
/// measurable share of intake.
#[derive(Default)]
pub struct OperatorSets {
    /// chain -> manager -> (read at, quorum): nested so a hit builds no key.
    cache: Mutex<HashMap<String, HashMap<String, (Instant, Arc<Quorum>)>>>,
}

impl OperatorSets {
    /// The quorum of `manager` on `chain`, from cache (at most 2 s old) or chain.
    pub async fn get(&self, chain_name: &str, chain: &dyn SubmitChain, manager: &str) -> Result<Arc<Quorum>> {
        let cached = self.cache.lock().get(chain_name).and_then(|managers| managers.get(manager)).cloned();
        if let Some((at, quorum)) = cached
            && at.elapsed() < TTL
        {
            return Ok(quorum);
        }
        self.fresh(chain_name, chain, manager).await
    }

    /// The quorum of `manager` read from chain now; refreshes the cache.
    pub async fn fresh(&self, chain_name: &str, chain: &dyn SubmitChain, manager: &str) -> Result<Arc<Quorum>> {
        let quorum = Arc::new(Quorum::from_set(&chain.operator_set(manager).await?));
        let mut cache = self.cache.lock();
        cache.entry(chain_name.to_string()).or_default().insert(manager.to_string(), (Instant::now(), quorum.clone()));
        Ok(quorum)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn weights_sum_past_u64_without_overflow_or_panic() {
        let half = 1u64 << 63;
        assert_eq!(sum_weights([half, half]).unwrap(), 1u128 << 64);
        assert_eq!(sum_weights([u64::MAX, u64::MAX, 1]).unwrap(), 2 * u128::from(u64::MAX) + 1);
        assert_eq!(sum_weights([]).unwrap(), 0);
        let q = Quorum::of(&[("a", half), ("b", 0)], 3);
        assert_eq!((q.weight("a"), q.weight("b"), q.weight("c")), (half, 0, 0));
        assert_eq!(q.weights.len(), 1, "weight 0 is no operator");
    }
}
