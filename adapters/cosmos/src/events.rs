//! Events by height range: CosmWasm contract events from `block_results`, and blocks
//! selected by interval filters; ordered by position.
//!
//! A CosmWasm contract's event `foo` appears on chain as type `wasm-foo` with the
//! emitting contract in attribute `_contract_address`; a filter may name either form.

use crate::bindings::exports::wavs::adapter::adapter::{AdapterError, ChainEvent, EventBody, EventFilter};
use crate::bindings::wavs::types::types::{Attribute, ContractEvent, EventPosition};
use crate::comet::{Comet, hex_field, malformed};
use crate::config::Settings;
use base64::Engine;
use base64::engine::general_purpose::STANDARD as B64;
use serde_json::Value;
use sha2::{Digest, Sha256};
use wavs_adapter_kit::interval::selected_heights;

/// The trigger kinds this adapter delivers, as `describe` lists them.
pub const TRIGGER_KINDS: [&str; 2] = ["contract-event", "block-interval"];

/// A filter as `check-filter` accepts it and `events` matches with it.
#[derive(Debug, PartialEq)]
pub enum Filter {
    /// Events of type `wasm-<event>` emitted by `contract` (canonical bech32 text).
    Contract {
        /// The emitting contract, lowercase as the chain reports it.
        contract: String,
        /// The event type without the `wasm-` prefix.
        event: String,
    },
    /// Every `every`th block from `start`.
    Interval {
        /// At least 1.
        every: u64,
        /// The first selected height.
        start: u64,
    },
}

/// Checks `filter` for a chain of `settings`: `unsupported` for a kind this adapter does not
/// deliver, `invalid-config` saying what to write for malformed parameters.
pub fn parse_filter(filter: &EventFilter, settings: &Settings) -> Result<Filter, AdapterError> {
    match filter {
        EventFilter::ContractEvent(f) => {
            let prefix = &settings.prefix;
            let contract = settings.contract(&f.contract).map_err(|why| {
                AdapterError::InvalidConfig(format!("contract-event filter: {why}; write the {prefix}1... address of the contract that emits the event"))
            })?;
            let event = f.event.strip_prefix("wasm-").unwrap_or(&f.event);
            if event.is_empty() || event.chars().any(char::is_whitespace) {
                return Err(AdapterError::InvalidConfig(format!(
                    "contract-event filter on {}: event {:?} is no event type; write the type the contract emits, such as wavs-trigger (wasm-wavs-trigger on chain)",
                    f.contract, f.event
                )));
            }
            Ok(Filter::Contract { contract: contract.to_string(), event: event.to_string() })
        }
        EventFilter::BlockInterval(f) if f.every == 0 => Err(AdapterError::InvalidConfig(
            "block-interval filter: every is 0; write every = 1 or more (1 selects every block)".into(),
        )),
        EventFilter::BlockInterval(f) => Ok(Filter::Interval { every: f.every, start: f.start }),
        EventFilter::Custom(f) => Err(AdapterError::Unsupported(format!(
            "trigger kind {:?} is not one the cosmos adapter delivers; it delivers {}",
            f.kind,
            TRIGGER_KINDS.join(" and ")
        ))),
    }
}

/// Whether a chain event of type `kind` from `contract` matches a contract filter.
fn matches(filter: &Filter, kind: &str, contract: Option<&str>) -> bool {
    match filter {
        Filter::Contract { contract: wanted, event } => kind.strip_prefix("wasm-") == Some(event.as_str()) && contract == Some(wanted.as_str()),
        Filter::Interval { .. } => false,
    }
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
pub fn contract_events(results: &Value, filters: &[Filter]) -> Vec<(u32, u32, u32, ContractEvent)> {
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
                if matches(filter, kind, contract) {
                    let body = ContractEvent {
                        contract: contract.unwrap_or_default().to_string(),
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

/// All events matching `filters` in `from..=to`, ordered by position. A filter
/// `parse_filter` refuses fails the whole call the same way.
pub fn events(comet: &Comet, settings: &Settings, filters: &[EventFilter], from: u64, to: u64) -> Result<Vec<ChainEvent>, AdapterError> {
    let filters = filters.iter().map(|f| parse_filter(f, settings)).collect::<Result<Vec<_>, _>>()?;
    if from > to {
        return Ok(vec![]);
    }
    let mut intervals: Vec<(u32, Vec<u64>)> = Vec::new();
    for (i, filter) in filters.iter().enumerate() {
        if let Filter::Interval { every, start } = *filter {
            intervals.push((i as u32, selected_heights(every, start, from, to).map_err(AdapterError::InvalidConfig)?));
        }
    }
    let wants_contracts = filters.iter().any(|f| matches!(f, Filter::Contract { .. }));
    let mut out = Vec::new();
    for height in from..=to {
        let found = if wants_contracts { contract_events(&comet.block_results(height)?, &filters) } else { vec![] };
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
    use crate::bindings::exports::wavs::adapter::adapter::{BlockIntervalFilter, ContractEventFilter, CustomFilter};
    use cosmrs::AccountId;
    use serde_json::json;

    fn address(byte: u8) -> String {
        AccountId::new("wasm", &[byte; 32]).unwrap().to_string()
    }

    fn contract_filter(contract: &str, event: &str) -> EventFilter {
        EventFilter::ContractEvent(ContractEventFilter { contract: contract.into(), event: event.into() })
    }

    fn parse(filter: EventFilter) -> Result<Filter, AdapterError> {
        parse_filter(&filter, &Settings::for_tests())
    }

    #[test]
    fn contract_events_match_by_type_and_contract_and_skip_failed_txs() {
        let (a, b) = (address(1), address(2));
        let trigger = |addr: &str| json!({"type": "wasm-wavs-trigger", "attributes": [
            {"key": "_contract_address", "value": addr}, {"key": "payload", "value": "2a"}]});
        let results = json!({"txs_results": [
            {"code": 0, "events": [{"type": "message", "attributes": []}, trigger(&a), trigger(&b)]},
            {"code": 5, "events": [trigger(&a)]},
            {"code": 0, "events": [trigger(&a)]}
        ]});
        let filters = [
            contract_filter(&a, "wavs-trigger"),
            EventFilter::BlockInterval(BlockIntervalFilter { every: 1, start: 0 }),
            contract_filter(&a.to_uppercase(), "wasm-wavs-trigger"),
        ];
        let filters: Vec<Filter> = filters.into_iter().map(|f| parse(f).unwrap()).collect();
        let found = contract_events(&results, &filters);
        let at: Vec<(u32, u32, u32)> = found.iter().map(|(f, t, i, _)| (*f, *t, *i)).collect();
        assert_eq!(at, vec![(0, 0, 1), (2, 0, 1), (0, 2, 0), (2, 2, 0)]);
        let (_, _, _, event) = &found[0];
        assert_eq!((event.kind.as_str(), event.contract.as_str()), ("wasm-wavs-trigger", a.as_str()));
        assert!(event.attributes.iter().any(|a| a.key == "payload" && a.value == "2a"));
        assert!(contract_events(&json!({"txs_results": null}), &filters).is_empty());
    }

    #[test]
    fn only_wasm_events_match() {
        let f = Filter::Contract { contract: "c".into(), event: "transfer".into() };
        assert!(matches(&f, "wasm-transfer", Some("c")));
        assert!(!matches(&f, "transfer", Some("c")));
        assert!(!matches(&f, "wasm-transfer", Some("d")));
        assert!(!matches(&f, "wasm-transfer", None));
        assert!(!matches(&Filter::Interval { every: 1, start: 0 }, "wasm-transfer", Some("c")));
    }

    #[test]
    fn filters_are_checked_with_what_to_write() {
        let a = address(1);
        let parsed = parse(contract_filter(&a.to_uppercase(), "wasm-wavs-trigger")).unwrap();
        assert_eq!(parsed, Filter::Contract { contract: a.clone(), event: "wavs-trigger".into() });
        assert_eq!(parse(EventFilter::BlockInterval(BlockIntervalFilter { every: 1, start: 9 })).unwrap(), Filter::Interval { every: 1, start: 9 });

        let foreign = AccountId::new("cosmos", &[1; 32]).unwrap().to_string();
        for contract in [foreign.as_str(), "not-bech32", ""] {
            let err = parse(contract_filter(contract, "wavs-trigger")).unwrap_err();
            assert!(matches!(&err, AdapterError::InvalidConfig(m) if m.contains("write the wasm1... address")), "{contract:?}: {err:?}");
        }
        for event in ["", "wasm-", "wavs trigger"] {
            let err = parse(contract_filter(&a, event)).unwrap_err();
            assert!(matches!(&err, AdapterError::InvalidConfig(m) if m.contains("write the type the contract emits")), "{event:?}: {err:?}");
        }
        let err = parse(EventFilter::BlockInterval(BlockIntervalFilter { every: 0, start: 0 })).unwrap_err();
        assert!(matches!(&err, AdapterError::InvalidConfig(m) if m.contains("every = 1 or more")), "{err:?}");
        let err = parse(EventFilter::Custom(CustomFilter { kind: "ibc-packet".into(), params: vec![] })).unwrap_err();
        assert!(matches!(&err, AdapterError::Unsupported(m) if m.contains("\"ibc-packet\"") && m.contains("contract-event and block-interval")), "{err:?}");
    }

    #[test]
    fn events_refuses_what_check_filter_refuses_before_any_rpc() {
        // No RPC URL: the filter is refused before the chain is asked.
        let comet = Comet::new(vec![], 1_000);
        let bad = [EventFilter::BlockInterval(BlockIntervalFilter { every: 1, start: 0 }), contract_filter("wasm1bad", "wavs-trigger")];
        let err = events(&comet, &Settings::for_tests(), &bad, 1, 10).unwrap_err();
        assert!(matches!(&err, AdapterError::InvalidConfig(m) if m.contains("contract-event filter")), "{err:?}");
    }
}
