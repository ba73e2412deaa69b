//! Misbehaves as the raw trigger payload says; anything else is echoed. Used only by
//! tests of the host's limits (`host/runtime/tests/limits.rs`,
//! `conformance/devnet/tests/fault_hostile.rs`). Modes:
//! - `loop`: spins forever without I/O; only fuel or the time limit stop it;
//! - `alloc`: allocates 1 MiB blocks until the memory limit refuses to grow;
//! - `output`: returns 16 MiB, over the default output limit;
//! - `huge-output`: returns 100 MiB, over the memory limit unless the manifest grants
//!   more, and then over the output limit;
//! - `trap`: executes `unreachable`;
//! - `panic`: panics with the message "hostile component panics on purpose";
//! - `recurse`: recurses without end until the call stack overflows.
//!
//! Modes that lean on the host rather than compute:
//! - `kv-flood`: writes 1 MiB values to the key-value store (16 keys, overwritten) 1,000
//!   times; only the host's deadline and host-call fuel stop it early;
//! - `log-flood`: logs 4 KiB lines forever;
//! - `header-bomb`: creates 6,000 HTTP header objects of 30 KiB each and keeps them all,
//!   so the host holds the bytes, not the guest's memory.

wit_bindgen::generate!({
    path: "../../wit/service",
    world: "service",
    generate_all,
});

use wavs::types::types::TriggerData;
use wavs::types::log::{LogLevel, log};

struct Hostile;

fn recurse(n: u64) -> u64 {
    // black_box keeps the optimiser from turning this into a loop.
    if n == 0 { 0 } else { 1 + recurse(std::hint::black_box(n + 1)) }
}

impl Guest for Hostile {
    fn run(action: TriggerAction) -> Result<Vec<Response>, String> {
        let TriggerData::Raw(mode) = action.data else {
            return Err("hostile component expects a raw payload".into());
        };
        match mode.as_slice() {
            b"loop" => {
                let mut x: u64 = 0;
                loop {
                    x = std::hint::black_box(x.wrapping_add(1));
                }
            }
            b"alloc" => {
                let mut hoard: Vec<Vec<u8>> = Vec::new();
                loop {
                    hoard.push(vec![1u8; 1 << 20]);
                    std::hint::black_box(&hoard);
                }
            }
            b"output" => Ok(vec![Response { payload: vec![7u8; 16 << 20], ordering: None }]),
            b"huge-output" => Ok(vec![Response { payload: vec![7u8; 100 << 20], ordering: None }]),
            b"trap" => {
                #[cfg(target_arch = "wasm32")]
                core::arch::wasm32::unreachable();
                #[cfg(not(target_arch = "wasm32"))]
                unreachable!()
            }
            b"panic" => panic!("hostile component panics on purpose"),
            b"kv-flood" => {
                let value = vec![9u8; 1 << 20];
                for i in 0..1_000 {
                    wavs::service::kv::set(&format!("flood-{}", i % 16), &value).map_err(|e| format!("{e:?}"))?;
                }
                Ok(vec![Response { payload: b"flooded".to_vec(), ordering: None }])
            }
            b"log-flood" => {
                let line = "x".repeat(4096);
                loop {
                    log(LogLevel::Info, &line);
                }
            }
            b"header-bomb" => {
                let value = vec![b'a'; 30 << 10];
                let mut held = Vec::new();
                for i in 0..6_000 {
                    let fields = wasi::http::types::Fields::new();
                    fields.append("x-bomb", &value).map_err(|e| format!("append {i}: {e:?}"))?;
                    held.push(fields);
                }
                Ok(vec![Response { payload: held.len().to_be_bytes().to_vec(), ordering: None }])
            }
            b"recurse" => Ok(vec![Response { payload: recurse(1).to_be_bytes().to_vec(), ordering: None }]),
            other => Ok(vec![Response { payload: other.to_vec(), ordering: None }]),
        }
    }
}

export!(Hostile);
