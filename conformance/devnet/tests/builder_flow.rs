//! A builder's path from nothing to a result on chain: `wavs new component demo`, build
//! it for wasm32-wasip2 as generated, run it with `wavs exec`, deploy it on a devnet
//! (anvil, three operators, quorum 2 of 3) with a chain-event trigger, fire the trigger
//! contract and read the doubled value from the handler contract.
//! Needs `scripts/build-guests.sh`, `cargo build --workspace` and anvil.

use std::path::Path;
use std::process::Command;
use std::time::Duration;
use wavs_devnet::bursts::uint;
use wavs_devnet::paths::{binary, target_dir};
use wavs_devnet::{Devnet, DevnetOptions};

fn run(cmd: &mut Command, what: &str) -> String {
    let out = cmd.output().unwrap_or_else(|e| panic!("{what}: {e}"));
    let (stdout, stderr) = (String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert!(out.status.success(), "{what} failed\nstdout: {stdout}\nstderr: {stderr}");
    stdout.into_owned()
}

/// `wavs new component demo` inside the workspace target dir, built with the workspace
/// target dir so compiled dependencies are shared. Returns the `.wasm`.
fn new_and_build(scratch: &Path) -> std::path::PathBuf {
    run(Command::new(binary("wavs")).args(["new", "component", "demo", "--dir"]).arg(scratch), "wavs new component");
    let crate_dir = scratch.join("demo");
    let cargo_toml = std::fs::read_to_string(crate_dir.join("Cargo.toml")).unwrap();
    // Relative when the crate sits inside the repo (the default target dir), absolute
    // otherwise (CARGO_TARGET_DIR elsewhere); either way it names this checkout's SDK.
    let sdk = cargo_toml
        .lines()
        .find_map(|l| l.strip_prefix("wavs-component-sdk = { path = \"")?.split('"').next())
        .unwrap_or_else(|| panic!("an SDK path dependency: {cargo_toml}"));
    let sdk = crate_dir.join(sdk).canonicalize().unwrap_or_else(|e| panic!("{sdk}: {e}"));
    assert_eq!(sdk, wavs_devnet::paths::repo_root().join("components/sdk").canonicalize().unwrap(), "{cargo_toml}");
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    // --offline: every dependency is already in the local registry cache after the
    // workspace build; set WAVS_BUILDER_ONLINE=1 to let cargo fetch.
    let mut build = Command::new(cargo);
    build.args(["build", "--target", "wasm32-wasip2", "--release"]).current_dir(&crate_dir).env("CARGO_TARGET_DIR", target_dir());
    if std::env::var_os("WAVS_BUILDER_ONLINE").is_none() {
        build.arg("--offline");
    }
    let out = build.output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "the generated component builds as is:\n{stderr}");
    assert!(!stderr.contains("warning"), "and without warnings:\n{stderr}");
    let wasm = target_dir().join("wasm32-wasip2/release/demo.wasm");
    assert!(wasm.exists(), "{} built", wasm.display());
    wasm
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_new_component_builds_runs_and_lands_on_chain() {
    std::fs::create_dir_all(target_dir().join("tmp")).unwrap();
    let scratch = tempfile::Builder::new().prefix("builder-flow-").tempdir_in(target_dir().join("tmp")).unwrap();
    let wasm = new_and_build(scratch.path());

    // Locally: 21 doubled.
    let out = run(Command::new(binary("wavs")).args(["exec", "--payload", "0x15", "--component"]).arg(&wasm), "wavs exec");
    assert!(out.contains("number   42"), "{out}");
    let out = run(Command::new(binary("wavs")).args(["--json", "exec", "--payload", "0x15", "--component"]).arg(&wasm), "wavs exec --json");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["responses"][0]["payload"].as_str().unwrap(), format!("0x{}", hex::encode(uint(42))));
    // The same number inside a TriggerFired-shaped log, written by the SDK's example.
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let mut example = Command::new(cargo);
    example.args(["run", "-q", "-p", "wavs-component-sdk", "--example", "trigger-json", "--"]).arg(format!("0x{}", hex::encode(uint(21))));
    let trigger_json = scratch.path().join("trigger.json");
    std::fs::write(&trigger_json, run(example.env("CARGO_TARGET_DIR", target_dir()), "trigger-json example")).unwrap();
    let out = run(Command::new(binary("wavs")).args(["exec", "--component"]).arg(&wasm).arg("--trigger-json").arg(&trigger_json), "wavs exec --trigger-json");
    assert!(out.contains("number   42"), "the log's payload reaches the component: {out}");

    // On a devnet: the trigger contract's TriggerFired log carries the number; the
    // doubled value lands on the handler contract with a quorum of operators.
    let devnet = Devnet::start(DevnetOptions::default(), &|s| eprintln!("[devnet] {s}")).await.expect("devnet starts");
    devnet.deploy_service(devnet.square_manifest("demo"), &[("square", wasm.clone())]).await.expect("demo deploys");
    for n in [21u128, 1 << 100] {
        let trigger = devnet.fire_trigger(&uint(n)).await.unwrap();
        let event_id = devnet.event_id("demo", &trigger);
        let payload = devnet.wait_landed(&event_id, Duration::from_secs(90)).await.unwrap();
        assert_eq!(payload, uint(2 * n), "the handler holds {n} doubled");
        eprintln!("{n}: trigger -> doubled on chain in {} ms", trigger.at.elapsed().as_millis());
    }
}
