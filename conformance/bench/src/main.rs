//! `wavs-bench`: system-level benchmarks of a WAVS node and aggregator, each printing
//! one JSON object per line on stdout (progress goes to stderr). See README.md.
//!
//! ```text
//! wavs-bench [scale|envelope|throughput|fsync|landing|adapter-events|aggregator-accept|intake|schemes|all]...
//! ```
//!
//! `WAVS_BENCH_QUICK=1` makes every measurement a short smoke run. The `wavs` and
//! `wavs-aggregator` binaries are taken from `WAVS_BIN_DIR`, else from the directory
//! this program was built into when they are there too (so a release build measures
//! release binaries), else from `target/debug`.

mod chain;
mod envelope;
mod intake;
mod landing;
mod scale;
mod schemes;
mod throughput;
mod util;

use std::path::Path;
use std::time::Duration;
use util::{env_list, env_num, quick};

const ALL: [&str; 9] = ["scale", "envelope", "throughput", "fsync", "landing", "adapter-events", "aggregator-accept", "intake", "schemes"];

const USAGE: &str = "\
usage: wavs-bench <measurement>... | all

measurements (each prints JSON lines on stdout):
  scale              1, 10, 100, 1000 services on one node: warm start, memory, task latency
  envelope           trigger (manual task / chain event) to signed envelope, in process
  throughput         manual tasks per second through one node (data dir on disk and tmpfs)
  fsync              a redb commit with and without durability; a bare fdatasync
  landing            results landed per second on anvil at several aggregator max-batch sizes
  adapter-events     ChainAdapter::events over 100 blocks holding 100 trigger events
  aggregator-accept  the aggregator's accept path (signature recovery, quorum, store)
  intake             signatures/s into a release aggregator (data dir on disk), many in flight
  schemes            ECDSA and BLS services at 3, 10, 30 operators: verify cost, gas per envelope, landed/s

environment:
  WAVS_BENCH_QUICK=1            short smoke run of everything
  WAVS_BENCH_SIZES=1,10,100     scale: service counts
  WAVS_BENCH_LATENCY_TASKS=200  scale: tasks timed per size
  WAVS_BENCH_SECONDS=10         throughput: seconds per concurrency
  WAVS_BENCH_CONCURRENCY=1,16,64  throughput: requests in flight
  WAVS_BENCH_TRIGGERS=1000      landing: triggers per burst
  WAVS_BENCH_BATCHES=100,1,200,500  landing: aggregator max-batch values
  WAVS_BENCH_FIRERS=8           landing: accounts firing triggers at once (1-8)
  WAVS_BENCH_INTAKE=4000,8,64   intake: envelopes, operators (each signs all), requests in flight
  WAVS_BENCH_SCHEMES=300,25     schemes: envelopes per run, aggregator max-batch
  WAVS_BENCH_OPERATORS=3,10,30  schemes: operator counts
  WAVS_BIN_DIR                  where wavs and wavs-aggregator are
";

async fn run_one(name: &str) -> Result<(), String> {
    let q = quick();
    match name {
        "scale" => {
            let sizes = env_list("WAVS_BENCH_SIZES", if q { &[1, 10] } else { &[1, 10, 100, 1000] });
            let tasks = env_num("WAVS_BENCH_LATENCY_TASKS", if q { 20 } else { 200 });
            scale::run(&sizes, &[scale::Variant::Shared, scale::Variant::Distinct], tasks).await
        }
        "envelope" => envelope::run(if q { 20 } else { 200 }, if q { 5 } else { 50 }).await,
        "throughput" => {
            let seconds = env_num("WAVS_BENCH_SECONDS", if q { 2.0 } else { 10.0 });
            let concurrency = env_list("WAVS_BENCH_CONCURRENCY", if q { &[16] } else { &[1, 16, 64] });
            throughput::run(seconds, &concurrency).await
        }
        "fsync" => throughput::fsync_probe(if q { 30 } else { 300 }),
        "landing" => {
            let triggers = env_num("WAVS_BENCH_TRIGGERS", if q { 40 } else { 1000 });
            let batches = env_list("WAVS_BENCH_BATCHES", if q { &[100, 1] } else { &[100, 1, 200, 500] });
            landing::run(triggers, &batches, env_num("WAVS_BENCH_FIRERS", 8)).await
        }
        "adapter-events" => chain::adapter_events(if q { 20 } else { 100 }, if q { 3 } else { 30 }).await,
        "aggregator-accept" => chain::aggregator_accept(if q { 30 } else { 500 }).await,
        "intake" => {
            let shape = env_list("WAVS_BENCH_INTAKE", if q { &[100, 4, 16] } else { &[4000, 8, 64] });
            let [envelopes, operators, in_flight] = shape[..] else {
                return Err("WAVS_BENCH_INTAKE takes envelopes,operators,in-flight".into());
            };
            intake::run(envelopes, operators, in_flight, &[intake::Post::Single, intake::Post::Batch(100)]).await
        }
        "schemes" => {
            let shape = env_list("WAVS_BENCH_SCHEMES", if q { &[20, 10] } else { &[300, 25] });
            let [envelopes, max_batch] = shape[..] else {
                return Err("WAVS_BENCH_SCHEMES takes envelopes,max-batch".into());
            };
            let operators = env_list("WAVS_BENCH_OPERATORS", if q { &[3, 10] } else { &[3, 10, 30] });
            schemes::run(schemes::Shape { envelopes, max_batch }, &operators).await
        }
        other => Err(format!("unknown measurement {other:?}\n{USAGE}")),
    }
}

/// Points `WAVS_BIN_DIR` at this program's own directory when the node and aggregator
/// binaries were built there too and nothing else was asked for.
fn choose_bin_dir() {
    if std::env::var_os("WAVS_BIN_DIR").is_some() {
        return;
    }
    let Some(dir) = std::env::current_exe().ok().and_then(|p| p.parent().map(Path::to_path_buf)) else { return };
    if ["wavs", "wavs-aggregator"].iter().all(|b| dir.join(b).is_file()) {
        // SAFETY: called first thing in `main`, before any other thread exists.
        unsafe { std::env::set_var("WAVS_BIN_DIR", &dir) };
    }
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.is_empty() || args.iter().any(|a| a == "-h" || a == "--help") {
        eprint!("{USAGE}");
        std::process::exit(if args.is_empty() { 2 } else { 0 });
    }
    choose_bin_dir();
    util::say(&format!(
        "binaries from {}{}",
        wavs_devnet::paths::binary("wavs").parent().map(|p| p.display().to_string()).unwrap_or_default(),
        if quick() { " (quick mode)" } else { "" }
    ));
    let names: Vec<&str> = if args.iter().any(|a| a == "all") { ALL.to_vec() } else { args.iter().map(String::as_str).collect() };
    let mut failed = false;
    for name in names {
        // A runtime per measurement: whatever one leaves running stops with it.
        let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().expect("a tokio runtime");
        let result = runtime.block_on(run_one(name));
        runtime.shutdown_timeout(Duration::from_secs(2));
        if let Err(e) = result {
            util::say(&format!("{name} failed: {e}"));
            emit!(name, { "error": e });
            failed = true;
        }
    }
    std::process::exit(i32::from(failed));
}
