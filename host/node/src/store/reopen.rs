//! The reopener thread: after a fault it waits for the poisoned database's last lease
//! to end, drops the database (which releases redb's lock on the file) and opens the file
//! again, at most once per `min_interval`, until a write commits. A failure that waiting
//! cannot cure (the file is gone, unreadable, corrupt) ends the process with what to
//! check, instead of leaving a node that can never record anything again.
//!
//! A commit on a full disk can succeed: redb rewrites pages the file already has. So
//! before reopening, a scratch file beside the database must take [`HEADROOM`] bytes;
//! otherwise the node would report healthy, fail the next write that grows the file, and
//! go round again.

use super::META;
use super::cell::{DbCell, OpenMode};
use crate::error::{NodeError, Result};
use redb::{Database, DatabaseError, ReadableTable, StorageError};
use std::io::{ErrorKind, Write};
use std::path::Path;
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// How long the file may stay locked by someone else before that is taken as for good.
const ALREADY_OPEN_LIMIT: Duration = Duration::from_secs(10);
/// Failed attempts between two log lines while the disk stays full.
const LOG_EVERY: u32 = 30;
/// Free bytes the disk must take before the database is reopened.
pub(super) const HEADROOM: usize = 1 << 20;

/// The running reopener; dropping it stops the thread.
pub(super) struct Reopener {
    cell: Arc<DbCell>,
    thread: Option<JoinHandle<()>>,
}

impl Reopener {
    pub(super) fn start(cell: Arc<DbCell>) -> Result<Self> {
        let thread = {
            let cell = cell.clone();
            std::thread::Builder::new()
                .name("wavs-store-reopen".into())
                .spawn(move || run(&cell))
                .map_err(|e| NodeError::store(format!("cannot start the store's reopener thread: {e}")))?
        };
        Ok(Reopener { cell, thread: Some(thread) })
    }
}

impl Drop for Reopener {
    fn drop(&mut self) {
        self.cell.state.lock().closing = true;
        self.cell.wake.notify_all();
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// Why an attempt failed.
enum Failure {
    /// Worth another attempt: the reason `/health` shows meanwhile.
    Transient(String),
    /// Not curable by waiting: what the operator must check.
    Fatal(String),
}

fn run(cell: &DbCell) {
    let mut last_attempt: Option<Instant> = None;
    loop {
        let retired = {
            let mut state = cell.state.lock();
            while state.fault.is_none() && !state.closing {
                cell.wake.wait(&mut state);
            }
            if state.closing {
                return;
            }
            state.retired.take()
        };
        if let Some(db) = retired
            && !release(cell, db)
        {
            return;
        }
        let (mut attempts, mut locked_since) = (0u32, None);
        loop {
            if let Some(last) = last_attempt
                && !pause_until(cell, last + cell.hooks.min_interval)
            {
                return;
            }
            last_attempt = Some(Instant::now());
            attempts += 1;
            match attempt(cell, &mut locked_since) {
                Ok(db) => {
                    install(cell, db, attempts);
                    break;
                }
                Err(Failure::Transient(reason)) => {
                    if attempts == 1 || attempts.is_multiple_of(LOG_EVERY) {
                        tracing::warn!(attempts, "reopening the store failed, trying again: {reason}");
                    }
                    if let Some(fault) = cell.state.lock().fault.as_mut() {
                        fault.reason = reason;
                    }
                }
                Err(Failure::Fatal(message)) => {
                    (cell.hooks.fatal)(&message);
                    return;
                }
            }
        }
    }
}

/// Waits until nothing else holds `db`, then drops it. False if the store is closing.
fn release(cell: &DbCell, mut db: Arc<Database>) -> bool {
    let started = Instant::now();
    let mut warned = false;
    loop {
        match Arc::try_unwrap(db) {
            Ok(db) => {
                // Dropping closes the file and releases redb's lock; the drop's own
                // last write fails on the poisoned database, harmlessly.
                drop(db);
                return true;
            }
            Err(shared) => db = shared,
        }
        if cell.state.lock().closing {
            return false;
        }
        if !warned && started.elapsed() > Duration::from_secs(5) {
            warned = true;
            tracing::warn!("the store waits for a transaction on the failed database to end before reopening it");
        }
        std::thread::sleep(Duration::from_millis(5));
    }
}

/// Sleeps until `deadline`; false if the store started closing meanwhile.
fn pause_until(cell: &DbCell, deadline: Instant) -> bool {
    let mut state = cell.state.lock();
    while !state.closing && Instant::now() < deadline {
        cell.wake.wait_until(&mut state, deadline);
    }
    !state.closing
}

/// Checks the disk has room, opens the file and proves a write commits.
fn attempt(cell: &DbCell, locked_since: &mut Option<Instant>) -> std::result::Result<Database, Failure> {
    room_for(&cell.path, HEADROOM).map_err(|io| io_failure(cell, io))?;
    let db = (cell.hooks.open)(&cell.path, OpenMode::Existing).map_err(|e| open_failure(cell, e, locked_since))?;
    probe(&db).map_err(|e| match e {
        NodeError::StoreIo(message) => Failure::Transient(super::cell::describe(&cell.path, &message)),
        other => Failure::Fatal(unusable(cell, &other.to_string())),
    })?;
    Ok(db)
}

/// Whether the disk of `path` takes `bytes` more: written (incompressible, so a
/// compressing filesystem cannot fake it), synced and removed again.
fn room_for(path: &Path, bytes: usize) -> std::io::Result<()> {
    let scratch = path.with_extension("space-check");
    let written = (|| {
        let mut file = std::fs::File::create(&scratch)?;
        let mut x = 0x9e37_79b9_7f4a_7c15u64;
        let noise: Vec<u8> = (0..bytes)
            .map(|_| {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                x as u8
            })
            .collect();
        file.write_all(&noise)?;
        file.sync_data()
    })();
    let _ = std::fs::remove_file(&scratch);
    written
}

/// A small durable write: what `/health` going back to ok promises.
fn probe(db: &Database) -> Result<()> {
    let txn = db.begin_write()?;
    {
        let mut meta = txn.open_table(META)?;
        let reopened = meta.get("store-reopened")?.map_or(0, |v| v.value());
        meta.insert("store-reopened", reopened + 1)?;
    }
    txn.commit()?;
    Ok(())
}

fn open_failure(cell: &DbCell, e: DatabaseError, locked_since: &mut Option<Instant>) -> Failure {
    let path = cell.path.display();
    match e {
        DatabaseError::DatabaseAlreadyOpen => {
            let since = *locked_since.get_or_insert_with(Instant::now);
            if since.elapsed() < ALREADY_OPEN_LIMIT {
                Failure::Transient(super::cell::describe(&cell.path, "locked while it is reopened"))
            } else {
                Failure::Fatal(format!(
                    "{path} stayed locked for {ALREADY_OPEN_LIMIT:?} after an I/O error: another process has it open. \
                     Stop the other process (only one node may use a data dir), then start this node again"
                ))
            }
        }
        DatabaseError::Storage(StorageError::Io(io)) => io_failure(cell, io),
        DatabaseError::Storage(StorageError::PreviousIo) => {
            Failure::Transient(super::cell::describe(&cell.path, "I/O error while reopening"))
        }
        other => Failure::Fatal(unusable(cell, &other.to_string())),
    }
}

/// An I/O error while reopening: fatal if waiting cannot cure it.
fn io_failure(cell: &DbCell, io: std::io::Error) -> Failure {
    let path = cell.path.display();
    let dir = cell.path.parent().map_or_else(|| ".".into(), |d| d.display().to_string());
    match io.kind() {
        ErrorKind::NotFound => Failure::Fatal(format!(
            "{path} is gone (it vanished after an I/O error); not creating an empty store in its place. \
             Restore it from a backup, or start the node with an empty data dir (it then forgets every \
             service, pending job and unsent envelope)"
        )),
        ErrorKind::PermissionDenied | ErrorKind::ReadOnlyFilesystem => Failure::Fatal(format!(
            "cannot reopen {path} after an I/O error: {io}. Check the permissions and the mount of {dir} \
             (a filesystem remounted read-only after disk errors: see dmesg), then start the node again"
        )),
        _ => Failure::Transient(super::cell::describe(&cell.path, &format!("I/O error ({io})"))),
    }
}

fn unusable(cell: &DbCell, why: &str) -> String {
    format!(
        "{} cannot be reopened after an I/O error: {why}. Check the disk (dmesg, df, smartctl), then start the node \
         again; if the file is damaged, restore it from a backup",
        cell.path.display()
    )
}

/// Makes `db` the current database: leases are handed out again.
fn install(cell: &DbCell, db: Database, attempts: u32) {
    let mut state = cell.state.lock();
    let down = state.fault.take().map_or(Duration::ZERO, |f| f.since.elapsed());
    state.db = Some(Arc::new(db));
    state.generation += 1;
    tracing::info!(
        down_ms = down.as_millis() as u64,
        attempts,
        "{} reopened after an I/O error; writes are accepted again",
        cell.path.display()
    );
}
