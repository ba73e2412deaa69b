//! A job: one trigger occurrence for one workflow, in the form the store keeps, so a
//! trigger read from the chain survives a crash until its result is signed.

use serde::{Deserialize, Serialize};
use wavs_runtime::bindings::wit_types::TriggerData;
use wavs_types::TriggerIdentity;

/// What identifies a trigger occurrence (owned form of [`TriggerIdentity`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum TriggerKey {
    /// A chain event.
    ChainEvent { chain: String, height: u64, tx_hash: Vec<u8>, index: u32 },
    /// An interval block.
    Block { chain: String, height: u64 },
    /// A manual task.
    Manual { task_id: String },
}

impl TriggerKey {
    /// The borrowed identity event ids are derived from.
    pub fn identity(&self) -> TriggerIdentity<'_> {
        match self {
            TriggerKey::ChainEvent { chain, height, tx_hash, index } => {
                TriggerIdentity::ChainEvent { chain, height: *height, tx_hash, index: *index }
            }
            TriggerKey::Block { chain, height } => TriggerIdentity::Block { chain, height: *height },
            TriggerKey::Manual { task_id } => TriggerIdentity::Manual { task_id },
        }
    }

    /// The occurrence in words, for logs and execution records.
    pub fn describe(&self) -> String {
        match self {
            TriggerKey::ChainEvent { chain, height, tx_hash, index } => {
                format!("event on {chain} at height {height}, tx 0x{}, index {index}", hex::encode(tx_hash))
            }
            TriggerKey::Block { chain, height } => format!("block {height} on {chain}"),
            TriggerKey::Manual { task_id } => format!("manual task {task_id}"),
        }
    }

    /// The chain and height the trigger was read at, if it came from a chain.
    pub fn chain_height(&self) -> Option<(&str, u64)> {
        match self {
            TriggerKey::ChainEvent { chain, height, .. } | TriggerKey::Block { chain, height } => Some((chain, *height)),
            TriggerKey::Manual { .. } => None,
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
    /// What the component receives.
    pub data: TriggerData,
    /// What identifies the occurrence.
    pub key: TriggerKey,
}
