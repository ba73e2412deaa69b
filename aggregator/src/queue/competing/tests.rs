//! Competing digests for one event: listed with their signers, counted in health while
//! open, and gone from the count once one lands.

use super::super::tests::{NOW, key, quorum, sign, target};
use wavs_types::EnvelopeState;

#[test]
fn three_operators_with_three_results_show_three_digests_each_signed_once() {
    let mut q = super::Queue::default();
    for (operator, payload) in [("a", 7), ("b", 8), ("c", 9)] {
        sign(&mut q, "h", 1, payload, operator, &quorum(2));
    }
    sign(&mut q, "h", 2, 7, "a", &quorum(2)); // another event, one result: not competing

    let results = q.event_results(&[1; 20]).expect("signed");
    assert_eq!(results.event_id, format!("0x{}", "01".repeat(20)));
    assert_eq!(results.results.len(), 3);
    let mut signers: Vec<_> = results.results.iter().map(|r| (r.digest.clone(), r.signers[0].operator.clone())).collect();
    signers.sort();
    let digest = |b: u8| format!("0x{}", hex::encode([b; 32]));
    assert_eq!(signers, vec![(digest(7), "a".into()), (digest(8), "b".into()), (digest(9), "c".into())]);
    assert!(results.results.iter().all(|r| r.signers.len() == 1 && r.signers[0].weight == 1 && r.threshold == 2));

    let competing = q.competing();
    assert_eq!(competing.events, 1);
    assert_eq!(competing.recent.len(), 1);
    assert_eq!(competing.recent[0].results.len(), 3);
    assert!(q.event_results(&[3; 20]).is_none());
}

#[test]
fn a_result_that_lands_ends_the_competition() {
    let mut q = super::Queue::default();
    sign(&mut q, "h", 1, 7, "a", &quorum(2));
    sign(&mut q, "h", 1, 8, "b", &quorum(2));
    assert_eq!(q.competing().events, 1);
    assert_eq!(sign(&mut q, "h", 1, 7, "c", &quorum(2)).state, EnvelopeState::Queued);
    let winner = key(&target("h"), 1, 7);
    q.landed(&winner, vec![0xaa; 32], 5, NOW);
    // The losing digest is still open; the event no longer has two open results.
    assert_eq!(q.competing().events, 0);
    let results = q.event_results(&[1; 20]).unwrap();
    assert!(results.results.iter().any(|r| matches!(r.state, EnvelopeState::Landed { .. })), "{results:?}");
}
