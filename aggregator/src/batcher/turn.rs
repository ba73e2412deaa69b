//! The batcher's side of taking turns (`crate::turns`): an entry that is not this
//! node's to submit yet goes back to the queue until its turn.

use crate::Aggregator;
use crate::chain::SubmitChain;
use crate::queue::{Entry, Key};
use crate::targets::Target;
use std::time::{Duration, Instant};

impl Aggregator {
    /// Whether `entry` (not handled on chain yet) must wait for another node to submit
    /// it first; if so it is put back until this node's turn.
    pub(super) async fn wait_for_turn(&self, chain: &dyn SubmitChain, target: &Target, key: &Key, entry: &Entry) -> bool {
        let Some(turns) = &self.turns else { return false };
        // The set recheck just read (cached briefly): every node ranks the same operators.
        let quorum = match self.operator_sets.get(&target.chain, chain, &target.manager).await {
            Ok(quorum) => quorum,
            Err(e) => {
                self.retry_later(&[key], &format!("reading the operator set of {}: {e}", target.manager));
                return true;
            }
        };
        let due = turns.due_ms(&target.chain, &target.manager, &quorum, &key.event_id, entry.created_ms);
        let now = crate::now_ms();
        if due <= now {
            return false;
        }
        let wait = Duration::from_millis(due - now);
        let why = format!("another operator's node submits first; this node takes over in {} ms if it has not landed", wait.as_millis());
        self.record(|q| q.wait_turn(key, Instant::now() + wait, why));
        true
    }
}

#[cfg(test)]
mod tests {
    use crate::testing::{HANDLER, Rig, rig_with};
    use crate::turns::rank;
    use wavs_types::EnvelopeState;

    /// A rig taking turns with `delay_ms`, whose own operator is the one ranked `place`
    /// for envelope 1.
    fn node(delay_ms: u64, place: usize) -> Rig {
        let rig = rig_with(100, &format!("[turns]\nfallback-delay-ms = {delay_ms}"));
        let quorum = crate::quorum::Quorum::of(&[("a", 1), ("b", 1), ("c", 1)], 2);
        let me = ["a", "b", "c"].into_iter().find(|op| rank(&quorum, &[1; 32], op) == Some(place)).unwrap();
        rig.agg.turns.as_ref().unwrap().note_own("fake", crate::testing::MANAGER, me);
        rig
    }

    #[tokio::test]
    async fn the_first_ranked_node_submits_at_once_and_the_second_waits_its_turn() {
        let first = node(60_000, 0);
        first.signed(1, &["a", "b"]).await;
        first.agg.submit_now().await.unwrap();
        assert!(matches!(first.state(1).state, EnvelopeState::Landed { .. }));

        let second = node(60_000, 1);
        second.signed(1, &["a", "b"]).await;
        second.agg.submit_now().await.unwrap();
        assert!(second.chain.submits().is_empty(), "not its turn: nothing sent");
        assert_eq!(second.state(1).state, EnvelopeState::Queued, "kept, to take over if the first never lands it");
    }

    #[tokio::test]
    async fn the_second_ranked_takes_over_after_its_delay_but_skips_what_landed_meanwhile() {
        let second = node(5, 1);
        second.signed(1, &["a", "b"]).await;
        second.signed(2, &["a", "b"]).await;
        // Envelope 2 landed through another node; envelope 1 did not (its submitter died).
        second.chain.set(|c| {
            c.handled.insert((HANDLER.to_string(), vec![2; 32]));
        });
        // Past every rank's delay (three operators, 5 ms each).
        tokio::time::sleep(std::time::Duration::from_millis(30)).await;
        second.agg.submit_now().await.unwrap();
        let sent: Vec<Vec<Vec<u8>>> = second.chain.submits().iter().map(|s| s.envelopes.iter().map(|(id, _)| id.clone()).collect()).collect();
        assert_eq!(sent, vec![vec![vec![1u8; 32]]], "only the envelope that had not landed");
        assert!(matches!(second.state(1).state, EnvelopeState::Landed { .. }));
        assert_eq!(second.state(2).state, EnvelopeState::AlreadyHandled);
    }
}
