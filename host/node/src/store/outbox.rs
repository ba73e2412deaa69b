//! The outbox: every envelope this operator signed, until the aggregator reports a
//! final state for it (landed, already handled, or refused for good). A signed envelope
//! is written before it is sent, so a crash re-sends it rather than losing it, and an
//! event id once signed is never signed with another result. An envelope the aggregator
//! holds but has not landed is sent again now and then: the answer is its current
//! state, and if the aggregator dropped the signature (its signer left the operator set
//! and came back, say) it is counted again.

use super::{Store, from_json, to_json};
use crate::error::Result;
use crate::executions::Submission;
use redb::{ReadableDatabase, ReadableTable, ReadableTableMetadata, TableDefinition, WriteTransaction};
use serde::{Deserialize, Serialize};
use wavs_types::{EnvelopeState, EnvelopeStatus, SignedSubmission};

pub(super) const OUTBOX: TableDefinition<&[u8], &str> = TableDefinition::new("outbox");
/// The event ids of the outbox still to send, with their next send time (Unix ms), so
/// finding what is due never reads the whole (ever-growing) outbox.
const UNSENT: TableDefinition<&[u8], u64> = TableDefinition::new("outbox-unsent");

pub(super) fn create_tables(txn: &WriteTransaction) -> Result<()> {
    txn.open_table(OUTBOX)?;
    txn.open_table(UNSENT)?;
    Ok(())
}

/// Keeps the unsent index in step with an entry's new state, inside `txn`.
pub(super) fn index_state(txn: &WriteTransaction, event_id: &[u8], state: &OutboxState) -> Result<()> {
    let mut unsent = txn.open_table(UNSENT)?;
    match state {
        OutboxState::Pending { not_before_ms, .. } | OutboxState::Acked { not_before_ms, .. } if !state.is_final() => {
            unsent.insert(event_id, *not_before_ms)?;
        }
        _ => {
            unsent.remove(event_id)?;
        }
    }
    Ok(())
}

/// One signed envelope and how far it got.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub struct OutboxEntry {
    /// What is sent to the aggregator.
    pub submission: SignedSubmission,
    /// The execution that produced it.
    pub execution: u64,
    /// Where it stands.
    pub state: OutboxState,
}

/// Where a signed envelope stands.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "kebab-case")]
pub enum OutboxState {
    /// Not acknowledged yet; sent again from `not_before_ms` (Unix ms).
    #[serde(rename_all = "kebab-case")]
    Pending { attempts: u32, not_before_ms: u64, last_error: Option<String> },
    /// The aggregator accepted it and answered with this status. Unless the status is
    /// final, it is sent again from `not_before_ms` (the `checks`-th time).
    #[serde(rename_all = "kebab-case")]
    Acked {
        status: EnvelopeStatus,
        #[serde(default)]
        checks: u32,
        #[serde(default)]
        not_before_ms: u64,
    },
    /// The aggregator refused it for good.
    Failed { reason: String },
}

impl OutboxState {
    /// Whether nothing will change any more: the aggregator reported a final state, or
    /// refused the envelope for good.
    pub fn is_final(&self) -> bool {
        match self {
            OutboxState::Pending { .. } => false,
            OutboxState::Acked { status, .. } => status.state.is_final(),
            OutboxState::Failed { .. } => true,
        }
    }

    /// What the execution record shows for this state.
    pub fn submission(&self) -> Submission {
        match self {
            OutboxState::Pending { attempts, last_error, .. } => {
                Submission::Signed { attempts: *attempts, last_error: last_error.clone() }
            }
            OutboxState::Acked { status, .. } => match &status.state {
                EnvelopeState::Failed { reason } => Submission::Failed { reason: format!("the aggregator gave up: {reason}") },
                _ => Submission::Sent { aggregator: status.clone() },
            },
            OutboxState::Failed { reason } => Submission::Failed { reason: reason.clone() },
        }
    }
}

impl Store {
    /// The envelope signed for `event_id`, if one was.
    pub fn signed_envelope(&self, event_id: &[u8]) -> Result<Option<SignedSubmission>> {
        self.with_db(|db| {
            let txn = db.begin_read()?;
            let table = txn.open_table(OUTBOX)?;
            let entry = table.get(event_id)?.map(|v| from_json::<OutboxEntry>("outbox entry", v.value())).transpose()?;
            Ok(entry.map(|e| e.submission))
        })
    }

    /// How many signed envelopes have no final state yet, without reading them.
    pub fn unsent_count(&self) -> Result<u64> {
        self.with_db(|db| {
            let txn = db.begin_read()?;
            Ok(txn.open_table(UNSENT)?.len()?)
        })
    }

    /// Signed envelopes without a final state whose time to send (again) has come.
    pub fn due_outbox(&self, now_ms: u64) -> Result<Vec<OutboxEntry>> {
        self.with_db(|db| {
            let txn = db.begin_read()?;
            let unsent = txn.open_table(UNSENT)?;
            let outbox = txn.open_table(OUTBOX)?;
            let mut due = Vec::new();
            for row in unsent.iter()? {
                let (id, not_before) = row?;
                if not_before.value() > now_ms {
                    continue;
                }
                if let Some(json) = outbox.get(id.value())? {
                    due.push(from_json("outbox entry", json.value())?);
                }
            }
            Ok(due)
        })
    }

    /// Records what became of a send on the outbox entry (execution records show it
    /// from there).
    pub async fn settle_outbox(&self, event_id: &[u8], state: OutboxState) -> Result<()> {
        self.settle_outbox_many(vec![(event_id.to_vec(), state)]).await
    }

    /// [`Store::settle_outbox`] for many sends, in one transaction.
    pub async fn settle_outbox_many(&self, states: Vec<(Vec<u8>, OutboxState)>) -> Result<()> {
        self.committer
            .write(move |txn| {
                let mut table = txn.open_table(OUTBOX)?;
                for (event_id, state) in &states {
                    let Some(json) = table.get(event_id.as_slice())?.map(|v| v.value().to_string()) else { continue };
                    let mut entry: OutboxEntry = from_json("outbox entry", &json)?;
                    index_state(txn, event_id, state)?;
                    entry.state = state.clone();
                    table.insert(event_id.as_slice(), to_json(&entry)?.as_str())?;
                }
                Ok(())
            })
            .await
    }
}
