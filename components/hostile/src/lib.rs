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

wit_bindgen::generate!({
    path: "../../wit/service",
    world: "service",
    generate_all,
});

use wavs::types::types::TriggerData;

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
            b"recurse" => Ok(vec![Response { payload: recurse(1).to_be_bytes().to_vec(), ordering: None }]),
            other => Ok(vec![Response { payload: other.to_vec(), ordering: None }]),
        }
    }
}

export!(Hostile);
