//! Competing results: operators that computed different bytes for one trigger sign
//! different digests, which the queue keeps apart (they never combine), so none may
//! reach the threshold. This makes that visible instead of a silent stall: an index of
//! open entries per (target, event id), a warning when a second digest appears, and the
//! results of an event with their signers.

use super::{Entry, Key, Queue};
use crate::targets::Target;
use std::collections::HashMap;
use wavs_types::aggregator_events::{CompetingResults, EventResults, ResultSigner, SignedResult};
use wavs_types::hex_bytes::encode;

/// How many competing events `/health` lists.
pub const RECENT_COMPETING: usize = 5;

impl Queue {
    /// Counts an open entry in or out of its event's digests (from `charge`).
    pub(super) fn count_digest(&mut self, key: &Key, add: bool) {
        let event = key.event();
        let count = self.open_digests.entry(event.clone()).or_default();
        if add {
            *count += 1;
        } else {
            *count = count.saturating_sub(1);
            if *count == 0 {
                self.open_digests.remove(&event);
            }
        }
    }

    /// Warns when the new entry at `key` is the second digest of its event: once per
    /// event, as a third adds no warning.
    pub(super) fn warn_if_second_digest(&self, key: &Key) {
        if self.open_digests.get(&key.event()) == Some(&2) {
            tracing::warn!(
                event_id = %encode(&key.event_id), target = %key.target,
                "operators signed different results for one event: none lands unless one reaches the threshold \
                 (is the component deterministic? GET /events/{{event-id}} shows who signed what)"
            );
        }
    }

    /// Every result signed for `event_id`, or `None` if there is none.
    pub fn event_results(&self, event_id: &[u8]) -> Option<EventResults> {
        let results: Vec<SignedResult> =
            self.entries.iter().filter(|(k, _)| k.event_id == event_id).map(|(k, e)| signed_result(k, e)).collect();
        (!results.is_empty()).then(|| sorted(event_id, results))
    }

    /// Open events with more than one digest for a target, and the newest few: one pass
    /// over the open entries, however many events compete.
    pub fn competing(&self) -> CompetingResults {
        let mut events: HashMap<(&Target, &[u8]), Vec<SignedResult>> = HashMap::new();
        for (key, entry) in &self.entries {
            let competing = self.open_digests.get(&key.event()).is_some_and(|n| *n > 1);
            if competing && entry.is_open() {
                events.entry((&key.target, &key.event_id)).or_default().push(signed_result(key, entry));
            }
        }
        let count = events.len();
        let mut recent: Vec<(u64, EventResults)> = events
            .into_iter()
            .map(|((_, id), results)| (results.iter().map(|r| r.created_ms).max().unwrap_or(0), sorted(id, results)))
            .collect();
        recent.sort_by(|a, b| b.0.cmp(&a.0).then_with(|| a.1.event_id.cmp(&b.1.event_id)));
        recent.truncate(RECENT_COMPETING);
        CompetingResults { events: count, recent: recent.into_iter().map(|(_, r)| r).collect() }
    }
}

fn signed_result(key: &Key, entry: &Entry) -> SignedResult {
    SignedResult {
        chain: key.target.chain.clone(),
        manager: key.target.manager.clone(),
        handler: key.target.handler.clone(),
        digest: encode(&key.digest),
        state: entry.state.clone(),
        threshold: entry.threshold,
        signers: entry.signatures.iter().map(|(operator, s)| ResultSigner { operator: operator.clone(), weight: s.weight }).collect(),
        created_ms: entry.created_ms,
    }
}

/// The results, most signed weight first (then by digest, so the order is stable).
fn sorted(event_id: &[u8], mut results: Vec<SignedResult>) -> EventResults {
    let weight = |r: &SignedResult| r.signers.iter().map(|s| u128::from(s.weight)).sum::<u128>();
    results.sort_by(|a, b| weight(b).cmp(&weight(a)).then_with(|| a.digest.cmp(&b.digest)));
    EventResults { event_id: encode(event_id), results }
}

#[cfg(test)]
mod tests;
