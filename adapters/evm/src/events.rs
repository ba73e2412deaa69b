//! Events by block range: contract logs through eth_getLogs, and blocks selected by
//! interval filters; merged in position order. Also what `check-filter` accepts: the one
//! parse of a filter that `events` uses too.

use crate::bindings::exports::wavs::adapter::adapter::{
    AdapterError, BlockIntervalFilter, ChainEvent, EventBody, EventFilter,
};
use crate::bindings::wavs::types::types::{ContractEvent, EventPosition};
use crate::crypto::parse_address;
use crate::json::{data, field, hex_quantity, quantity};
use crate::rpc::Rpc;
use alloy_primitives::{Address, keccak256};
use serde_json::{Value, json};

/// The trigger kinds this adapter delivers, as `describe` lists them: the built-in
/// filters only, no `custom` kind.
pub const TRIGGER_KINDS: [&str; 2] = ["contract-event", "block-interval"];

/// The topic-0 hash an event filter names: a Solidity signature or 0x-hex hash.
pub fn topic0(event: &str) -> Result<Vec<u8>, String> {
    let event = event.trim();
    let expected = "write a signature like Name(uint256,bytes) or a 0x topic hash (0x + 64 hex digits)";
    if event.starts_with("0x") && !event.contains('(') {
        return match hex::decode(&event[2..]) {
            Ok(hash) if hash.len() == 32 => Ok(hash),
            _ => Err(format!("event {event:?} is not a topic hash: {expected}")),
        };
    }
    if !event.contains('(') || !event.ends_with(')') {
        return Err(format!("event {event:?} is not an event signature: {expected}"));
    }
    Ok(keccak256(event.as_bytes()).to_vec())
}

/// A filter as `events` queries it.
#[derive(Debug)]
pub enum Parsed<'a> {
    /// Logs of `address` whose topic 0 is `topic`.
    Logs { address: Address, topic: Vec<u8> },
    /// Blocks at an interval (`every` at least 1).
    Interval(&'a BlockIntervalFilter),
}

/// Parses `filter`: `unsupported` for a kind this adapter does not deliver (naming the
/// kinds it does), `invalid-config` for a malformed contract, event or interval, saying
/// what to write instead. What `check-filter` answers, and what `events` checks first.
pub fn parse_filter(filter: &EventFilter) -> Result<Parsed<'_>, AdapterError> {
    match filter {
        EventFilter::ContractEvent(f) => {
            let invalid = |m: String| AdapterError::InvalidConfig(format!("contract-event filter: {m}"));
            let address = parse_address(&f.contract).map_err(|m| invalid(format!("contract {m}")))?;
            Ok(Parsed::Logs { address, topic: topic0(&f.event).map_err(invalid)? })
        }
        EventFilter::BlockInterval(f) if f.every == 0 => Err(AdapterError::InvalidConfig(
            "block-interval filter: every is 0; write every = 1 (each block) or more".into(),
        )),
        EventFilter::BlockInterval(f) => Ok(Parsed::Interval(f)),
        EventFilter::Custom(f) => Err(AdapterError::Unsupported(format!(
            "trigger kind {:?}: the EVM adapter delivers only {}",
            f.kind,
            TRIGGER_KINDS.join(" and ")
        ))),
    }
}

/// All events matching `filters` in `from..=to`, ordered by position.
pub fn events(rpc: &Rpc, filters: &[EventFilter], from: u64, to: u64) -> Result<Vec<ChainEvent>, AdapterError> {
    let parsed = filters.iter().map(parse_filter).collect::<Result<Vec<_>, _>>()?;
    if from > to {
        return Ok(vec![]);
    }
    let mut out = Vec::new();
    for (i, filter) in parsed.iter().enumerate() {
        match filter {
            Parsed::Logs { address, topic } => {
                for log in logs(rpc, address, topic, from, to)? {
                    out.push(log_event(i as u32, &log).map_err(|m| AdapterError::Transient(format!("eth_getLogs: {m}")))?);
                }
            }
            Parsed::Interval(f) => {
                let heights = wavs_adapter_kit::interval::selected_heights(f.every, f.start, from, to)
                    .map_err(AdapterError::InvalidConfig)?;
                for height in heights {
                    let hash = crate::connection::block_hash(rpc, height)?
                        .ok_or_else(|| AdapterError::Transient(format!("block {height} not found yet")))?;
                    let position = EventPosition { height, block_hash: hash, tx_hash: vec![], tx_index: 0, index: 0 };
                    out.push(ChainEvent { filter: i as u32, position, body: EventBody::Block });
                }
            }
        }
    }
    // Block events sort before the block's logs; logs by (tx index, log index).
    out.sort_by_key(|e| {
        let is_log = matches!(e.body, EventBody::Contract(_));
        (e.position.height, is_log, e.position.tx_index, e.position.index, e.filter)
    });
    Ok(out)
}

/// eth_getLogs of `address` and `topic`, halving the range when the node says it is too
/// large.
fn logs(rpc: &Rpc, address: &Address, topic: &[u8], from: u64, to: u64) -> Result<Vec<Value>, AdapterError> {
    let params = json!([{
        "fromBlock": hex_quantity(from),
        "toBlock": hex_quantity(to),
        "address": format!("{address:#x}"),
        "topics": [format!("0x{}", hex::encode(topic))],
    }]);
    match rpc.call::<Vec<Value>>("eth_getLogs", params) {
        Ok(logs) => Ok(logs.into_iter().filter(|l| l.get("removed") != Some(&Value::Bool(true))).collect()),
        Err(AdapterError::Rejected(m)) if from < to && is_range_error(&m) => {
            let mid = from + (to - from) / 2;
            let mut first = logs(rpc, address, topic, from, mid)?;
            first.extend(logs(rpc, address, topic, mid + 1, to)?);
            Ok(first)
        }
        Err(e) => Err(e),
    }
}

fn is_range_error(message: &str) -> bool {
    let m = message.to_ascii_lowercase();
    ["range", "too many", "limit", "exceed"].iter().any(|w| m.contains(w))
}

/// One log as a chain event.
pub fn log_event(filter: u32, log: &Value) -> Result<ChainEvent, String> {
    let topics: Vec<Vec<u8>> = field(log, "topics")?
        .as_array()
        .ok_or("topics is not a list")?
        .iter()
        .map(|t| data(t, "topic"))
        .collect::<Result<_, _>>()?;
    let kind = topics.first().map(|t| format!("0x{}", hex::encode(t))).unwrap_or_default();
    let contract = field(log, "address")?.as_str().ok_or("address is not a string")?.to_ascii_lowercase();
    let position = EventPosition {
        height: quantity(field(log, "blockNumber")?, "blockNumber")?,
        block_hash: data(field(log, "blockHash")?, "blockHash")?,
        tx_hash: data(field(log, "transactionHash")?, "transactionHash")?,
        tx_index: quantity(field(log, "transactionIndex")?, "transactionIndex")? as u32,
        index: quantity(field(log, "logIndex")?, "logIndex")? as u32,
    };
    let event = ContractEvent { contract, kind, topics, data: data(field(log, "data")?, "data")?, attributes: vec![] };
    Ok(ChainEvent { filter, position, body: EventBody::Contract(event) })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bindings::exports::wavs::adapter::adapter::{ContractEventFilter, CustomFilter};
    use crate::test_support::invalid_config;

    #[test]
    fn topic0_from_signature_or_hash() {
        let hash = topic0("Transfer(address,address,uint256)").unwrap();
        assert_eq!(hex::encode(&hash), "ddf252ad1be2c89b69c2b068fc378daa952ba7f163c4a11628f55a4df523b3ef");
        let again = topic0(&format!("0x{}", hex::encode(&hash))).unwrap();
        assert_eq!(hash, again);
        assert!(topic0("Transfer").is_err());
        assert!(topic0("0xdd").unwrap_err().contains("0x + 64 hex digits"));
    }

    fn contract(contract: &str, event: &str) -> EventFilter {
        EventFilter::ContractEvent(ContractEventFilter { contract: contract.into(), event: event.into() })
    }

    fn interval(every: u64) -> EventFilter {
        EventFilter::BlockInterval(BlockIntervalFilter { every, start: 0 })
    }

    const TRIGGER: &str = "0x5fbdb2315678afecb367f032d93f642f64180aa3";

    #[test]
    fn filters_are_checked_by_the_parse_events_uses() {
        let topic = "0xddf252ad1be2c89b69c2b068fc378daa952ba7f163c4a11628f55a4df523b3ef";
        for ok in [contract(TRIGGER, "TriggerFired(uint64,address,bytes)"), contract(TRIGGER, topic), interval(1), interval(10)] {
            assert!(parse_filter(&ok).is_ok());
        }
        let invalid = |f: EventFilter| invalid_config(parse_filter(&f));
        assert!(invalid(contract("0x1234", topic)).contains("0x + 40 hex digits"));
        assert!(invalid(contract(TRIGGER, "TriggerFired")).contains("Name(uint256,bytes)"));
        assert!(invalid(interval(0)).contains("every = 1"));
        let custom = EventFilter::Custom(CustomFilter { kind: "solana-slot".into(), params: vec![] });
        match parse_filter(&custom) {
            Err(AdapterError::Unsupported(m)) => {
                assert!(m.contains("solana-slot") && m.contains("contract-event and block-interval"), "{m}")
            }
            _ => panic!("a custom kind is unsupported"),
        }
    }

    #[test]
    fn a_log_becomes_a_positioned_event_and_malformed_logs_are_errors() {
        let log = json!({
            "address": "0xABCDEF0000000000000000000000000000000001",
            "topics": ["0x01", "0x02"],
            "data": "0xbeef",
            "blockNumber": "0x10", "blockHash": "0xaa", "transactionHash": "0xbb",
            "transactionIndex": "0x2", "logIndex": "0x5"
        });
        let ev = log_event(3, &log).unwrap();
        assert_eq!((ev.filter, ev.position.height, ev.position.tx_index, ev.position.index), (3, 16, 2, 5));
        let EventBody::Contract(c) = ev.body else { panic!("contract event") };
        assert_eq!(c.contract, "0xabcdef0000000000000000000000000000000001");
        assert_eq!(c.kind, "0x01");
        assert_eq!(c.data, vec![0xbe, 0xef]);
        let mut broken = log.clone();
        broken["logIndex"] = json!(5);
        assert!(log_event(0, &broken).unwrap_err().contains("logIndex"));
    }
}
