//! KV counter: keeps a counter in the service's key-value store. Every trigger, of any
//! kind, adds one and returns the new count as a 32-byte big-endian unsigned integer
//! (ABI `uint256`), so it can land on chain like `square`'s results.
//!
//! The counter lives under key `count` as 8 bytes, big-endian. Every workflow of the
//! service shares it; another service has a counter of its own.

wit_bindgen::generate!({
    path: "../../wit/service",
    world: "service",
    generate_all,
});

use wavs::service::kv::{self, KvError};

/// Where the counter is stored.
const COUNT_KEY: &str = "count";

struct KvCounter;

impl Guest for KvCounter {
    fn run(_action: TriggerAction) -> Result<Vec<Response>, String> {
        let count = match kv::get(COUNT_KEY).map_err(explain)? {
            None => 0,
            Some(bytes) => u64::from_be_bytes(bytes.as_slice().try_into().map_err(|_| {
                format!("stored `{COUNT_KEY}` is {} bytes, expected 8: delete the key to restart at zero", bytes.len())
            })?),
        };
        let next = count.checked_add(1).ok_or("counter is at u64::MAX")?;
        kv::set(COUNT_KEY, &next.to_be_bytes()).map_err(explain)?;
        let mut payload = vec![0u8; 32];
        payload[24..].copy_from_slice(&next.to_be_bytes());
        Ok(vec![Response { payload, ordering: None }])
    }
}

/// A store error as the execution record shows it.
fn explain(err: KvError) -> String {
    match err {
        KvError::Unavailable(message) => message,
        KvError::KeyTooLarge(l) => format!("key of {} bytes is over the {}-byte limit", l.size, l.limit),
        KvError::ValueTooLarge(l) => format!("value of {} bytes is over the {}-byte limit", l.size, l.limit),
        KvError::StoreFull(l) => format!("store would hold {} bytes, over its {}-byte limit", l.size, l.limit),
    }
}

export!(KvCounter);
