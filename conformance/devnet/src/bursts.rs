//! Bursts of `square` triggers for fault tests: fire them (with a fault injected part
//! way), then account for every result on chain and at the aggregator.

use crate::devnet::Devnet;
use std::time::Duration;
use wavs_types::EnvelopeState;
use wavs_types::execution::ExecutionRecord;

/// `n` as a 32-byte big-endian uint, the square component's input and output encoding.
pub fn uint(n: u128) -> Vec<u8> {
    let mut out = vec![0u8; 32];
    out[16..].copy_from_slice(&n.to_be_bytes());
    out
}

/// A burst size from environment variable `var`, or `default`.
pub fn size_from_env(var: &str, default: usize) -> usize {
    std::env::var(var).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

/// Fires triggers with payloads 1..=`total` on the primary chain for service `square`,
/// calling `fault` once just before trigger `total / 2`. Returns each payload with its
/// event id.
pub async fn fire_with_fault(devnet: &mut Devnet, total: usize, fault: impl FnOnce(&mut Devnet)) -> Vec<(usize, Vec<u8>)> {
    let mut fault = Some(fault);
    let mut fired = Vec::with_capacity(total);
    for n in 1..=total {
        if n == total / 2 {
            if let Some(f) = fault.take() {
                f(devnet);
            }
        }
        let trigger = devnet.fire_trigger(&uint(n as u128)).await.expect("trigger fires");
        fired.push((n, devnet.event_id("square", &trigger)));
    }
    fired
}

/// Waits up to `timeout` for each result on chain; panics on a wrong value; returns how
/// many never landed.
pub async fn lost_squares(devnet: &Devnet, fired: &[(usize, Vec<u8>)], timeout: Duration) -> usize {
    let mut lost = 0;
    for (n, event_id) in fired {
        match devnet.wait_landed(event_id, timeout).await {
            Ok(payload) if payload == uint((*n * *n) as u128) => {}
            Ok(payload) => {
                // Say where the wrong value came from before failing: what a second read
                // answers, what the aggregator and the node hold for this event id.
                let again = devnet.handled_payload(event_id).await;
                let status = devnet.aggregator_status(event_id).await;
                let node = node_results(devnet, event_id).await;
                panic!(
                    "trigger {n}: the result on chain is 0x{} (expected the square 0x{}); read again: {again:?}; \
                     aggregator: {status:?}; node's results for event 0x{}: {node}",
                    hex::encode(&payload),
                    hex::encode(uint((*n * *n) as u128)),
                    hex::encode(event_id)
                );
            }
            Err(e) => {
                eprintln!("[fault] trigger {n} lost: {e}");
                lost += 1;
            }
        }
    }
    lost
}

/// What node 0 recorded for `event_id` (every execution of service `square` holding it).
async fn node_results(devnet: &Devnet, event_id: &[u8]) -> String {
    let Ok(records) = devnet.recent_executions(0, "square", 1000).await else { return "executions unavailable".into() };
    let holds = |r: &&ExecutionRecord| r.results.iter().any(|x| x.event_id == event_id);
    let found: Vec<String> = records.iter().filter(holds).map(|r| serde_json::to_string(r).unwrap_or_default()).collect();
    if found.is_empty() { "none".into() } else { found.join("; ") }
}

/// How many of `fired` the aggregator reports landed; panics on any other status.
pub async fn landed_at_aggregator(devnet: &Devnet, fired: &[(usize, Vec<u8>)]) -> usize {
    let mut landed = 0;
    for (n, event_id) in fired {
        match devnet.aggregator_status(event_id).await.map(|s| s.state) {
            Some(EnvelopeState::Landed { .. }) => landed += 1,
            other => panic!("trigger {n}: aggregator status {other:?}"),
        }
    }
    landed
}
