//! Trigger data as the store keeps it: types of our own, converted from and to the
//! bindings generated from `wit/` at this edge, so that renaming a WIT field or type
//! changes no byte on disk. The shape is store schema 1 (`store/schema.rs`): what the
//! bindings' serde derive wrote before these types existed, so earlier stores read as
//! they are. Changing it means a new schema version and a migration.

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use wavs_runtime::bindings::wit_types as wit;

#[derive(Serialize, Deserialize)]
enum StoredTriggerData {
    ChainEvent(StoredChainEvent),
    BlockInterval(StoredBlockInterval),
    Raw(Vec<u8>),
    Cron(StoredCron),
}

#[derive(Serialize, Deserialize)]
struct StoredChainEvent {
    chain: String,
    event: StoredContractEvent,
    position: StoredPosition,
}

#[derive(Serialize, Deserialize)]
struct StoredContractEvent {
    contract: String,
    kind: String,
    topics: Vec<Vec<u8>>,
    data: Vec<u8>,
    attributes: Vec<StoredAttribute>,
}

#[derive(Serialize, Deserialize)]
struct StoredAttribute {
    key: String,
    value: String,
}

#[derive(Serialize, Deserialize)]
struct StoredPosition {
    height: u64,
    block_hash: Vec<u8>,
    tx_hash: Vec<u8>,
    tx_index: u32,
    index: u32,
}

#[derive(Serialize, Deserialize)]
struct StoredBlockInterval {
    chain: String,
    height: u64,
    block_hash: Vec<u8>,
}

#[derive(Serialize, Deserialize)]
struct StoredCron {
    time_unix_s: u64,
}

impl From<&wit::TriggerData> for StoredTriggerData {
    fn from(data: &wit::TriggerData) -> Self {
        match data {
            wit::TriggerData::ChainEvent(t) => StoredTriggerData::ChainEvent(StoredChainEvent {
                chain: t.chain.clone(),
                event: StoredContractEvent {
                    contract: t.event.contract.clone(),
                    kind: t.event.kind.clone(),
                    topics: t.event.topics.clone(),
                    data: t.event.data.clone(),
                    attributes: t.event.attributes.iter().map(|a| StoredAttribute { key: a.key.clone(), value: a.value.clone() }).collect(),
                },
                position: StoredPosition {
                    height: t.position.height,
                    block_hash: t.position.block_hash.clone(),
                    tx_hash: t.position.tx_hash.clone(),
                    tx_index: t.position.tx_index,
                    index: t.position.index,
                },
            }),
            wit::TriggerData::BlockInterval(t) => StoredTriggerData::BlockInterval(StoredBlockInterval {
                chain: t.chain.clone(),
                height: t.height,
                block_hash: t.block_hash.clone(),
            }),
            wit::TriggerData::Raw(bytes) => StoredTriggerData::Raw(bytes.clone()),
            wit::TriggerData::Cron(t) => StoredTriggerData::Cron(StoredCron { time_unix_s: t.time_unix_s }),
        }
    }
}

impl From<StoredTriggerData> for wit::TriggerData {
    fn from(data: StoredTriggerData) -> Self {
        match data {
            StoredTriggerData::ChainEvent(t) => wit::TriggerData::ChainEvent(wit::ChainEventTrigger {
                chain: t.chain,
                event: wit::ContractEvent {
                    contract: t.event.contract,
                    kind: t.event.kind,
                    topics: t.event.topics,
                    data: t.event.data,
                    attributes: t.event.attributes.into_iter().map(|a| wit::Attribute { key: a.key, value: a.value }).collect(),
                },
                position: wit::EventPosition {
                    height: t.position.height,
                    block_hash: t.position.block_hash,
                    tx_hash: t.position.tx_hash,
                    tx_index: t.position.tx_index,
                    index: t.position.index,
                },
            }),
            StoredTriggerData::BlockInterval(t) => {
                wit::TriggerData::BlockInterval(wit::BlockIntervalTrigger { chain: t.chain, height: t.height, block_hash: t.block_hash })
            }
            StoredTriggerData::Raw(bytes) => wit::TriggerData::Raw(bytes),
            StoredTriggerData::Cron(t) => wit::TriggerData::Cron(wit::CronTrigger { time_unix_s: t.time_unix_s }),
        }
    }
}

/// `#[serde(with = "stored")]` for a [`wit::TriggerData`] field.
pub(crate) fn serialize<S: Serializer>(data: &wit::TriggerData, serializer: S) -> Result<S::Ok, S::Error> {
    StoredTriggerData::from(data).serialize(serializer)
}

/// See [`serialize`].
pub(crate) fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<wit::TriggerData, D::Error> {
    StoredTriggerData::deserialize(deserializer).map(Into::into)
}

#[cfg(test)]
mod tests {
    /// What schema 1 stores for each kind of trigger, byte for byte.
    const SCHEMA_1: [&str; 4] = [
        r#"{"ChainEvent":{"chain":"evm:31337","event":{"contract":"0xab","kind":"0x01","topics":[[1,2]],"data":[3],"attributes":[{"key":"k","value":"v"}]},"position":{"height":7,"block_hash":[4],"tx_hash":[5],"tx_index":1,"index":2}}}"#,
        r#"{"BlockInterval":{"chain":"c","height":9,"block_hash":[6]}}"#,
        r#"{"Cron":{"time_unix_s":60}}"#,
        r#"{"Raw":[1,2]}"#,
    ];

    #[derive(serde::Serialize, serde::Deserialize)]
    struct Field(#[serde(with = "super")] super::wit::TriggerData);

    #[test]
    fn schema_1_reads_and_writes_unchanged() {
        for json in SCHEMA_1 {
            let Field(data) = serde_json::from_str(json).unwrap_or_else(|e| panic!("{json}: {e}"));
            assert_eq!(serde_json::to_string(&Field(data)).unwrap(), json);
        }
    }
}
