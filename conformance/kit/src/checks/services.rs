//! The optional services interface (guide step 11): the service URI a manager holds is
//! read back as set, and every change shows up through the filter `service-uri-filter`
//! returns, so a node that opted in can follow it.

use crate::guide;
use crate::kit::{Kit, ensure};
use crate::report::{Outcome, skip};
use std::time::{SystemTime, UNIX_EPOCH};
use wavs_runtime::bindings::adapter_api::{BlockTag, EventBody, EventFilter};

/// The owner sets the URI twice; each value reads back, and the filter's events over the
/// range are exactly the two changes, emitted by the manager, in order.
pub async fn service_uri_follows_changes(kit: &mut Kit) -> Result<String, Outcome> {
    if !kit.conn.has_services() {
        return skip(format!(
            "the adapter exports no services interface (adapters/README.md#{}): services defined on chain are not served",
            guide::STEP11
        ));
    }
    let d = kit.deployment()?;
    let result = kit.conn.service_uri(&d.manager).await;
    let fresh = kit.check("service-uri", result)?;
    ensure(fresh.is_empty(), format!("service-uri of the new manager {}: empty", d.manager), format!("{fresh:?}"))?;
    let result = kit.conn.service_uri_filter(&d.manager).await;
    let filter = kit.check("service-uri-filter", result)?;
    let result = kit.conn.head(BlockTag::Latest).await;
    let from = kit.check("head", result)?.height + 1;
    // Unique per run, so a value left by an earlier run cannot pass for this one.
    let nanos = SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_nanos()).unwrap_or(0);
    let uris = [format!("https://example.com/wavs-conformance/{nanos}/v1.json"), format!("ipfs://wavs-conformance-{nanos}-v2")];
    for uri in &uris {
        let result = kit.conn.set_service_uri(&d.manager, uri).await;
        kit.check("set-service-uri", result)?;
        let result = kit.conn.service_uri(&d.manager).await;
        let read = kit.check("service-uri", result)?;
        ensure(&read == uri, format!("service-uri after set-service-uri({uri:?}): the same"), format!("{read:?}"))?;
    }
    let result = kit.conn.head(BlockTag::Latest).await;
    let to = kit.check("head", result)?.height;
    let result = kit.conn.events(std::slice::from_ref(&filter), from, to).await;
    let events = kit.check("events", result)?;
    ensure(
        events.len() == uris.len(),
        format!("events(service-uri-filter, {from}..={to}): one per set-service-uri ({})", uris.len()),
        format!("{} events", events.len()),
    )?;
    let emitter = match &filter {
        EventFilter::ContractEvent(f) => Some(f.contract.clone()),
        _ => None,
    };
    for e in &events {
        let EventBody::Contract(body) = &e.body else {
            return crate::report::fail("a contract event for each change", format!("{:?} at height {}", e.body, e.position.height));
        };
        if let Some(emitter) = &emitter {
            ensure(&body.contract == emitter, format!("each change emitted by the manager {emitter}"), format!("an event of {}", body.contract))?;
        }
    }
    let positions: Vec<(u64, u32, u32)> = events.iter().map(|e| (e.position.height, e.position.tx_index, e.position.index)).collect();
    ensure(positions[0] < positions[1], "the two changes in the order they were made", format!("{positions:?}"))?;
    Ok(format!("set twice, read back each time; both changes seen through the filter in {from}..={to}"))
}
