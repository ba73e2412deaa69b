//! The guides, walked as a newcomer walks them: every command block of
//! docs/COMPONENTS.md and adapters/README.md runs, in order, in one bash session with a
//! home of its own (so `~/src` is outside the repository), its blanks (`<your handler>`,
//! `PORT`) filled from what earlier commands printed. Blocks that show a source file
//! (docs/examples, adapter code) are checked against that file. A block the walk does
//! not know fails it, so a new command in a guide needs a step here.
//! Needs `scripts/build-guests.sh`, `cargo build --workspace --bins`, anvil, cast and
//! viem (`scripts/install-tools.sh`); runs `scripts/demo.sh --evm-only --aggregator` as the guide does.

mod adapters_guide;
mod components_guide;
mod standalone;
mod walker;

#[test]
fn the_guides_work_as_written() {
    let mut reader = walker::Reader::new();
    let started = std::time::Instant::now();
    let devnet = components_guide::walk(&mut reader);
    eprintln!("[figures] docs/COMPONENTS.md walked in {} s (devnet included)", started.elapsed().as_secs());
    let started = std::time::Instant::now();
    adapters_guide::walk(&mut reader, &devnet.rpc);
    eprintln!("[figures] adapters/README.md walked in {} s", started.elapsed().as_secs());
    // The devnet's terminal: Ctrl-C (here SIGTERM) stops every process it started.
    drop(devnet.process);
}
