//! Intake never waits on a transaction: while the batcher's submission waits for its
//! transaction to be mined (anvil's automine turned off, so it waits until the test
//! mines), signatures for another envelope are verified and counted. Before intake had
//! reading adapter instances of its own, each of them waited for the submitting
//! instance, which `submit` holds until inclusion. Then the block is mined and the
//! first envelope lands. No timing is asserted: only that the counting finished while
//! the submission was still waiting.

mod common;

use common::{Api, envelope, signed};
use wavs_aggregator::Aggregator;
use wavs_aggregator::config::AggregatorConfig;
use wavs_types::EnvelopeState;

#[tokio::test(flavor = "multi_thread")]
async fn signatures_are_counted_while_a_submission_waits_for_its_block() {
    let common::TwoOperators { dir, chain, service, manager: m, handler: h } = common::two_operators().await;
    let text = chain.config(&dir.path().join("agg"), "batch-interval-ms = 3600000", "", &[&service]);
    let handle = Aggregator::start(AggregatorConfig::parse(&text).unwrap()).await.unwrap();
    let agg = handle.aggregator.clone();
    let api = Api::new(format!("http://{}", handle.addr));

    let first = envelope(1, b"first".to_vec());
    for key in [2, 3] {
        api.accept(&signed(&chain, &m, &h, &first, key).await).await;
    }
    // Sign the second envelope now: signing asks the chain for the digest too.
    let second = envelope(2, b"second".to_vec());
    let (a, b) = (signed(&chain, &m, &h, &second, 2).await, signed(&chain, &m, &h, &second, 3).await);

    chain.anvil.set_automine(false).await.unwrap();
    let submitting = tokio::spawn({
        let agg = agg.clone();
        async move { agg.submit_now().await }
    });
    // Until the transaction is in the pool, the submission has not reached its wait.
    while chain.anvil.pending_transactions().await.unwrap() == 0 {
        assert!(!submitting.is_finished(), "the submission ended before its transaction was sent: {:?}", submitting.await);
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }

    // Both signatures of the second envelope are verified and counted meanwhile.
    assert!(matches!(api.accept(&a).await.state, EnvelopeState::Pending { signed_weight: 1, .. }));
    assert_eq!(api.accept(&b).await.state, EnvelopeState::Queued);
    assert!(!submitting.is_finished(), "counted while the submission still waited for its block");

    chain.anvil.mine().await.unwrap();
    chain.anvil.set_automine(true).await.unwrap();
    submitting.await.unwrap().unwrap();
    let status = api.status(&first.event_id, &h).await.unwrap();
    assert!(matches!(status.state, EnvelopeState::Landed { .. }), "{status:?}");
    agg.submit_now().await.unwrap();
    let status = api.status(&second.event_id, &h).await.unwrap();
    assert!(matches!(status.state, EnvelopeState::Landed { .. }), "{status:?}");
}
