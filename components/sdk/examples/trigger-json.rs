//! Writes a `wavs exec --trigger-json` file for a chain event shaped like the reference EVM
//! trigger contract's `TriggerFired` log carrying a payload, so a builder can run a
//! component locally on the event it will see on chain (in a crate made by `wavs new
//! component`, which holds a copy of this SDK, or in a WAVS checkout):
//!
//! ```bash
//! cargo run -q -p wavs-component-sdk --example trigger-json -- 0x15 > trigger.json
//! wavs exec --component demo.wasm --trigger-json trigger.json
//! ```

use wavs_component_sdk::{evm::TriggerFired, hex};

fn main() {
    let mut args = std::env::args().skip(1);
    let (Some(payload), None) = (args.next(), args.next()) else {
        eprintln!("usage: trigger-json PAYLOAD_HEX   (for example 0x15)");
        std::process::exit(2);
    };
    let payload = hex::decode(&payload).unwrap_or_else(|e| {
        eprintln!("payload: {e}");
        std::process::exit(2);
    });
    let (topics, data) = TriggerFired::example(&payload);
    let topics: Vec<String> = topics.iter().map(|t| format!("\"{}\"", hex::encode(t))).collect();
    println!(r#"{{"chain-event": {{"chain": "anvil", "topics": [{}], "data": "{}"}}}}"#, topics.join(", "), hex::encode(&data));
}
