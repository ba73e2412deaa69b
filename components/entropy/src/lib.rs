//! Entropy: returns 16 random bytes from `wasi:random` followed by the wall-clock time
//! (ms since the Unix epoch, u64 big-endian). Two operators running it agree on its
//! result only in a workflow's deterministic mode, which the tests show both ways.

wit_bindgen::generate!({
    path: "../../wit/service",
    world: "service",
    generate_all,
});

struct Entropy;

impl Guest for Entropy {
    fn run(_action: TriggerAction) -> Result<Vec<Response>, String> {
        let mut payload = wasi::random::random::get_random_bytes(16);
        let now = wasi::clocks::wall_clock::now();
        let ms = now.seconds * 1_000 + u64::from(now.nanoseconds / 1_000_000);
        payload.extend_from_slice(&ms.to_be_bytes());
        Ok(vec![Response { payload, ordering: None }])
    }
}

export!(Entropy);
