//! The store's current database, and what happens when its disk fails.
//!
//! redb poisons a `Database` after any I/O error: every later transaction fails with
//! `PreviousIo` until the database is dropped and opened again. So the store never keeps
//! a `Database` for long: each read, write or commit group leases the current one from
//! this cell, and an I/O error reported by a lease marks the cell faulted. A faulted cell
//! hands out no more leases (no new transaction starts), and the reopener thread
//! (`reopen.rs`) waits for the outstanding leases to end, drops the poisoned database
//! and opens the file again. Meanwhile `/health` shows the fault.

use crate::error::{NodeError, Result};
use parking_lot::{Condvar, Mutex};
use redb::{Database, DatabaseError};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Opens the database file: `create` only at start-up, so a file that vanished later is
/// not silently replaced by an empty store.
pub(super) type Opener = Box<dyn Fn(&Path, OpenMode) -> std::result::Result<Database, DatabaseError> + Send + Sync>;

/// How the database file is opened.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum OpenMode {
    /// At start-up: an absent file becomes a new, empty database.
    Create,
    /// After a fault: the file must exist.
    Existing,
}

/// How the cell opens the file and gives up; tests replace these.
pub(super) struct Hooks {
    pub(super) open: Opener,
    /// Called once when reopening fails for good, with what to check.
    pub(super) fatal: Box<dyn Fn(&str) + Send + Sync>,
    /// Least time between two reopen attempts, so a disk still full is not thrashed.
    pub(super) min_interval: Duration,
}

impl Hooks {
    /// The node's: redb's own file opening, and exiting the process on a fatal fault.
    pub(super) fn production() -> Self {
        Hooks {
            open: Box::new(|path, mode| match mode {
                OpenMode::Create => Database::create(path),
                OpenMode::Existing => Database::open(path),
            }),
            fatal: Box::new(|message| {
                tracing::error!("{message}");
                // Logs are written by a background thread that exiting does not wait for;
                // stderr directly is where an operator (or systemd) finds the reason.
                eprintln!("error: {message}");
                std::process::exit(1);
            }),
            min_interval: Duration::from_secs(1),
        }
    }
}

/// The current database, or why there is none.
pub(super) struct DbCell {
    pub(super) path: PathBuf,
    pub(super) hooks: Hooks,
    pub(super) state: Mutex<State>,
    /// Wakes the reopener: a fault was reported, or the store is closing.
    pub(super) wake: Condvar,
}

pub(super) struct State {
    /// The database leases are taken from; `None` while faulted.
    pub(super) db: Option<Arc<Database>>,
    /// Counts databases opened, so a fault reported by a lease of an earlier one is
    /// not taken for a fault of the current one.
    pub(super) generation: u64,
    pub(super) fault: Option<Fault>,
    /// The poisoned database, handed to the reopener to wait out its leases.
    pub(super) retired: Option<Arc<Database>>,
    /// The store is being dropped: the reopener stops.
    pub(super) closing: bool,
}

/// Why the store refuses transactions, since when.
#[derive(Debug, Clone)]
pub(super) struct Fault {
    pub(super) reason: String,
    pub(super) since: Instant,
}

/// One use of the current database. Holding it keeps the database from being reopened,
/// so it lives only as long as one read, one write or one commit group.
pub(super) struct Lease {
    pub(super) db: Arc<Database>,
    generation: u64,
}

impl std::ops::Deref for Lease {
    type Target = Database;
    fn deref(&self) -> &Database {
        &self.db
    }
}

impl DbCell {
    pub(super) fn new(path: PathBuf, db: Database, hooks: Hooks) -> Self {
        let state = State { db: Some(Arc::new(db)), generation: 1, fault: None, retired: None, closing: false };
        DbCell { path, hooks, state: Mutex::new(state), wake: Condvar::new() }
    }

    /// The current database, or the (retryable) reason there is none right now.
    pub(super) fn lease(&self) -> Result<Lease> {
        let state = self.state.lock();
        match (&state.db, &state.fault) {
            (Some(db), None) => Ok(Lease { db: db.clone(), generation: state.generation }),
            (_, Some(fault)) => Err(NodeError::store(fault.reason.clone())),
            (None, None) => Err(NodeError::store("the store is closing")),
        }
    }

    /// Runs `f` on a lease of the current database; an I/O error it returns faults the
    /// cell, so the database is reopened.
    pub(super) fn with<T>(&self, f: impl FnOnce(&Database) -> Result<T>) -> Result<T> {
        let lease = self.lease()?;
        let result = f(&lease);
        if let Err(e) = &result {
            self.check(&lease, e);
        }
        result
    }

    /// Faults the cell if `e`, met on `lease`, is an I/O error.
    pub(super) fn check(&self, lease: &Lease, e: &NodeError) {
        if let NodeError::StoreIo(message) = e {
            self.fault(lease.generation, message);
        }
    }

    /// Marks the database of `generation` poisoned: no lease is handed out until the
    /// reopener has opened the file again.
    fn fault(&self, generation: u64, message: &str) {
        let mut state = self.state.lock();
        if state.generation != generation || state.fault.is_some() {
            return; // an earlier database's, or already known
        }
        let reason = describe(&self.path, message);
        tracing::error!(
            "{reason}; the store refuses new transactions and reopens the database (at most once every {:?})",
            self.hooks.min_interval
        );
        state.fault = Some(Fault { reason, since: Instant::now() });
        state.retired = state.db.take();
        self.wake.notify_all();
    }

    /// Why the store refuses transactions now, if it does (for `/health`).
    pub(super) fn fault_reason(&self) -> Option<String> {
        self.state.lock().fault.as_ref().map(|f| f.reason.clone())
    }
}

/// What `/health` and refused callers read: the file, the failure and what it means.
pub(super) fn describe(path: &Path, message: &str) -> String {
    let name = path.file_name().map_or_else(|| path.display().to_string(), |n| n.to_string_lossy().into_owned());
    format!("{name}: {message}; writes fail until the disk accepts them")
}
