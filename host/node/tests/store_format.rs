//! The store's format across releases. `tests/fixtures/store-v1/` is a data dir written
//! by this release (format `SCHEMA_VERSION` 1): every kind of value the node keeps —
//! a service, a cursor and block hash, a pending chain-event job and a postponed one,
//! an execution with its signed envelope in the outbox, a paused service, a chain added
//! at runtime, a component. A later release must open it and read every value back as
//! written; a change to a stored type that breaks this needs a new format version and
//! a migration. `WAVS_WRITE_STORE_FIXTURE=1` rewrites the fixture (only when the format
//! version changes, keeping the old one beside it).

use redb::ReadableDatabase;
use std::path::{Path, PathBuf};
use wavs_node::executions::{ExecutionRecord, Outcome, ResultRecord, Submission};
use wavs_node::job::{Job, TriggerKey};
use wavs_node::store::{OutboxState, SCHEMA_VERSION, Store};
use wavs_runtime::bindings::wit_types::{Attribute, ChainEventTrigger, ContractEvent, EventPosition, TriggerData};
use wavs_types::{ChainSpec, EnvelopeState, EnvelopeStatus, ServiceManifest, SignedSubmission, WireEnvelope};

const DIGEST: &str = "ab00000000000000000000000000000000000000000000000000000000000001";

fn fixture() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/store-v1")
}

fn manifest() -> ServiceManifest {
    ServiceManifest::from_json(&format!(
        r#"{{ "id": "svc", "components": {{ "c": {{ "digest": "{DIGEST}", "config": {{ "k": "v" }} }} }},
             "workflows": {{ "w": {{ "trigger": {{ "chain-event": {{ "chain": "anvil", "contract": "0xab", "event": "Fired(bytes)" }} }},
               "component": "c", "submit": {{ "aggregator": {{ "chain": "anvil", "handler": "0x02", "manager": "0x03" }} }} }} }} }}"#
    ))
    .unwrap()
}

fn chain_job(height: u64) -> Job {
    let data = TriggerData::ChainEvent(ChainEventTrigger {
        chain: "anvil".into(),
        event: ContractEvent {
            contract: "0xab".into(),
            kind: "0x01".into(),
            topics: vec![vec![1; 32]],
            data: vec![2, 3],
            attributes: vec![Attribute { key: "k".into(), value: "v".into() }],
        },
        position: EventPosition { height, block_hash: vec![4; 32], tx_hash: vec![5; 32], tx_index: 1, index: 2 },
    });
    let key = TriggerKey::ChainEvent { chain: "anvil".into(), caip2: "evm:31337".into(), height, tx_hash: vec![5; 32], index: 2 };
    Job { service_id: "svc".into(), workflow_id: "w".into(), data, key }
}

fn signed() -> SignedSubmission {
    SignedSubmission {
        service_id: "svc".into(),
        workflow_id: "w".into(),
        chain: "anvil".into(),
        handler: "0x02".into(),
        manager: "0x03".into(),
        envelope: WireEnvelope { event_id: vec![6; 20], ordering: vec![0; 12], payload: vec![42] },
        signature: vec![7; 65],
        scheme: Default::default(),
        public_key: vec![],
    }
}

fn landed() -> EnvelopeStatus {
    EnvelopeStatus { event_id: vec![6; 20], state: EnvelopeState::Landed { tx_hash: vec![8; 32], height: 12 }, detail: "landed".into() }
}

fn added_chain() -> ChainSpec {
    serde_json::from_str(r#"{ "family": "evm", "chain-id": "1337", "rpc-urls": ["http://127.0.0.1:9545"] }"#).unwrap()
}

/// Writes every kind of value into a new store at `dir`.
async fn write(dir: &Path) {
    let store = Store::open(dir).unwrap();
    store.put_service(&manifest()).unwrap();
    store.put_component(DIGEST, b"\0asm component bytes").unwrap();
    store.put_added_chain("extra", &added_chain()).unwrap();
    store.set_paused("svc", Some(1_700_000_000_000)).unwrap();
    // Read up to block 10 of anvil: one job pending, the cursor at 11.
    store.enqueue_jobs("anvil", vec![chain_job(9)], 10, &[9; 32]).await.unwrap();
    let postponed = store.enqueue_job(chain_job(8), 0).await.unwrap();
    store
        .postpone_job(&wavs_node::store::PendingJob { attempts: 3, not_before_ms: 5, last_error: Some("rpc down".into()), ..postponed })
        .unwrap();
    let record = ExecutionRecord {
        seq: 0,
        service_id: "svc".into(),
        workflow_id: "w".into(),
        trigger: "event on anvil at height 7".into(),
        outcome: Outcome::Ok,
        fuel_used: 1234,
        elapsed_ms: 5,
        retries: 1,
        results: vec![ResultRecord { event_id: vec![6; 20], payload: vec![42], submission: Submission::Signed { attempts: 0, last_error: None } }],
    };
    store.finish_job(None, record, vec![signed()]).await.unwrap();
    store.settle_outbox(&[6; 20], OutboxState::Acked { status: landed(), checks: 2, not_before_ms: 0 }).await.unwrap();
}

/// Reads every value `write` wrote back from the store at `dir`.
fn check(dir: &Path) {
    let store = Store::open(dir).unwrap_or_else(|e| panic!("a store of format {SCHEMA_VERSION} must open: {e}"));
    assert_eq!(store.services().unwrap(), vec![manifest()]);
    assert_eq!(store.component(DIGEST).unwrap(), b"\0asm component bytes");
    assert_eq!(store.added_chains().unwrap().get("extra"), Some(&added_chain()));
    assert_eq!(store.paused_services().unwrap().get("svc"), Some(&1_700_000_000_000));
    assert_eq!(store.cursor("anvil").unwrap(), Some(11));
    assert_eq!(store.block_hash("anvil", 10).unwrap(), Some(vec![9; 32]));

    let jobs = store.pending_jobs().unwrap();
    assert_eq!(jobs.len(), 2, "{jobs:?}");
    for (pending, height) in jobs.iter().zip([9, 8]) {
        let expected = chain_job(height);
        assert_eq!(pending.job.key, expected.key);
        assert_eq!(format!("{:?}", pending.job.data), format!("{:?}", expected.data), "trigger data read back as written");
    }
    assert_eq!((jobs[1].attempts, jobs[1].not_before_ms, jobs[1].last_error.as_deref()), (3, 5, Some("rpc down")));

    let records = store.recent_executions(None, 10).unwrap();
    assert_eq!(records.len(), 1);
    assert_eq!((records[0].fuel_used, records[0].retries, records[0].results[0].payload.clone()), (1234, 1, vec![42]));
    match &records[0].results[0].submission {
        Submission::Sent { aggregator } => assert_eq!(aggregator, &landed(), "the outbox's state, joined in"),
        other => panic!("{other:?}"),
    }
    assert_eq!(store.signed_envelope(&[6; 20]).unwrap(), Some(signed()));
    assert!(store.due_outbox(u64::MAX).unwrap().is_empty(), "a landed envelope is not sent again");
}

/// A copy of the fixture to open (opening may write).
fn copy_of_fixture() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    copy_dir(&fixture(), dir.path());
    dir
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap_or_else(|e| panic!("{}: {e}", from.display())) {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

#[tokio::test]
async fn a_store_written_by_the_format_1_release_opens_with_every_value() {
    if std::env::var_os("WAVS_WRITE_STORE_FIXTURE").is_some() {
        let _ = std::fs::remove_dir_all(fixture());
        write(&fixture()).await;
    }
    let dir = copy_of_fixture();
    check(dir.path());
}

#[tokio::test]
async fn what_this_release_writes_reads_back() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path()).await;
    check(dir.path());
}

#[tokio::test]
async fn a_store_of_a_newer_format_is_refused_and_left_as_it_is() {
    let dir = copy_of_fixture();
    let newer = SCHEMA_VERSION + 1;
    {
        let db = redb::Database::open(dir.path().join("node.redb")).unwrap();
        let txn = db.begin_write().unwrap();
        txn.open_table(redb::TableDefinition::<&str, u64>::new("meta")).unwrap().insert("schema-version", newer).unwrap();
        txn.commit().unwrap();
    }
    let error = Store::open(dir.path()).err().expect("refused").to_string();
    assert!(error.contains(&format!("format {newer}")) && error.contains("newer WAVS release"), "{error}");
    let db = redb::Database::open(dir.path().join("node.redb")).unwrap();
    let txn = db.begin_read().unwrap();
    let meta = txn.open_table(redb::TableDefinition::<&str, u64>::new("meta")).unwrap();
    assert_eq!(meta.get("schema-version").unwrap().map(|v| v.value()), Some(newer), "not overwritten");
}
