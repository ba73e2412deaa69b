//! The trigger reader on an in-memory chain and a real on-disk store: ranges, cursors and
//! confirmations; reorgs, shallow and deep; a missing adapter and a failing chain.

use super::fake::FakeChain;
use super::{ChainStatuses, JobSink, TriggerReader};
use crate::store::{PendingJob, Store};
use parking_lot::Mutex;
use serde_json::json;
use std::sync::Arc;
use wavs_runtime::bindings::wit_types::TriggerData;
use wavs_types::{ChainSpec, ChainState, ServiceManifest};

/// Keeps what the reader scheduled instead of running it.
#[derive(Default)]
struct Recorder {
    scheduled: Mutex<Vec<PendingJob>>,
    retried: Mutex<u32>,
}

impl JobSink for Recorder {
    fn schedule(self: Arc<Self>, pending: PendingJob) {
        self.scheduled.lock().push(pending);
    }
    fn retry_postponed(self: Arc<Self>) {
        *self.retried.lock() += 1;
    }
}

struct Setup {
    reader: TriggerReader<Arc<FakeChain>>,
    chain: Arc<FakeChain>,
    jobs: Arc<Recorder>,
    _dir: tempfile::TempDir,
}

/// A reader of chain `anvil` for a service whose workflow `trigger` (JSON) listens on it.
fn setup(chain: Arc<FakeChain>, spec: serde_json::Value, trigger: serde_json::Value) -> Setup {
    let dir = tempfile::tempdir().unwrap();
    let manifest: ServiceManifest = serde_json::from_value(json!({
        "id": "svc",
        "components": { "main": { "digest": "00".repeat(32) } },
        "workflows": { "main": { "trigger": trigger, "component": "main", "submit": "none" } },
    }))
    .unwrap();
    let mut spec_json = json!({ "family": "evm", "chain-id": "31337", "rpc-urls": ["http://127.0.0.1:1"] });
    spec_json.as_object_mut().unwrap().extend(spec.as_object().unwrap().clone());
    let spec: ChainSpec = serde_json::from_value(spec_json).unwrap();
    let jobs = Arc::new(Recorder::default());
    let reader = TriggerReader {
        name: "anvil".into(),
        spec,
        chain: chain.clone(),
        store: Arc::new(Store::open(dir.path()).unwrap()),
        deployed: Arc::new(parking_lot::RwLock::new([("svc".to_string(), Arc::new(manifest))].into())),
        status: ChainStatuses::default(),
        jobs: jobs.clone(),
        follow_rounds: Default::default(),
        hold: Default::default(),
    };
    Setup { reader, chain, jobs, _dir: dir }
}

fn listen(contract: &str) -> serde_json::Value {
    json!({ "chain-event": { "chain": "anvil", "contract": contract, "event": "TriggerFired" } })
}

/// Polls until the reader says it has caught up; returns how many polls it took.
async fn catch_up(s: &Setup) -> usize {
    for polls in 1..=100 {
        if s.reader.poll().await.unwrap() {
            return polls;
        }
    }
    panic!("never caught up");
}

/// (height, payload) of every job scheduled so far.
fn scheduled(s: &Setup) -> Vec<(u64, Vec<u8>)> {
    let jobs = s.jobs.scheduled.lock();
    jobs.iter()
        .map(|p| match &p.job.data {
            TriggerData::ChainEvent(t) => (t.position.height, t.event.data.clone()),
            TriggerData::BlockInterval(b) => (b.height, vec![]),
            other => panic!("{other:?}"),
        })
        .collect()
}

/// Heights of the jobs still pending in the store.
fn pending_heights(s: &Setup) -> Vec<u64> {
    let mut heights: Vec<u64> = s
        .reader
        .store
        .pending_jobs()
        .unwrap()
        .iter()
        .map(|p| match &p.job.data {
            TriggerData::ChainEvent(t) => t.position.height,
            other => panic!("{other:?}"),
        })
        .collect();
    heights.sort();
    heights
}

#[tokio::test]
async fn reads_confirmed_blocks_in_ranges_and_moves_the_cursor_past_them() {
    let chain = FakeChain::with_events(10, &[(4, "0xa", b"four"), (6, "0xb", b"not listened to"), (9, "0xa", b"nine")]);
    let s = setup(chain, json!({ "confirmations": 2, "start-height": 1, "max-block-range": 3 }), listen("0xa"));
    // Safe head 8: ranges 1-3, 4-6, 7-8.
    assert_eq!(catch_up(&s).await, 3);
    assert_eq!(scheduled(&s), vec![(4, b"four".to_vec())], "block 9 is not confirmed yet");
    assert_eq!(s.reader.store.cursor("anvil").unwrap(), Some(9));
    let status = s.reader.status.read()["anvil"].clone();
    assert_eq!((status.state, status.head, status.cursor), (ChainState::Active, Some(10), Some(9)));
    // Two more blocks confirm block 9; nothing is read twice.
    s.chain.mine(&[]);
    s.chain.mine(&[("0xa", b"twelve")]);
    catch_up(&s).await;
    assert_eq!(scheduled(&s), vec![(4, b"four".to_vec()), (9, b"nine".to_vec())]);
    assert_eq!(s.reader.store.cursor("anvil").unwrap(), Some(11));
    // The job's event id names the chain as every operator does.
    let key = format!("{:?}", s.jobs.scheduled.lock()[0].job.key);
    assert!(key.contains("evm:31337"), "{key}");
}

#[tokio::test]
async fn with_finality_finalized_triggers_are_read_only_up_to_the_finalized_head() {
    let chain = FakeChain::with_events(12, &[(4, "0xa", b"final"), (9, "0xa", b"not final yet")]);
    chain.finalize(6);
    let s = setup(chain, json!({ "finality": "finalized", "start-height": 1 }), listen("0xa"));
    catch_up(&s).await;
    assert_eq!(scheduled(&s), vec![(4, b"final".to_vec())], "block 9 is above the finalized head");
    assert_eq!(s.reader.store.cursor("anvil").unwrap(), Some(7));
    let status = s.reader.status.read()["anvil"].clone();
    assert_eq!((status.head, status.cursor), (Some(6), Some(7)), "the head shown is the one read up to");
    // New blocks alone change nothing; the chain finalizing them does.
    s.chain.mine(&[("0xa", b"thirteen")]);
    catch_up(&s).await;
    assert_eq!(scheduled(&s).len(), 1);
    s.chain.finalize(13);
    catch_up(&s).await;
    assert_eq!(scheduled(&s), vec![(4, b"final".to_vec()), (9, b"not final yet".to_vec()), (13, b"thirteen".to_vec())]);
    // With the default, the same chain is read up to its newest block.
    let latest = setup(FakeChain::with_events(12, &[(9, "0xa", b"nine")]), json!({ "start-height": 1 }), listen("0xa"));
    latest.chain.finalize(6);
    catch_up(&latest).await;
    assert_eq!(scheduled(&latest), vec![(9, b"nine".to_vec())]);
}

#[tokio::test]
async fn a_first_start_reads_from_the_safe_head_on() {
    let chain = FakeChain::with_events(10, &[(5, "0xa", b"before the node")]);
    let s = setup(chain, json!({ "confirmations": 1 }), listen("0xa"));
    assert!(s.reader.poll().await.unwrap());
    assert_eq!(s.reader.store.cursor("anvil").unwrap(), Some(10), "from the first safe head + 1");
    s.chain.mine(&[("0xa", b"after")]);
    s.chain.mine(&[]);
    catch_up(&s).await;
    assert_eq!(scheduled(&s), vec![(11, b"after".to_vec())]);
}

#[tokio::test]
async fn a_shallow_reorg_drops_the_orphaned_jobs_and_reads_the_new_blocks() {
    let chain = FakeChain::with_events(8, &[(7, "0xa", b"orphaned")]);
    let s = setup(chain, json!({ "start-height": 1, "max-block-range": 3 }), listen("0xa"));
    catch_up(&s).await; // ranges 1-3, 4-6, 7-8: hashes of 3, 6 and 8 remembered
    assert_eq!(pending_heights(&s), vec![7]);
    let old = s.chain.hash_at(8);
    s.chain.reorg(7);
    assert_ne!(s.chain.hash_at(8), old);
    s.chain.add_event(8, "0xa", b"replacement");
    s.chain.mine(&[]);
    assert!(!s.reader.poll().await.unwrap(), "the round that finds a reorg reads nothing");
    assert_eq!(s.reader.store.cursor("anvil").unwrap(), Some(7), "back to the common ancestor, 6");
    assert!(pending_heights(&s).is_empty(), "the orphaned block's job is dropped");
    catch_up(&s).await;
    assert_eq!(scheduled(&s).last(), Some(&(8, b"replacement".to_vec())));
    assert_eq!(pending_heights(&s), vec![8]);
}

#[tokio::test]
async fn a_deep_reorg_walks_back_past_several_ranges() {
    let chain = FakeChain::with_events(9, &[(2, "0xa", b"kept"), (5, "0xa", b"orphaned five"), (8, "0xa", b"orphaned eight")]);
    let s = setup(chain, json!({ "start-height": 1, "max-block-range": 3 }), listen("0xa"));
    catch_up(&s).await; // hashes of 3, 6 and 9 remembered
    assert_eq!(pending_heights(&s), vec![2, 5, 8]);
    s.chain.reorg(5);
    s.chain.add_event(6, "0xa", b"new six");
    assert!(!s.reader.poll().await.unwrap(), "found with no new block: the new branch is as long as the old");
    assert_eq!(s.reader.store.cursor("anvil").unwrap(), Some(4), "9 and 6 changed, 3 did not");
    assert_eq!(pending_heights(&s), vec![2]);
    catch_up(&s).await;
    assert_eq!(pending_heights(&s), vec![2, 6]);
}

#[tokio::test]
async fn skipped_heights_are_stepped_over_even_at_the_end_of_a_range() {
    // Heights 3 and 6 end ranges (max-block-range 3 from 1) and are skipped; 8 too.
    let chain = FakeChain::with_events(10, &[(2, "0xa", b"two"), (5, "0xa", b"five"), (7, "0xa", b"seven")]);
    for height in [3, 6, 8] {
        chain.skip(height);
    }
    let s = setup(chain, json!({ "start-height": 1, "max-block-range": 3 }), listen("0xa"));
    catch_up(&s).await;
    assert_eq!(scheduled(&s), vec![(2, b"two".to_vec()), (5, b"five".to_vec()), (7, b"seven".to_vec())]);
    assert_eq!(s.reader.store.cursor("anvil").unwrap(), Some(11), "the cursor is past the skipped heights");
    // A skipped height stays skipped: no reorg is seen, nothing is read again.
    s.chain.mine(&[("0xa", b"eleven")]);
    catch_up(&s).await;
    assert_eq!(scheduled(&s).len(), 4);
    assert_eq!(scheduled(&s)[3], (11, b"eleven".to_vec()));
}

#[tokio::test]
async fn block_interval_workflows_get_every_nth_block() {
    let chain = FakeChain::with_height(9);
    let trigger = json!({ "block-interval": { "chain": "evm:31337", "every": 3, "start": 2 } });
    let s = setup(chain, json!({ "start-height": 1 }), trigger);
    catch_up(&s).await;
    let heights: Vec<u64> = scheduled(&s).into_iter().map(|(h, _)| h).collect();
    assert_eq!(heights, vec![2, 5, 8], "named by family:chain-id, the chain's own name is not needed");
}

#[tokio::test]
async fn without_an_adapter_it_waits_and_a_failing_chain_is_an_error() {
    let chain = FakeChain::with_height(5);
    let s = setup(chain, json!({}), listen("0xa"));
    s.chain.set_adapter(false);
    assert!(s.reader.poll().await.unwrap());
    assert_eq!(s.reader.status.read()["anvil"].state, ChainState::WaitingForAdapter);
    assert_eq!(s.reader.store.cursor("anvil").unwrap(), None, "nothing read, no cursor");
    s.chain.set_adapter(true);
    s.chain.set_failing(Some("rpc down"));
    let err = s.reader.poll().await.unwrap_err();
    assert!(err.to_string().contains("rpc down") && err.is_retryable(), "{err}");
    s.chain.set_failing(None);
    assert!(s.reader.poll().await.unwrap());
    assert_eq!(s.reader.status.read()["anvil"].state, ChainState::Active);
}

/// A record of following `manager` on `chain`, as `wavs service add` leaves it.
fn following(chain: &str, manager: &str) -> wavs_types::followed::FollowedService {
    wavs_types::followed::FollowedService {
        chain: chain.into(),
        manager: manager.into(),
        service: "svc".into(),
        uri: "ipfs://v1".into(),
        definition_digest: "00".repeat(32),
        state: wavs_types::followed::FollowState::Running,
        error: None,
        pending_uri: None,
        since_ms: 0,
        switched_ms: 0,
        switches: 0,
    }
}

#[tokio::test]
async fn a_followed_managers_uri_change_wakes_following_and_becomes_no_job() {
    use futures_util::FutureExt;
    let chain = FakeChain::with_events(6, &[(2, "0xa", b"trigger"), (4, "0xmanager", b"ipfs://v2"), (5, "0xother", b"ipfs://x")]);
    let s = setup(chain, json!({ "start-height": 1 }), listen("0xa"));
    s.reader.store.put_followed(&following("anvil", "0xmanager")).unwrap();
    // Followed, but on another chain: its events here are not its URI changes.
    s.reader.store.put_followed(&following("wasmd", "0xother")).unwrap();
    catch_up(&s).await;
    assert_eq!(scheduled(&s), vec![(2, b"trigger".to_vec())], "the URI change runs nothing");
    assert!(s.reader.follow_rounds.woken().now_or_never().is_some(), "following is told at once");
    looked(&s);

    // Blocks without a change of a manager followed here wake nothing.
    s.chain.mine(&[("0xother", b"ipfs://y")]);
    catch_up(&s).await;
    assert!(s.reader.follow_rounds.woken().now_or_never().is_none(), "no change of 0xmanager, no look");
    // Nor does a chain that follows no manager ask for URI changes at all.
    let quiet = setup(FakeChain::with_events(3, &[(2, "0xmanager", b"ipfs://v2")]), json!({ "start-height": 1 }), listen("0xa"));
    catch_up(&quiet).await;
    assert!(quiet.reader.follow_rounds.woken().now_or_never().is_none());
}

/// Following completes a look that started after every change seen so far.
fn looked(s: &Setup) {
    let round = s.reader.follow_rounds.start();
    s.reader.follow_rounds.complete(round);
}

#[tokio::test]
async fn triggers_from_a_uri_changes_height_wait_until_following_has_looked_at_it() {
    let events: &[(u64, &str, &[u8])] = &[(2, "0xa", b"before"), (4, "0xmanager", b"ipfs://v2"), (4, "0xa", b"same block"), (5, "0xa", b"after")];
    let s = setup(FakeChain::with_events(6, events), json!({ "start-height": 1 }), listen("0xa"));
    s.reader.store.put_followed(&following("anvil", "0xmanager")).unwrap();
    // A look under way when the change is seen may have read the old URI.
    let running = s.reader.follow_rounds.start();
    catch_up(&s).await;
    assert_eq!(scheduled(&s), vec![(2, b"before".to_vec())], "only what came before the change runs on the old definition");
    assert_eq!(s.reader.store.cursor("anvil").unwrap(), Some(4), "held at the change's height");
    s.reader.follow_rounds.complete(running);
    catch_up(&s).await;
    assert_eq!(scheduled(&s).len(), 1, "still held");

    looked(&s);
    catch_up(&s).await;
    let heights: Vec<u64> = scheduled(&s).iter().map(|(h, _)| *h).collect();
    assert_eq!(heights, vec![2, 4, 5], "the rest is read once following has looked, the change not held again");
}
