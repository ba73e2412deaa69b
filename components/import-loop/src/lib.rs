//! Import loop: calls the `wavs:service/host.config-var` host import 1,000 times per
//! execution and returns how many of those calls found the variable, as 4 big-endian
//! bytes. It exists for the runtime benchmarks (`host/runtime/benches/runtime.rs`),
//! which measure the cost of a guest-to-host call; `config-var` is a pure lookup, so
//! unlike `log` it floods nothing.
//!
//! The key looked up is the trigger's raw payload as UTF-8 (`key` if it is not raw or
//! not UTF-8), so a benchmark can measure both hits and misses.

wit_bindgen::generate!({
    path: "../../wit/service",
    world: "service",
    generate_all,
});

use wavs::service::host::config_var;
use wavs::types::types::TriggerData;

/// Host calls per execution.
const CALLS: u32 = 1_000;

struct ImportLoop;

impl Guest for ImportLoop {
    fn run(action: TriggerAction) -> Result<Vec<Response>, String> {
        let key = match &action.data {
            TriggerData::Raw(bytes) => std::str::from_utf8(bytes).unwrap_or("key"),
            _ => "key",
        };
        let mut found = 0u32;
        for _ in 0..CALLS {
            if config_var(key).is_some() {
                found += 1;
            }
        }
        Ok(vec![Response { payload: found.to_be_bytes().to_vec(), ordering: None }])
    }
}

export!(ImportLoop);
