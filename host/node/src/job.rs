//! A job: one trigger occurrence for one workflow, in the form the store keeps, so a
//! trigger read from the chain survives a crash until its result is signed.

mod stored;

use serde::{Deserialize, Serialize};
use wavs_runtime::bindings::wit_types::TriggerData;
use wavs_types::TriggerIdentity;

/// What identifies a trigger occurrence (owned form of [`TriggerIdentity`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum TriggerKey {
    /// A chain event. `chain` is this node's name for the chain (its cursor and logs),
    /// `caip2` the `family:chain-id` every operator shares (its event id).
    ChainEvent {
        chain: String,
        #[serde(default)]
        caip2: String,
        height: u64,
        tx_hash: Vec<u8>,
        index: u32,
    },
    /// An interval block.
    Block {
        chain: String,
        #[serde(default)]
        caip2: String,
        height: u64,
    },
    /// A manual task.
    Manual { task_id: String },
    /// A cron tick at its scheduled time (seconds since the Unix epoch).
    Cron { time_unix_s: u64 },
}

/// The shared chain identity, or the local name for a job stored before there was one.
fn shared<'a>(caip2: &'a str, chain: &'a str) -> &'a str {
    if caip2.is_empty() { chain } else { caip2 }
}

impl TriggerKey {
    /// The borrowed identity event ids are derived from.
    pub fn identity(&self) -> TriggerIdentity<'_> {
        match self {
            TriggerKey::ChainEvent { chain, caip2, height, tx_hash, index } => {
                TriggerIdentity::ChainEvent { chain: shared(caip2, chain), height: *height, tx_hash, index: *index }
            }
            TriggerKey::Block { chain, caip2, height } => {
                TriggerIdentity::Block { chain: shared(caip2, chain), height: *height }
            }
            TriggerKey::Manual { task_id } => TriggerIdentity::Manual { task_id },
            TriggerKey::Cron { time_unix_s } => TriggerIdentity::Cron { time_unix_s: *time_unix_s },
        }
    }

    /// The occurrence in words, for logs and execution records.
    pub fn describe(&self) -> String {
        match self {
            TriggerKey::ChainEvent { chain, height, tx_hash, index, .. } => {
                format!("event on {chain} at height {height}, tx 0x{}, index {index}", hex::encode(tx_hash))
            }
            TriggerKey::Block { chain, height, .. } => format!("block {height} on {chain}"),
            TriggerKey::Manual { task_id } => format!("manual task {task_id}"),
            TriggerKey::Cron { time_unix_s } => format!("cron tick at {time_unix_s} (Unix seconds)"),
        }
    }

    /// The chain and height the trigger was read at, if it came from a chain.
    pub fn chain_height(&self) -> Option<(&str, u64)> {
        match self {
            TriggerKey::ChainEvent { chain, height, .. } | TriggerKey::Block { chain, height, .. } => Some((chain, *height)),
            TriggerKey::Manual { .. } | TriggerKey::Cron { .. } => None,
        }
    }
}

/// One trigger for one workflow.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub struct Job {
    /// The service.
    pub service_id: String,
    /// The workflow whose trigger fired.
    pub workflow_id: String,
    /// What the component receives (stored in our own shape, `job/stored.rs`).
    #[serde(with = "stored")]
    pub data: TriggerData,
    /// What identifies the occurrence.
    pub key: TriggerKey,
}

impl Job {
    /// The event id of the job's first response (hex), as its envelope carries it; a
    /// component that returns several responses numbers the others on from it.
    pub fn first_event_id(&self) -> String {
        let id = wavs_types::derive_event_id(&self.service_id, &self.workflow_id, &self.key.identity(), 0);
        wavs_types::hex_bytes::encode(&id)
    }
}
