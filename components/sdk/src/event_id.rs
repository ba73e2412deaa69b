//! The event id every operator derives for a trigger: what the handler contract's
//! `EnvelopeHandled` log and the aggregator's `GET /envelopes/{event-id}` are keyed by.
//! The formula is documented on `envelope.event-id` in the WIT (`wit/types/types.wit`).

use sha2::{Digest, Sha256};

/// The formula's version tag, hashed first.
const VERSION: &[u8] = b"wavs/event-id/v2";

/// What fired, as every operator identifies it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Trigger<'a> {
    /// A contract event. `chain` is the shared `family:chain-id` (e.g. `evm:31337`);
    /// `index` is the event's index (EVM: the log index in the block).
    ChainEvent { chain: &'a str, height: u64, tx_hash: &'a [u8], index: u32 },
    /// A block chosen by a block-interval trigger.
    Block { chain: &'a str, height: u64 },
    /// A manual task, by its task id.
    Manual { task_id: &'a str },
    /// A cron tick, by its scheduled time in seconds since the Unix epoch (UTC).
    Cron { time_unix_s: u64 },
}

/// The 20-byte event id of the `response`-th response (0 for the first) of `workflow`
/// in `service` to `trigger`.
pub fn event_id(service: &str, workflow: &str, trigger: Trigger<'_>, response: u32) -> [u8; 20] {
    let mut hasher = Sha256::new();
    let mut field = |bytes: &[u8]| {
        hasher.update((bytes.len() as u64).to_be_bytes());
        hasher.update(bytes);
    };
    field(VERSION);
    field(service.as_bytes());
    field(workflow.as_bytes());
    match trigger {
        Trigger::ChainEvent { chain, height, tx_hash, index } => {
            for part in [&b"chain-event"[..], chain.as_bytes(), &height.to_be_bytes(), tx_hash, &index.to_be_bytes()] {
                field(part);
            }
        }
        Trigger::Block { chain, height } => {
            for part in [&b"block"[..], chain.as_bytes(), &height.to_be_bytes()] {
                field(part);
            }
        }
        Trigger::Manual { task_id } => {
            field(b"manual");
            field(task_id.as_bytes());
        }
        Trigger::Cron { time_unix_s } => {
            field(b"cron");
            field(&time_unix_s.to_be_bytes());
        }
    }
    field(&response.to_be_bytes());
    let mut id = [0u8; 20];
    id.copy_from_slice(&hasher.finalize()[..20]);
    id
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_the_documented_formula() {
        // The same vector the node's own derivation is tested with (computed in Python).
        let trigger = Trigger::ChainEvent { chain: "evm:31337", height: 12, tx_hash: &[0xab, 0xcd], index: 0 };
        assert_eq!(crate::hex::encode(&event_id("square", "main", trigger, 0)), "0x5f9e35dc70f6af588d6633a23982996e9f6fc0a8");
        assert_ne!(event_id("square", "main", trigger, 1), event_id("square", "main", trigger, 0));
    }
}
