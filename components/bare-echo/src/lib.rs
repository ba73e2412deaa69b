//! Bare echo: the same logic as `components/echo` (return the input unchanged) built
//! against a minimal world of its own (`wit/bare.wit`). The runtime benchmarks run it
//! through a plain wasmtime `Linker` to measure the floor that the WAVS runner's echo
//! is compared with (`host/runtime/benches/runtime.rs`).

wit_bindgen::generate!({
    path: "wit",
    world: "bare",
});

struct BareEcho;

impl Guest for BareEcho {
    fn run(input: Vec<u8>) -> Vec<u8> {
        input
    }
}

export!(BareEcho);
