//! Checks of reading the chain: head, block hashes, events by range.

use crate::kit::{Kit, ensure};
use crate::report::{Outcome, fail, skip};
use std::time::{Duration, Instant};
use wavs_runtime::bindings::adapter_api::{BlockTag, ChainEvent, EventBody, EventFilter};

/// Triggers fired for the event checks.
const FIRED: usize = 4;

/// The testing interface deploys the reference contracts.
pub async fn deploy(kit: &mut Kit) -> Result<String, Outcome> {
    if !kit.has_testing() {
        return skip("the adapter has no testing interface; checks that need contracts are skipped");
    }
    let operators = kit.test_operators();
    let result = kit.conn.deploy_service(&operators, crate::kit::TEST_THRESHOLD).await;
    let d = kit.check("deploy-service", result)?;
    let summary = format!("manager {}, handler {}, trigger {}", d.manager, d.handler, d.trigger);
    kit.deployment = Some(d);
    Ok(summary)
}

/// The head moves forward (firing a trigger where the chain only makes blocks on demand).
pub async fn head_advances(kit: &mut Kit) -> Result<String, Outcome> {
    let result = kit.conn.head(BlockTag::Latest).await;
    let first = kit.check("head", result)?;
    if let Some(d) = kit.deployment.clone() {
        let result = kit.conn.fire_trigger(&d.trigger, b"head").await;
        let tx = kit.check("fire-trigger", result)?;
        kit.fired.push((tx, b"head".to_vec()));
    }
    let started = Instant::now();
    loop {
        let result = kit.conn.head(BlockTag::Latest).await;
        let now = kit.check("head", result)?;
        if now.height > first.height {
            return Ok(format!("{} -> {} in {} ms", first.height, now.height, started.elapsed().as_millis()));
        }
        if started.elapsed() > Duration::from_secs(20) {
            return fail(format!("head stayed at {} for 20 s", first.height));
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// A settled height's hash is the same every time and matches the head's; a height
/// beyond the head has none.
pub async fn block_hashes_stable(kit: &mut Kit) -> Result<String, Outcome> {
    let result = kit.conn.head(BlockTag::Latest).await;
    let head = kit.check("head", result)?;
    let result = kit.conn.block_hash(head.height).await;
    let at_head = kit.check("block-hash", result)?;
    ensure(at_head.as_deref() == Some(head.hash.as_slice()), format!("block-hash({}) differs from head's hash", head.height))?;
    let settled = head.height.saturating_sub(1).max(1);
    let result = kit.conn.block_hash(settled).await;
    let once = kit.check("block-hash", result)?;
    let result = kit.conn.block_hash(settled).await;
    let again = kit.check("block-hash", result)?;
    ensure(once.is_some(), format!("no hash for settled height {settled}"))?;
    ensure(once == again, format!("block-hash({settled}) changed between two calls"))?;
    let result = kit.conn.block_hash(head.height + 1_000_000).await;
    let future = kit.check("block-hash", result)?;
    ensure(future.is_none(), "a height a million blocks past the head has a hash")?;
    Ok(format!("height {settled} hash 0x{}", hex::encode(once.unwrap_or_default())))
}

/// A stable key for comparing events (the bindings do not derive equality).
fn key(e: &ChainEvent) -> String {
    let p = &e.position;
    format!("{}:{}:{}:{}:{}:{:?}", e.filter, p.height, hex::encode(&p.tx_hash), p.tx_index, p.index, e.body)
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
        ensure(n == 1, format!("trigger tx 0x{} appears {n} times in events({from}..={to})", hex::encode(tx)))?;
    }
    ensure(whole.iter().all(|e| matches!(e.body, EventBody::Contract(_))), "a contract filter returned a block event")?;
    let keys: Vec<String> = whole.iter().map(key).collect();
    let result = kit.conn.events(&filters, from, to).await;
    let again: Vec<String> = kit.check("events", result)?.iter().map(key).collect();
    ensure(again == keys, format!("events({from}..={to}) differ between two queries"))?;
    for cut in from..to {
        let result = kit.conn.events(&filters, from, cut).await;
        let mut parts: Vec<String> = kit.check("events", result)?.iter().map(key).collect();
        let result = kit.conn.events(&filters, cut + 1, to).await;
        parts.extend(kit.check("events", result)?.iter().map(key));
        ensure(parts == keys, format!("splitting {from}..={to} at {cut} gives a gap or a duplicate"))?;
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
    ensure(!events.is_empty(), format!("no trigger events in {from}..={to} although triggers were fired"))?;
    let positions: Vec<(u64, u32, u32)> = events.iter().map(|e| (e.position.height, e.position.tx_index, e.position.index)).collect();
    for pair in positions.windows(2) {
        ensure(pair[0] < pair[1], format!("position {:?} is followed by {:?}", pair[0], pair[1]))?;
    }
    for e in &events {
        ensure(e.position.height >= from && e.position.height <= to, format!("event at height {} outside {from}..={to}", e.position.height))?;
    }
    Ok(format!("{} events, positions strictly increasing", events.len()))
}
