//! Misbehaves as the raw trigger payload says: `loop`, `alloc`, `output`, `trap`,
//! `panic`, `recurse`; anything else is echoed. Used only by tests of the host's limits.

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
