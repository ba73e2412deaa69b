//! Whose turn it is to submit, when every operator's node aggregates (`[turns]`).
//!
//! Each node hears every signature (over gossip) and could submit every envelope; to pay
//! gas once in the normal case they take turns, by a rule every node computes alike from
//! what they all have: the operators of the target's manager, ranked per envelope by
//! sha256(event id || operator id). The first ranked submits as soon as the quorum is
//! there; the k-th only k × `fallback-delay-ms` after the envelope's first signature, and
//! only if the handler still says it is not handled (the batcher asks `is-handled` before
//! every submission). So when the first is down, the next takes over after one delay,
//! and a double submission (two nodes both late) lands nothing twice: the handler skips
//! event ids it has handled.
//!
//! A node knows which operator it is at each manager from its own signatures
//! ([`Turns::note_own`]): the chain's adapter names the operator a signature proves, so
//! no chain's address format is known here. Until it knows, it waits as the last ranked.
//! It is learned per manager, not per chain: with per-service keys a node signs each
//! service (each manager) with another key, so it is another operator id at each.

use crate::quorum::Quorum;
use parking_lot::Mutex;
use serde::Deserialize;
use sha2::{Digest, Sha256};
use std::collections::HashMap;

/// The `[turns]` section: present when this aggregator is one of many (in every node).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct TurnsConfig {
    /// Milliseconds each rank waits after the one before it.
    #[serde(default = "default_fallback_delay")]
    pub fallback_delay_ms: u64,
}

fn default_fallback_delay() -> u64 {
    10_000
}

/// The turn rule and which operator this node is, per chain.
pub struct Turns {
    delay_ms: u64,
    /// (chain name, manager) -> the operator id this node signs as there.
    own: Mutex<HashMap<(String, String), String>>,
}

impl Turns {
    /// Turns with `config`'s delay; no chain's operator known yet.
    pub fn new(config: &TurnsConfig) -> Turns {
        Turns { delay_ms: config.fallback_delay_ms, own: Mutex::default() }
    }

    /// Records that this node signs as `operator` for `manager` on `chain`.
    pub fn note_own(&self, chain: &str, manager: &str, operator: &str) {
        let mut own = self.own.lock();
        let key = (chain.to_string(), manager.to_string());
        if own.get(&key).map(String::as_str) != Some(operator) {
            tracing::info!(%chain, %manager, %operator, "this node submits in turn as this operator");
            own.insert(key, operator.to_string());
        }
    }

    /// Whether this node's operator for `manager` on `chain` is known yet.
    pub fn knows(&self, chain: &str, manager: &str) -> bool {
        self.own.lock().contains_key(&(chain.to_string(), manager.to_string()))
    }

    /// When (ms since the Unix epoch) this node may submit `event_id` for `manager` on
    /// `chain`, whose first signature was counted at `created_ms`.
    pub fn due_ms(&self, chain: &str, manager: &str, quorum: &Quorum, event_id: &[u8], created_ms: u64) -> u64 {
        let own = self.own.lock().get(&(chain.to_string(), manager.to_string())).cloned();
        let rank = own.and_then(|me| rank(quorum, event_id, &me)).unwrap_or(quorum.weights.len());
        created_ms.saturating_add(self.delay_ms.saturating_mul(rank as u64))
    }
}

/// `operator`'s place (0 = first) among `quorum`'s operators for `event_id`; none if it
/// is not one of them.
pub fn rank(quorum: &Quorum, event_id: &[u8], operator: &str) -> Option<usize> {
    quorum.weights.contains_key(operator).then(|| {
        let mine = score(event_id, operator);
        quorum.weights.keys().filter(|other| (score(event_id, other), other.as_str()) < (mine, operator)).count()
    })
}

fn score(event_id: &[u8], operator: &str) -> [u8; 32] {
    let mut hash = Sha256::new();
    hash.update(event_id);
    hash.update(operator.as_bytes());
    hash.finalize().into()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn quorum() -> Quorum {
        Quorum::of(&[("0xaa", 1), ("0xbb", 1), ("0xcc", 1)], 2)
    }

    #[test]
    fn every_operator_gets_a_distinct_rank_and_all_agree() {
        for id in 0u32..50 {
            let event = id.to_be_bytes();
            let mut ranks: Vec<usize> = ["0xaa", "0xbb", "0xcc"].iter().map(|op| rank(&quorum(), &event, op).unwrap()).collect();
            ranks.sort();
            assert_eq!(ranks, vec![0, 1, 2], "event {id}");
        }
    }

    #[test]
    fn the_first_rank_moves_between_operators_across_events() {
        let firsts: std::collections::HashSet<String> = (0u32..50)
            .map(|id| ["0xaa", "0xbb", "0xcc"].into_iter().find(|op| rank(&quorum(), &id.to_be_bytes(), op) == Some(0)).unwrap().to_string())
            .collect();
        assert_eq!(firsts.len(), 3, "each operator submits some envelopes first");
    }

    #[test]
    fn the_kth_rank_waits_k_delays_and_an_unknown_node_waits_last() {
        let turns = Turns::new(&TurnsConfig { fallback_delay_ms: 1000 });
        let event = b"event".to_vec();
        assert_eq!(turns.due_ms("evm", "0xm1", &quorum(), &event, 5000), 5000 + 3 * 1000, "own operator unknown: after everyone");
        let second = ["0xaa", "0xbb", "0xcc"].into_iter().find(|op| rank(&quorum(), &event, op) == Some(1)).unwrap();
        turns.note_own("evm", "0xm1", second);
        assert_eq!(turns.due_ms("evm", "0xm1", &quorum(), &event, 5000), 6000);
        // Another service's manager: this node signs there with another key, not known yet.
        assert_eq!(turns.due_ms("evm", "0xm2", &quorum(), &event, 5000), 8000, "another manager: its own operator id");
        turns.note_own("evm", "0xm1", "0xdd");
        assert_eq!(turns.due_ms("evm", "0xm1", &quorum(), &event, 5000), 8000, "not an operator (any more): after everyone");
    }
}
