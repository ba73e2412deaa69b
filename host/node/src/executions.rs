//! What the node records of each component execution (kept in the store, shown by the
//! API) and the counts of executions by outcome since the node started.

use parking_lot::Mutex;
use std::collections::BTreeMap;
pub use wavs_types::execution::{ExecutionRecord, Outcome, ResultRecord, Submission};

/// Executions by outcome kind since the node started.
#[derive(Default)]
pub struct OutcomeCounts {
    counts: Mutex<BTreeMap<String, u64>>,
}

impl OutcomeCounts {
    /// Counts one execution.
    pub fn count(&self, outcome: &Outcome) {
        *self.counts.lock().entry(outcome.kind().to_string()).or_default() += 1;
    }

    /// The counts, by kind.
    pub fn snapshot(&self) -> BTreeMap<String, u64> {
        self.counts.lock().clone()
    }
}
