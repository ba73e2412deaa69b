//! Checks of reading events by range (guide step 4), and the deployment they use.

use crate::blocks::head_at_least;
use crate::guide;
use crate::kit::{Kit, ensure};
use crate::report::{Outcome, skip};
use wavs_runtime::bindings::adapter_api::{BlockIntervalFilter, BlockStatus, BlockTag, ChainEvent, EventBody, EventFilter};
use wavs_runtime::bindings::curves_api::Scheme;

/// Triggers fired for the event checks.
const FIRED: usize = 4;
/// Blocks the block-interval check reads.
const SPAN: u64 = 6;

/// The testing interface deploys the reference contracts.
pub async fn deploy(kit: &mut Kit) -> Result<String, Outcome> {
    if !kit.has_testing() {
        return skip(format!(
            "the adapter has no testing interface (adapters/README.md#{}); checks that need contracts are skipped",
            guide::STEP10
        ));
    }
    let operators = kit.test_operators();
    let result = kit.conn.deploy_service(Scheme::Secp256k1Ecdsa, &operators, crate::kit::TEST_THRESHOLD).await;
    let d = kit.check("deploy-service", result)?;
    let summary = format!("manager {}, handler {}, trigger {}", d.manager, d.handler, d.trigger);
    kit.deployment = Some(d);
    Ok(summary)
}

/// A stable key for comparing events (the bindings do not derive equality).
fn key(e: &ChainEvent) -> String {
    let p = &e.position;
    format!("{}:{}:{}:{}:{}:{:?}", e.filter, p.height, hex::encode(&p.tx_hash), p.tx_index, p.index, e.body)
}

/// A block-interval filter selects exactly its heights of a range, each as a block
/// event at that block's hash, the same in pieces; none at a height the chain skipped.
pub async fn block_interval_events(kit: &mut Kit) -> Result<String, Outcome> {
    let listed = kit.info.as_ref().is_some_and(|i| i.trigger_kinds.iter().any(|k| k == "block-interval"));
    if !listed {
        return skip("describe() does not list block-interval in trigger-kinds, so the adapter does not claim to deliver it");
    }
    let (head, how) = head_at_least(kit, SPAN).await?;
    let (from, to) = (head.height + 1 - SPAN, head.height);
    // A skipped height holds no block, so no block event: the node steps over it.
    let mut skipped = Vec::new();
    for height in from..=to {
        let result = kit.conn.block_hash(height).await;
        if matches!(kit.check("block-hash", result)?, BlockStatus::Skipped) {
            skipped.push(height);
        }
    }
    let mut found = 0;
    // One filter starting inside the range, one before it.
    for (every, start) in [(2, from + 1), (3, 1)] {
        let filters = [EventFilter::BlockInterval(BlockIntervalFilter { every, start })];
        let query = format!("events(block-interval every {every} from {start}, {from}..={to})");
        let want: Vec<u64> = (from..=to).filter(|h| *h >= start && (h - start) % every == 0 && !skipped.contains(h)).collect();
        let result = kit.conn.events(&filters, from, to).await;
        let events = kit.check("events", result)?;
        let heights: Vec<u64> = events.iter().map(|e| e.position.height).collect();
        ensure(heights == want, format!("{query}: blocks at {want:?}"), format!("events at {heights:?}"))?;
        for e in &events {
            let p = &e.position;
            ensure(
                matches!(e.body, EventBody::Block) && e.filter == 0 && p.tx_hash.is_empty() && p.tx_index == 0 && p.index == 0,
                format!("{query}: body block, filter 0, empty tx hash, tx-index 0, index 0"),
                format!(
                    "at {}: body {:?}, filter {}, tx hash 0x{}, tx-index {}, index {}",
                    p.height,
                    e.body,
                    e.filter,
                    hex::encode(&p.tx_hash),
                    p.tx_index,
                    p.index
                ),
            )?;
            let result = kit.conn.block_hash(p.height).await;
            let status = kit.check("block-hash", result)?;
            ensure(
                matches!(&status, BlockStatus::Produced(hash) if *hash == p.block_hash),
                format!("the block event at {} to carry block-hash({})", p.height, p.height),
                format!("0x{} in the event, {status:?} from block-hash", hex::encode(&p.block_hash)),
            )?;
        }
        let cut = from + SPAN / 2;
        let mut parts: Vec<String> = Vec::new();
        for (a, b) in [(from, cut), (cut + 1, to)] {
            let result = kit.conn.events(&filters, a, b).await;
            parts.extend(kit.check("events", result)?.iter().map(key));
        }
        let keys: Vec<String> = events.iter().map(key).collect();
        ensure(parts == keys, format!("{query} split at {cut}: the same events"), format!("{} events in pieces, {} whole", parts.len(), keys.len()))?;
        found += events.len();
    }
    let skips = if skipped.is_empty() { String::new() } else { format!(", none at the skipped heights {skipped:?}") };
    Ok(format!("{found} block events in {from}..={to}, each at its block's hash, the same in pieces{skips} ({how})"))
}

/// Fired triggers appear, once each, in the events of their range, the same on every
/// query and however the range is split.
pub async fn events_complete_and_stable(kit: &mut Kit) -> Result<String, Outcome> {
    let d = kit.deployment()?;
    let filters = [EventFilter::ContractEvent(d.trigger_filter.clone())];
    let result = kit.conn.head(BlockTag::Latest).await;
    let from = kit.check("head", result)?.height + 1;
    let mut txs = Vec::new();
    for i in 0..FIRED {
        let payload = vec![0xe0, i as u8];
        let result = kit.conn.fire_trigger(&d.trigger, &payload).await;
        let tx = kit.check("fire-trigger", result)?;
        kit.fired.push((tx.clone(), payload));
        txs.push(tx);
    }
    let result = kit.conn.head(BlockTag::Latest).await;
    let to = kit.check("head", result)?.height;
    let result = kit.conn.events(&filters, from, to).await;
    let whole = kit.check("events", result)?;
    for tx in &txs {
        let n = whole.iter().filter(|e| &e.position.tx_hash == tx).count();
        ensure(n == 1, format!("trigger tx 0x{} once in events({from}..={to})", hex::encode(tx)), format!("{n} times"))?;
    }
    let blocks = whole.iter().filter(|e| !matches!(e.body, EventBody::Contract(_))).count();
    ensure(blocks == 0, "only contract events for a contract-event filter", format!("{blocks} block events"))?;
    let keys: Vec<String> = whole.iter().map(key).collect();
    let result = kit.conn.events(&filters, from, to).await;
    let again: Vec<String> = kit.check("events", result)?.iter().map(key).collect();
    ensure(again == keys, format!("events({from}..={to}) the same on a second query"), format!("{} events, then {}", keys.len(), again.len()))?;
    for cut in from..to {
        let result = kit.conn.events(&filters, from, cut).await;
        let mut parts: Vec<String> = kit.check("events", result)?.iter().map(key).collect();
        let result = kit.conn.events(&filters, cut + 1, to).await;
        parts.extend(kit.check("events", result)?.iter().map(key));
        ensure(
            parts == keys,
            format!("events({from}..={to}) split at {cut}: the same events"),
            format!("{} events in pieces, {} whole (a gap or a duplicate)", parts.len(), keys.len()),
        )?;
    }
    Ok(format!("{FIRED} triggers found once each in {from}..={to}; {} splits agree", to - from))
}

/// Positions are unique and strictly increase in the order events are returned.
pub async fn positions_monotonic(kit: &mut Kit) -> Result<String, Outcome> {
    let d = kit.deployment()?;
    let filters = [EventFilter::ContractEvent(d.trigger_filter.clone())];
    let result = kit.conn.head(BlockTag::Latest).await;
    let to = kit.check("head", result)?.height;
    let from = to.saturating_sub(200).max(1);
    let result = kit.conn.events(&filters, from, to).await;
    let events = kit.check("events", result)?;
    ensure(!events.is_empty(), format!("the {} fired triggers in events({from}..={to})", kit.fired.len()), "no events")?;
    let positions: Vec<(u64, u32, u32)> = events.iter().map(|e| (e.position.height, e.position.tx_index, e.position.index)).collect();
    for pair in positions.windows(2) {
        ensure(pair[0] < pair[1], "positions (height, tx-index, index) strictly increasing", format!("{:?} followed by {:?}", pair[0], pair[1]))?;
    }
    for e in &events {
        ensure((from..=to).contains(&e.position.height), format!("events within {from}..={to}"), format!("an event at height {}", e.position.height))?;
    }
    Ok(format!("{} events, positions strictly increasing", events.len()))
}
