//! Envelopes as they travel between node and aggregator, and how event ids are derived.

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// Length of an event id.
pub const EVENT_ID_LEN: usize = 20;
/// Length of the ordering field.
pub const ORDERING_LEN: usize = 12;

/// What operators sign, in transport form.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct WireEnvelope {
    /// 20-byte event id.
    #[serde(with = "crate::hex_bytes")]
    #[cfg_attr(feature = "openapi", schema(value_type = String, pattern = "^(0x)?([0-9a-fA-F]{2})*$"))]
    pub event_id: Vec<u8>,
    /// 12-byte ordering.
    #[serde(with = "crate::hex_bytes")]
    #[cfg_attr(feature = "openapi", schema(value_type = String, pattern = "^(0x)?([0-9a-fA-F]{2})*$"))]
    pub ordering: Vec<u8>,
    /// The payload for the handler contract.
    #[serde(with = "crate::hex_bytes")]
    #[cfg_attr(feature = "openapi", schema(value_type = String, pattern = "^(0x)?([0-9a-fA-F]{2})*$"))]
    pub payload: Vec<u8>,
}

impl WireEnvelope {
    /// Checks the fixed field lengths.
    pub fn validate(&self) -> Result<(), String> {
        if self.event_id.len() != EVENT_ID_LEN {
            return Err(format!("event-id must be {EVENT_ID_LEN} bytes, got {}", self.event_id.len()));
        }
        if self.ordering.len() != ORDERING_LEN {
            return Err(format!("ordering must be {ORDERING_LEN} bytes, got {}", self.ordering.len()));
        }
        Ok(())
    }
}

/// The 12-byte ordering field for an optional ordering hint (big-endian, zero-padded).
pub fn ordering_bytes(ordering: Option<u64>) -> Vec<u8> {
    let mut out = vec![0u8; ORDERING_LEN];
    out[4..].copy_from_slice(&ordering.unwrap_or(0).to_be_bytes());
    out
}

/// What identifies a trigger occurrence, identically on every operator. `chain` is the
/// chain's shared `family:chain-id` (see [`crate::ChainSpec::caip2`]), never an
/// operator's local name for it, so operators who name a chain differently agree.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TriggerIdentity<'a> {
    /// A chain event at a position.
    ChainEvent { chain: &'a str, height: u64, tx_hash: &'a [u8], index: u32 },
    /// A block selected by an interval.
    Block { chain: &'a str, height: u64 },
    /// A manual task with its caller-chosen id.
    Manual { task_id: &'a str },
    /// A cron tick, by its scheduled time (seconds since the Unix epoch, UTC).
    Cron { time_unix_s: u64 },
}

/// Derives the 20-byte event id of the `response_index`-th response of (service,
/// workflow, trigger): the first 20 bytes of SHA-256 over length-prefixed fields (each
/// an 8-byte big-endian length, then the bytes), so distinct inputs never collide by
/// concatenation. The formula is written out in `wit/types/types.wit` (`event-id`) for
/// anyone computing it with other tools; a change to it is a new version tag.
pub fn derive_event_id(
    service_id: &str,
    workflow_id: &str,
    trigger: &TriggerIdentity<'_>,
    response_index: u32,
) -> Vec<u8> {
    let mut h = Sha256::new();
    let mut field = |bytes: &[u8]| {
        h.update((bytes.len() as u64).to_be_bytes());
        h.update(bytes);
    };
    field(b"wavs/event-id/v2");
    field(service_id.as_bytes());
    field(workflow_id.as_bytes());
    match trigger {
        TriggerIdentity::ChainEvent { chain, height, tx_hash, index } => {
            field(b"chain-event");
            field(chain.as_bytes());
            field(&height.to_be_bytes());
            field(tx_hash);
            field(&index.to_be_bytes());
        }
        TriggerIdentity::Block { chain, height } => {
            field(b"block");
            field(chain.as_bytes());
            field(&height.to_be_bytes());
        }
        TriggerIdentity::Manual { task_id } => {
            field(b"manual");
            field(task_id.as_bytes());
        }
        TriggerIdentity::Cron { time_unix_s } => {
            field(b"cron");
            field(&time_unix_s.to_be_bytes());
        }
    }
    field(&response_index.to_be_bytes());
    h.finalize()[..EVENT_ID_LEN].to_vec()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn event_ids_differ_by_every_input_and_are_stable() {
        let t = TriggerIdentity::Manual { task_id: "1" };
        let a = derive_event_id("svc", "wf", &t, 0);
        assert_eq!(a.len(), EVENT_ID_LEN);
        assert_eq!(a, derive_event_id("svc", "wf", &t, 0));
        assert_ne!(a, derive_event_id("svc", "wf2", &t, 0));
        assert_ne!(a, derive_event_id("svcw", "f", &t, 0), "length prefixes keep fields apart");
        assert_ne!(a, derive_event_id("svc", "wf", &TriggerIdentity::Manual { task_id: "2" }, 0));
        let ev = |index| TriggerIdentity::ChainEvent { chain: "c", height: 5, tx_hash: &[1, 2], index };
        assert_ne!(derive_event_id("s", "w", &ev(0), 0), derive_event_id("s", "w", &ev(1), 0));
        assert_ne!(derive_event_id("s", "w", &ev(0), 0), derive_event_id("s", "w", &ev(0), 1));
    }

    #[test]
    fn the_documented_formula_gives_this_id() {
        // Computed outside Rust from the formula in wit/types/types.wit (Python hashlib);
        // a change here breaks every id builders computed: it needs a new version tag.
        let ev = TriggerIdentity::ChainEvent { chain: "evm:31337", height: 12, tx_hash: &[0xab, 0xcd], index: 0 };
        assert_eq!(hex::encode(derive_event_id("square", "main", &ev, 0)), "5f9e35dc70f6af588d6633a23982996e9f6fc0a8");
    }

    #[test]
    fn ordering_is_big_endian_in_the_low_eight_bytes() {
        let o = ordering_bytes(Some(0x0102));
        assert_eq!(o.len(), ORDERING_LEN);
        assert_eq!(&o[10..], &[1, 2]);
        assert_eq!(ordering_bytes(None), vec![0u8; ORDERING_LEN]);
    }

    #[test]
    fn envelope_fields_are_length_checked() {
        let mut e = WireEnvelope { event_id: vec![0; 20], ordering: vec![0; 12], payload: vec![] };
        assert!(e.validate().is_ok());
        e.event_id.pop();
        assert!(e.validate().unwrap_err().contains("event-id must be 20 bytes"));
    }
}
