//! Runtime benchmarks (criterion). Run with `cargo bench -p wavs-runtime`, after
//! `scripts/build-guests.sh` (the components are read from `target/guests/components`).
//!
//! Benchmark ids (criterion's `<group>/<function>`) and what one iteration measures:
//!
//! | id                        | one iteration |
//! |---------------------------|---------------|
//! | `exec/echo`               | `ComponentRunner::execute` of `echo` on a 32-byte raw payload: new store (HTTP policy, limits, fuel, stderr capture; the WASI context is built only if the guest calls WASI, which echo does not) + instantiate + call `run` + lift the result. The component is precompiled and loaded once from the on-disk cache (memory-mapped). |
//! | `exec/square`             | the same for `square` (squares a uint256). |
//! | `exec/import-loop`        | the same for `import-loop`, which calls the `config-var` host import 1,000 times in one execution (divide by 1,000 for one guest→host call, plus the fixed cost of `exec/echo`). |
//! | `floor/bare-echo`         | the bare-wasmtime floor: nothing of WAVS, only the same engine `Config` (`wavs_runtime::engine::engine_config`), `components/bare-echo` (echo against its own one-function world, which imports nothing, so no WASI is linked), a plain `Linker`, `Store::new` + `instantiate_async` + call. |
//! | `floor/echo-wasi`         | diagnostic: `echo.wasm` itself (service world; Rust std makes it import 13 WASI interfaces and instantiate 3 core modules where bare-echo has 1) through a plain `Linker` with WASI p2 and the unused WAVS imports as traps, `Store::new` with a freshly built `WasiCtx` + `instantiate_async` + call. `exec/echo` ÷ this is the runner's own overhead on the same component; `floor/echo-wasi` ÷ `floor/bare-echo` is what the service world's shape costs. |
//! | `signer/sign-digest`      | `Signer::sign_digest` of a 32-byte digest (secp256k1, recoverable, low-s). |
//! | `signer/recover-public-key` | `recover_public_key` of that signature (k256 parses and checks it, libsecp256k1 recovers). |
//! | `signer/recover-k256`     | candidate: k256's `VerifyingKey::recover_from_prehash` alone. |
//! | `signer/recover-libsecp256k1` | candidate: libsecp256k1's `recover_ecdsa` alone (the `secp256k1` crate). |
//!
//! Machine-readable results: criterion writes `target/criterion/<group>/<function>/new/estimates.json`
//! (times in ns) as usual; at the end this harness also writes
//! `target/criterion/wavs-runtime-summary.json` (path printed): for every id above that
//! ran in this invocation, `mean_ns`, `median_ns`, `slope_ns` (the figure criterion prints)
//! and the mean's 95 % bounds (all in ns), plus the ratios of
//! means `echo_over_floor` (`exec/echo` ÷ `floor/bare-echo`; the target is at most 1.3)
//! and `echo_over_same_component_floor` (`exec/echo` ÷ `floor/echo-wasi`), and
//! `host_import_call_ns` ((`exec/import-loop` − `exec/echo`) ÷ 1,000). A derived value is
//! null when one side did not run (a filter was given). `CRITERION_HOME` or
//! `CARGO_TARGET_DIR` move both files, as they move criterion's own output.
//!
//! Duration: 0.5 s warm-up + 2 s of measurement per benchmark, under a minute in all.
//! `WAVS_BENCH_QUICK=1` measures each for a fraction of a second (a smoke test for CI:
//! every benchmark still runs its component once and checks the answer first).

use criterion::Criterion;
use std::collections::BTreeMap;
use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;
use wavs_runtime::bindings::wit_types::{TriggerAction, TriggerData};
use wavs_runtime::{ComponentRunner, ExecPermissions, Limits, LoadSource, MemoryKv, ServiceKv, Signer, WasmEngine};

/// The bare world's host bindings: generated from the component's own WIT.
mod bare {
    wasmtime::component::bindgen!({
        path: "../../components/bare-echo/wit",
        world: "bare",
        exports: { default: async },
    });
}

/// The ids that ran in this process (a filter may skip some; their old estimates stay
/// on disk and must not be reported).
static RAN: std::sync::Mutex<Vec<String>> = std::sync::Mutex::new(Vec::new());

fn mark(id: String) {
    let mut ran = RAN.lock().expect("lock");
    if !ran.contains(&id) {
        ran.push(id);
    }
}

fn quick() -> bool {
    std::env::var("WAVS_BENCH_QUICK").is_ok_and(|v| !v.is_empty() && v != "0")
}

fn target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target"))
}

fn guest(name: &str) -> Vec<u8> {
    let path = target_dir().join("guests/components").join(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e} (run scripts/build-guests.sh)", path.display()))
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread().enable_all().build().expect("tokio runtime")
}

fn action(payload: &[u8]) -> TriggerAction {
    TriggerAction { service_id: "bench".into(), workflow_id: "w".into(), data: TriggerData::Raw(payload.to_vec()) }
}

/// A runner whose components were compiled by an earlier engine and are now loaded from
/// the on-disk cache, as on a node restart.
struct Runner {
    runner: ComponentRunner,
    digests: BTreeMap<&'static str, String>,
    _cache: tempfile::TempDir,
}

fn precompiled_runner(names: &[&'static str]) -> Runner {
    let cache = tempfile::tempdir().expect("temp dir");
    let compiling = ComponentRunner::new(WasmEngine::new(cache.path()).expect("engine")).expect("runner");
    for name in names {
        compiling.load(&guest(&format!("{name}.wasm"))).expect("compiles");
    }
    drop(compiling);
    let runner = ComponentRunner::new(WasmEngine::new(cache.path()).expect("engine")).expect("runner");
    let mut digests = BTreeMap::new();
    for name in names {
        let (digest, source) = runner.load(&guest(&format!("{name}.wasm"))).expect("loads");
        assert_eq!(source, LoadSource::Cache, "{name} should load precompiled");
        digests.insert(*name, digest);
    }
    Runner { runner, digests, _cache: cache }
}

fn bench_exec(c: &mut Criterion) {
    let rt = runtime();
    let Runner { runner, digests, _cache } = precompiled_runner(&["echo", "square", "import-loop"]);
    let limits = Limits::COMPONENT_DEFAULT;
    let kv = ServiceKv::new(Arc::new(MemoryKv::new()), "bench");
    let no_config = ExecPermissions { allowed_http_hosts: vec![], config: BTreeMap::new(), secrets: Default::default(), determinism: None };
    let with_config = ExecPermissions {
        allowed_http_hosts: vec![],
        config: BTreeMap::from([("key".to_string(), "value".to_string())]),
        secrets: Default::default(),
        determinism: None,
    };

    let mut uint256 = [0u8; 32];
    uint256[31] = 12;
    let cases: [(&str, TriggerAction, &ExecPermissions, Vec<u8>); 3] = [
        ("echo", action(&[7u8; 32]), &no_config, vec![7u8; 32]),
        ("square", action(&uint256), &no_config, {
            let mut out = [0u8; 32];
            out[31] = 144;
            out.to_vec()
        }),
        // The key is set, so every one of the 1,000 calls returns a string.
        ("import-loop", action(b"key"), &with_config, 1000u32.to_be_bytes().to_vec()),
    ];

    let mut group = c.benchmark_group("exec");
    for (name, action, permissions, expected) in &cases {
        let digest = &digests[name];
        let run = || rt.block_on(runner.execute(digest, action, &limits, permissions, kv.clone()));
        let out = run().unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(out.responses.len(), 1, "{name}");
        assert_eq!(&out.responses[0].payload, expected, "{name}");
        group.bench_function(*name, |b| {
            mark(format!("exec/{name}"));
            b.iter(|| black_box(run().expect("executes")))
        });
    }
    group.finish();
}

/// The floor: the same engine settings, a component with echo's logic in a world of its
/// own, and nothing of WAVS between `Store::new` and the call.
fn bench_floor(c: &mut Criterion) {
    use wasmtime::component::{Component, Linker, ResourceTable};
    use wasmtime::{Engine, Store};

    let rt = runtime();
    let engine = Engine::new(&wavs_runtime::engine::engine_config()).expect("engine");
    // Precompiled and memory-mapped, like the runner's components.
    let dir = tempfile::tempdir().expect("temp dir");
    let artifact = dir.path().join("bare-echo.cwasm");
    let compiled = Component::new(&engine, guest("bare-echo.wasm")).expect("compiles");
    std::fs::write(&artifact, compiled.serialize().expect("serializes")).expect("writes");
    // SAFETY: the artifact was just serialized by this engine.
    let component = unsafe { Component::deserialize_file(&engine, &artifact) }.expect("deserializes");

    let imports: Vec<String> = component.component_type().imports(&engine).map(|(name, _)| name.to_string()).collect();
    struct Host {
        table: ResourceTable,
        wasi: Option<wasmtime_wasi::WasiCtx>,
    }
    impl wasmtime_wasi::WasiView for Host {
        fn ctx(&mut self) -> wasmtime_wasi::WasiCtxView<'_> {
            wasmtime_wasi::WasiCtxView { ctx: self.wasi.as_mut().expect("WASI linked"), table: &mut self.table }
        }
    }
    // Only what the component imports: WASI p2 if wit-bindgen's output needs it.
    let needs_wasi = imports.iter().any(|i| i.starts_with("wasi:"));
    let mut linker = Linker::<Host>::new(&engine);
    if needs_wasi {
        wasmtime_wasi::p2::add_to_linker_async(&mut linker).expect("links WASI");
    }
    println!("floor/bare-echo imports: {imports:?} (WASI linked: {needs_wasi})");
    let pre = bare::BarePre::new(linker.instantiate_pre(&component).expect("links")).expect("exports run");

    let input = vec![7u8; 32];
    let run = || {
        rt.block_on(async {
            let host = Host {
                table: ResourceTable::new(),
                wasi: needs_wasi.then(|| wasmtime_wasi::WasiCtx::builder().build()),
            };
            let mut store = Store::new(&engine, host);
            store.set_fuel(u64::MAX).expect("fuel");
            // The engine interrupts by epoch; nothing ticks it here, but a store needs a deadline.
            store.set_epoch_deadline(1 << 40);
            let bare = pre.instantiate_async(&mut store).await.expect("instantiates");
            bare.call_run(&mut store, &input).await.expect("calls")
        })
    };
    assert_eq!(run(), input);
    let mut group = c.benchmark_group("floor");
    group.bench_function("bare-echo", |b| {
        mark("floor/bare-echo".into());
        b.iter(|| black_box(run()))
    });
    group.finish();
}

/// Diagnostic: `echo.wasm` itself through a plain `Linker` (WASI p2, the WAVS imports
/// it does not call defined as traps), so `exec/echo` ÷ this is the runner's own
/// overhead, without the difference between the service world and the bare one.
fn bench_floor_echo(c: &mut Criterion) {
    use wasmtime::component::{Component, Linker, ResourceTable};
    use wasmtime::{Engine, Store};
    mod service {
        wasmtime::component::bindgen!({
            path: "../../wit/service",
            world: "service",
            exports: { default: async },
        });
    }
    use service::wavs::types::types::{TriggerAction, TriggerData};

    let rt = runtime();
    let engine = Engine::new(&wavs_runtime::engine::engine_config()).expect("engine");
    let dir = tempfile::tempdir().expect("temp dir");
    let artifact = dir.path().join("echo.cwasm");
    let compiled = Component::new(&engine, guest("echo.wasm")).expect("compiles");
    std::fs::write(&artifact, compiled.serialize().expect("serializes")).expect("writes");
    // SAFETY: the artifact was just serialized by this engine.
    let component = unsafe { Component::deserialize_file(&engine, &artifact) }.expect("deserializes");
    struct Host {
        table: ResourceTable,
        wasi: wasmtime_wasi::WasiCtx,
    }
    impl wasmtime_wasi::WasiView for Host {
        fn ctx(&mut self) -> wasmtime_wasi::WasiCtxView<'_> {
            wasmtime_wasi::WasiCtxView { ctx: &mut self.wasi, table: &mut self.table }
        }
    }
    let mut linker = Linker::<Host>::new(&engine);
    wasmtime_wasi::p2::add_to_linker_async(&mut linker).expect("links WASI");
    linker.define_unknown_imports_as_traps(&component).expect("links the rest");
    let pre = service::ServicePre::new(linker.instantiate_pre(&component).expect("links")).expect("exports run");
    let action = TriggerAction { service_id: "bench".into(), workflow_id: "w".into(), data: TriggerData::Raw(vec![7u8; 32]) };
    let run = || {
        rt.block_on(async {
            let host = Host { table: ResourceTable::new(), wasi: wasmtime_wasi::WasiCtx::builder().build() };
            let mut store = Store::new(&engine, host);
            store.set_fuel(u64::MAX).expect("fuel");
            // The engine interrupts by epoch; nothing ticks it here, but a store needs a deadline.
            store.set_epoch_deadline(1 << 40);
            let service = pre.instantiate_async(&mut store).await.expect("instantiates");
            service.call_run(&mut store, &action).await.expect("calls").expect("echoes")
        })
    };
    assert_eq!(run()[0].payload, vec![7u8; 32]);
    let mut group = c.benchmark_group("floor");
    group.bench_function("echo-wasi", |b| {
        mark("floor/echo-wasi".into());
        b.iter(|| black_box(run()))
    });
    group.finish();
}

fn bench_signer(c: &mut Criterion) {
    let signer = Signer::from_hex("0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80").expect("key");
    let digest = [0x5au8; 32];
    let signature = signer.sign_digest(&digest).expect("signs");
    assert_eq!(wavs_runtime::recover_public_key(&digest, &signature).expect("recovers"), signer.public_key());
    let mut group = c.benchmark_group("signer");
    group.bench_function("sign-digest", |b| {
        mark("signer/sign-digest".into());
        b.iter(|| signer.sign_digest(black_box(&digest)).expect("signs"))
    });
    group.bench_function("recover-public-key", |b| {
        mark("signer/recover-public-key".into());
        b.iter(|| wavs_runtime::recover_public_key(black_box(&digest), black_box(&signature)).expect("recovers"))
    });
    // The candidates for the recovery alone, on the same signature.
    let sig = k256::ecdsa::Signature::from_slice(&signature[..64]).expect("parses");
    let recid = k256::ecdsa::RecoveryId::from_byte(signature[64]).expect("recovery id");
    group.bench_function("recover-k256", |b| {
        mark("signer/recover-k256".into());
        b.iter(|| k256::ecdsa::VerifyingKey::recover_from_prehash(black_box(&digest), black_box(&sig), recid).expect("recovers"))
    });
    let context = secp256k1::Secp256k1::verification_only();
    let lib_recid = secp256k1::ecdsa::RecoveryId::try_from(i32::from(signature[64])).expect("recovery id");
    let lib_sig = secp256k1::ecdsa::RecoverableSignature::from_compact(&signature[..64], lib_recid).expect("parses");
    group.bench_function("recover-libsecp256k1", |b| {
        mark("signer/recover-libsecp256k1".into());
        b.iter(|| context.recover_ecdsa(secp256k1::Message::from_digest(black_box(digest)), black_box(&lib_sig)).expect("recovers"))
    });
    group.finish();
}

/// Every benchmark id this file defines, for the summary.
const IDS: [&str; 9] = [
    "exec/echo",
    "exec/square",
    "exec/import-loop",
    "floor/bare-echo",
    "floor/echo-wasi",
    "signer/sign-digest",
    "signer/recover-public-key",
    "signer/recover-k256",
    "signer/recover-libsecp256k1",
];

fn criterion_dir() -> PathBuf {
    std::env::var_os("CRITERION_HOME").map(PathBuf::from).unwrap_or_else(|| target_dir().join("criterion"))
}

/// Collects criterion's estimates of the benchmarks that ran into one JSON file.
fn write_summary(quick: bool) {
    let dir = criterion_dir();
    let mut benchmarks = serde_json::Map::new();
    let ran = RAN.lock().expect("lock").clone();
    for id in IDS.iter().filter(|id| ran.iter().any(|r| r == *id)) {
        let path = dir.join(id).join("new/estimates.json");
        let Ok(text) = std::fs::read_to_string(&path) else { continue };
        let Ok(est) = serde_json::from_str::<serde_json::Value>(&text) else { continue };
        let ns = |k: &str, f: &str| est[k][f].as_f64();
        benchmarks.insert(
            id.to_string(),
            serde_json::json!({
                "mean_ns": ns("mean", "point_estimate"),
                "mean_low_ns": est["mean"]["confidence_interval"]["lower_bound"].as_f64(),
                "mean_high_ns": est["mean"]["confidence_interval"]["upper_bound"].as_f64(),
                "median_ns": ns("median", "point_estimate"),
                // The figure criterion prints first (linear regression over iteration counts).
                "slope_ns": ns("slope", "point_estimate"),
            }),
        );
    }
    let mean = |id: &str| benchmarks.get(id).and_then(|b| b["mean_ns"].as_f64());
    let ratio = mean("exec/echo").zip(mean("floor/bare-echo")).map(|(ours, floor)| ours / floor);
    let same = mean("exec/echo").zip(mean("floor/echo-wasi")).map(|(ours, floor)| ours / floor);
    let per_call = mean("exec/import-loop").zip(mean("exec/echo")).map(|(looped, echo)| (looped - echo) / 1000.0);
    let summary = serde_json::json!({
        "quick": quick,
        "benchmarks": benchmarks,
        "echo_over_floor": ratio,
        "echo_over_same_component_floor": same,
        "host_import_call_ns": per_call,
    });
    let out = dir.join("wavs-runtime-summary.json");
    match std::fs::write(&out, serde_json::to_string_pretty(&summary).expect("json")) {
        Ok(()) => println!("\nsummary written to {}", out.canonicalize().unwrap_or(out.clone()).display()),
        Err(e) => println!("\ncannot write {}: {e}", out.display()),
    }
    for (id, b) in &benchmarks {
        println!("  {id:<28} mean {:>12.0} ns", b["mean_ns"].as_f64().unwrap_or(f64::NAN));
    }
    if let Some(r) = ratio {
        println!("  exec/echo ÷ floor/bare-echo = {r:.2} (target ≤ 1.3)");
    }
    if let Some(ns) = per_call {
        println!("  one config-var host call ≈ {ns:.0} ns ((exec/import-loop − exec/echo) ÷ 1,000)");
    }
    if let Some(r) = same {
        println!("  exec/echo ÷ floor/echo-wasi = {r:.2} (the runner's own overhead on the same component)");
    }
}

fn main() {
    let quick = quick();
    let base = if quick {
        Criterion::default()
            .sample_size(10)
            .warm_up_time(Duration::from_millis(50))
            .measurement_time(Duration::from_millis(200))
    } else {
        Criterion::default()
            .sample_size(50)
            .warm_up_time(Duration::from_millis(500))
            .measurement_time(Duration::from_secs(2))
    };
    let mut c = base.without_plots().configure_from_args();
    bench_exec(&mut c);
    bench_floor(&mut c);
    bench_floor_echo(&mut c);
    bench_signer(&mut c);
    c.final_summary();
    write_summary(quick);
}
