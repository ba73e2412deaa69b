//! The store after a disk fault: writes fail retryably, no transaction starts while the
//! database is reopened, reopening waits for the last lease and is rate-limited, and
//! what was committed before the fault is all there afterwards. The disk is a real file
//! whose writes fail with ENOSPC while a switch is on (`tests/disk_full.rs` fills a real
//! tmpfs under a real node process).

use super::cell::{DbCell, Hooks, OpenMode};
use super::*;
use redb::backends::FileBackend;
use redb::{DatabaseError, StorageBackend};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

const INTERVAL: Duration = Duration::from_millis(100);

/// A file whose writes fail with "No space left on device" while `full` is set.
#[derive(Debug)]
struct Disk {
    file: FileBackend,
    full: Arc<AtomicBool>,
}

impl Disk {
    fn check(&self) -> std::io::Result<()> {
        match self.full.load(Ordering::SeqCst) {
            true => Err(std::io::Error::from_raw_os_error(28)),
            false => Ok(()),
        }
    }
}

impl StorageBackend for Disk {
    fn len(&self) -> std::io::Result<u64> {
        self.file.len()
    }
    fn read(&self, offset: u64, out: &mut [u8]) -> std::io::Result<()> {
        self.file.read(offset, out)
    }
    fn set_len(&self, len: u64) -> std::io::Result<()> {
        self.check()?;
        self.file.set_len(len)
    }
    fn sync_data(&self) -> std::io::Result<()> {
        self.check()?;
        self.file.sync_data()
    }
    fn write(&self, offset: u64, data: &[u8]) -> std::io::Result<()> {
        self.check()?;
        self.file.write(offset, data)
    }
    fn close(&self) -> std::io::Result<()> {
        self.file.close()
    }
}

/// The switch, how often the file was opened, and what a fatal fault said.
#[derive(Clone, Default)]
struct Probe {
    full: Arc<AtomicBool>,
    opens: Arc<AtomicUsize>,
    fatal: Arc<parking_lot::Mutex<Option<String>>>,
}

impl Probe {
    fn hooks(&self) -> Hooks {
        let (full, opens, fatal) = (self.full.clone(), self.opens.clone(), self.fatal.clone());
        Hooks {
            open: Box::new(move |path, mode| {
                opens.fetch_add(1, Ordering::SeqCst);
                let file = std::fs::OpenOptions::new()
                    .read(true)
                    .write(true)
                    .create(mode == OpenMode::Create)
                    .truncate(false)
                    .open(path)
                    .map_err(DatabaseError::from)?;
                Database::builder().create_with_backend(Disk { file: FileBackend::new(file)?, full: full.clone() })
            }),
            fatal: Box::new(move |message| *fatal.lock() = Some(message.to_string())),
            min_interval: INTERVAL,
        }
    }

    fn set_full(&self, full: bool) {
        self.full.store(full, Ordering::SeqCst);
    }
}

const T: TableDefinition<u64, u64> = TableDefinition::new("t");

fn put(db: &Database, k: u64) -> Result<()> {
    let txn = db.begin_write()?;
    txn.open_table(T)?.insert(k, k)?;
    txn.commit()?;
    Ok(())
}

fn wait_for(what: &str, limit: Duration, mut done: impl FnMut() -> bool) -> Duration {
    let started = Instant::now();
    while !done() {
        assert!(started.elapsed() < limit, "{what}: not within {limit:?}");
        std::thread::sleep(Duration::from_millis(5));
    }
    started.elapsed()
}

#[test]
fn no_transaction_starts_while_reopening_and_reopening_waits_for_the_last_lease() {
    let dir = tempfile::tempdir().unwrap();
    let probe = Probe::default();
    let path = dir.path().join("node.redb");
    let hooks = probe.hooks();
    let db = (hooks.open)(&path, OpenMode::Create).unwrap();
    let cell = Arc::new(DbCell::new(path, db, hooks));
    let _reopener = reopen::Reopener::start(cell.clone()).unwrap();
    cell.with(|db| put(db, 1)).unwrap();

    let held = cell.lease().unwrap();
    probe.set_full(true);
    let e = cell.with(|db| put(db, 2)).unwrap_err();
    assert!(matches!(e, NodeError::StoreIo(_)) && e.is_retryable(), "{e:?}");
    let refused = cell.lease().err().expect("no lease while the database is faulted");
    assert!(refused.is_retryable());
    let reason = cell.fault_reason().expect("the fault is reported");
    assert_eq!(refused.to_string(), format!("store: {reason}"));
    assert_eq!(reason, "node.redb: I/O error (No space left on device (os error 28)); writes fail until the disk accepts them");

    probe.set_full(false);
    std::thread::sleep(INTERVAL * 4);
    assert_eq!(probe.opens.load(Ordering::SeqCst), 1, "not reopened while a lease of the old database is held");
    assert!(cell.fault_reason().is_some());
    drop(held);
    wait_for("reopened once the lease ended", INTERVAL * 20, || cell.fault_reason().is_none());
    assert_eq!(probe.opens.load(Ordering::SeqCst), 2, "one attempt was enough");
    cell.with(|db| put(db, 3)).unwrap();
    let rows = cell.with(|db| Ok(redb::ReadableTableMetadata::len(&db.begin_read()?.open_table(T)?)?)).unwrap();
    assert_eq!(rows, 2, "the committed write is kept, the failed one left nothing");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_full_disk_fails_writes_retryably_and_the_store_recovers_with_all_it_acknowledged() {
    let dir = tempfile::tempdir().unwrap();
    let probe = Probe::default();
    let store = Store::open_with(dir.path(), probe.hooks()).unwrap();
    let manifest = ServiceManifest::from_json(r#"{"id":"s","components":{},"workflows":{}}"#).unwrap();
    store.put_service(&manifest).unwrap();
    let job = |n: u8| crate::job::Job {
        service_id: "s".into(),
        workflow_id: "w".into(),
        data: wavs_runtime::bindings::wit_types::TriggerData::Raw(vec![n]),
        key: crate::job::TriggerKey::Block { chain: "anvil".into(), caip2: "evm:31337".into(), height: n as u64 },
    };
    for n in 0..3 {
        store.enqueue_job(job(n), 0).await.unwrap();
    }
    assert_eq!(store.fault(), None);

    probe.set_full(true);
    let e = store.enqueue_job(job(9), 0).await.unwrap_err();
    assert!(e.is_retryable() && e.to_string().contains("No space left on device"), "{e}");
    let reason = store.fault().expect("the store reports why it cannot write");
    assert!(reason.starts_with("node.redb: I/O error (No space left on device"), "{reason}");
    // Writes through either path, and reads, are refused (retryably) while it lasts.
    assert!(store.set_cursor("anvil", 5).unwrap_err().is_retryable());
    assert!(store.enqueue_job(job(10), 0).await.unwrap_err().is_retryable());
    assert!(store.pending_jobs().unwrap_err().is_retryable());

    // A disk still full is retried, but not more than once per interval.
    let opens = probe.opens.load(Ordering::SeqCst);
    std::thread::sleep(INTERVAL * 10);
    let attempts = probe.opens.load(Ordering::SeqCst) - opens;
    // At least one retry; at most one per interval (a slow disk may allow fewer).
    assert!((1..=11).contains(&attempts), "{attempts} reopen attempts in 10 intervals");
    assert!(store.fault().is_some(), "still unhealthy while the disk is full");

    probe.set_full(false);
    let took = wait_for("healthy once space came back", INTERVAL * 20, || store.fault().is_none());
    eprintln!("recovered {took:?} after space came back");
    assert!(store.services().unwrap() == vec![manifest], "the service is still there");
    let ids: Vec<u64> = store.pending_jobs().unwrap().iter().map(|p| p.id).collect();
    assert_eq!(ids, vec![1, 2, 3], "every acknowledged job is there, none of the refused ones");
    assert_eq!(store.enqueue_job(job(11), 0).await.unwrap().id, 4, "writes work again");
    store.set_cursor("anvil", 5).unwrap();
}

#[test]
fn a_store_file_gone_after_a_fault_is_fatal_and_not_replaced_by_an_empty_one() {
    let dir = tempfile::tempdir().unwrap();
    let probe = Probe::default();
    let store = Store::open_with(dir.path(), probe.hooks()).unwrap();
    store.set_cursor("anvil", 1).unwrap();
    probe.set_full(true);
    assert!(store.set_cursor("anvil", 2).is_err());
    let path = dir.path().join("node.redb");
    std::fs::remove_file(&path).unwrap();
    probe.set_full(false);
    wait_for("the fault is fatal", INTERVAL * 20, || probe.fatal.lock().is_some());
    let message = probe.fatal.lock().clone().unwrap();
    assert!(message.contains("node.redb is gone") && message.contains("Restore it from a backup"), "{message}");
    assert!(!path.exists(), "no empty store was created in its place");
    assert!(store.fault().is_some(), "the store keeps refusing writes until the process ends");
}
