//! Events by height range: CosmWasm contract events from `block_results`, and blocks
//! selected by interval filters; ordered by position.
//!
//! A CosmWasm contract's event `foo` appears on chain as type `wasm-foo` with the
//! emitting contract in attribute `_contract_address`; a filter may name either form.

use crate::bindings::exports::wavs::adapter::adapter::{AdapterError, ChainEvent, ContractEventFilter, EventBody, EventFilter};
use crate::bindings::wavs::types::types::{Attribute, ContractEvent, EventPosition};
use crate::comet::{Comet, hex_field, malformed};
use base64::Engine;
use base64::engine::general_purpose::STANDARD as B64;
use serde_json::Value;
use sha2::{Digest, Sha256};
use wavs_adapter_kit::interval::selected_heights;

/// Whether a chain event of type `kind` from `contract` matches `filter`.
pub fn matches(filter: &ContractEventFilter, kind: &str, contract: Option<&str>) -> bool {
    let wanted = filter.event.strip_prefix("wasm-").unwrap_or(&filter.event);
    kind.strip_prefix("wasm-") == Some(wanted) && contract == Some(filter.contract.as_str())
}

/// A block's hash and its txs' hashes.
struct BlockIds {
    hash: Vec<u8>,
    tx_hashes: Vec<Vec<u8>>,
}

fn block_ids(comet: &Comet, height: u64) -> Result<BlockIds, AdapterError> {
    let block = comet.block(Some(height))?.ok_or_else(|| AdapterError::Transient(format!("block {height} not found yet")))?;
    let hash = hex_field(&block["block_id"]["hash"], "block", "block_id.hash")?;
    let tx_hashes = block["block"]["data"]["txs"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|t| t.as_str().and_then(|s| B64.decode(s).ok()).map(|b| Sha256::digest(&b).to_vec()))
        .collect::<Option<Vec<_>>>()
        .ok_or_else(|| malformed("block", "a tx is not base64"))?;
    Ok(BlockIds { hash, tx_hashes })
}

fn attributes(event: &Value) -> Vec<Attribute> {
    event["attributes"]
        .as_array()
        .map(|list| {
            list.iter()
                .map(|a| Attribute {
                    key: a["key"].as_str().unwrap_or_default().to_string(),
                    value: a["value"].as_str().unwrap_or_default().to_string(),
                })
                .collect()
        })
        .unwrap_or_default()
}

/// The contract events of one height's results that match `filters`, positioned
/// (tx index, event index) but without hashes yet.
pub fn contract_events(results: &Value, filters: &[EventFilter]) -> Vec<(u32, u32, u32, ContractEvent)> {
    let mut out = Vec::new();
    for (tx_index, tx) in results["txs_results"].as_array().into_iter().flatten().enumerate() {
        if tx["code"].as_u64().unwrap_or(0) != 0 {
            continue; // a failed tx emitted nothing that stands
        }
        for (index, event) in tx["events"].as_array().into_iter().flatten().enumerate() {
            let kind = event["type"].as_str().unwrap_or_default();
            let attrs = attributes(event);
            let contract = attrs.iter().find(|a| a.key == "_contract_address").map(|a| a.value.as_str());
            for (i, filter) in filters.iter().enumerate() {
                let EventFilter::ContractEvent(f) = filter else { continue };
                if matches(f, kind, contract) {
                    let body = ContractEvent {
                        contract: f.contract.clone(),
                        kind: kind.to_string(),
                        topics: vec![],
                        data: vec![],
                        attributes: attrs.clone(),
                    };
                    out.push((i as u32, tx_index as u32, index as u32, body));
                }
            }
        }
    }
    out
}

/// All events matching `filters` in `from..=to`, ordered by position.
pub fn events(comet: &Comet, filters: &[EventFilter], from: u64, to: u64) -> Result<Vec<ChainEvent>, AdapterError> {
    if from > to {
        return Ok(vec![]);
    }
    let mut intervals: Vec<(u32, Vec<u64>)> = Vec::new();
    for (i, filter) in filters.iter().enumerate() {
        if let EventFilter::BlockInterval(f) = filter {
            intervals.push((i as u32, selected_heights(f.every, f.start, from, to).map_err(AdapterError::InvalidConfig)?));
        }
    }
    let wants_contracts = filters.iter().any(|f| matches!(f, EventFilter::ContractEvent(_)));
    let mut out = Vec::new();
    for height in from..=to {
        let found = if wants_contracts { contract_events(&comet.block_results(height)?, filters) } else { vec![] };
        let selected: Vec<u32> = intervals.iter().filter(|(_, hs)| hs.binary_search(&height).is_ok()).map(|(i, _)| *i).collect();
        if found.is_empty() && selected.is_empty() {
            continue;
        }
        let ids = block_ids(comet, height)?;
        for filter in selected {
            let position = EventPosition { height, block_hash: ids.hash.clone(), tx_hash: vec![], tx_index: 0, index: 0 };
            out.push(ChainEvent { filter, position, body: EventBody::Block });
        }
        for (filter, tx_index, index, event) in found {
            let tx_hash = ids.tx_hashes.get(tx_index as usize).cloned().ok_or_else(|| {
                malformed("block_results", &format!("height {height} has results for tx {tx_index} the block lacks"))
            })?;
            let position = EventPosition { height, block_hash: ids.hash.clone(), tx_hash, tx_index, index };
            out.push(ChainEvent { filter, position, body: EventBody::Contract(event) });
        }
    }
    // Heights ascend already; within one, blocks first, then (tx, event), then filter.
    out.sort_by_key(|e| {
        let is_event = matches!(e.body, EventBody::Contract(_));
        (e.position.height, is_event, e.position.tx_index, e.position.index, e.filter)
    });
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn filter(contract: &str, event: &str) -> EventFilter {
        EventFilter::ContractEvent(ContractEventFilter { contract: contract.into(), event: event.into() })
    }

    #[test]
    fn contract_events_match_by_type_and_contract_and_skip_failed_txs() {
        let trigger = |addr: &str| json!({"type": "wasm-wavs-trigger", "attributes": [
            {"key": "_contract_address", "value": addr}, {"key": "payload", "value": "2a"}]});
        let results = json!({"txs_results": [
            {"code": 0, "events": [{"type": "message", "attributes": []}, trigger("wasm1a"), trigger("wasm1b")]},
            {"code": 5, "events": [trigger("wasm1a")]},
            {"code": 0, "events": [trigger("wasm1a")]}
        ]});
        let filters = [filter("wasm1a", "wavs-trigger"), EventFilter::BlockInterval(crate::bindings::exports::wavs::adapter::adapter::BlockIntervalFilter { every: 1, start: 0 }), filter("wasm1a", "wasm-wavs-trigger")];
        let found = contract_events(&results, &filters);
        let at: Vec<(u32, u32, u32)> = found.iter().map(|(f, t, i, _)| (*f, *t, *i)).collect();
        assert_eq!(at, vec![(0, 0, 1), (2, 0, 1), (0, 2, 0), (2, 2, 0)]);
        let (_, _, _, event) = &found[0];
        assert_eq!(event.kind, "wasm-wavs-trigger");
        assert!(event.attributes.iter().any(|a| a.key == "payload" && a.value == "2a"));
        assert!(contract_events(&json!({"txs_results": null}), &filters).is_empty());
    }

    #[test]
    fn only_wasm_events_match() {
        let f = ContractEventFilter { contract: "c".into(), event: "transfer".into() };
        assert!(matches(&f, "wasm-transfer", Some("c")));
        assert!(!matches(&f, "transfer", Some("c")));
        assert!(!matches(&f, "wasm-transfer", Some("d")));
        assert!(!matches(&f, "wasm-transfer", None));
    }
}
