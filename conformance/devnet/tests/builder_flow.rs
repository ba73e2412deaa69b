//! What `wavs new` writes builds and runs anywhere, with no path into a WAVS checkout.
//! In a temporary folder outside the repository: `wavs new component` and `wavs new
//! adapter`; no file of either names the checkout; both build for wasm32-wasip2 as
//! generated, without warnings. The adapter goes through the conformance kit on anvil:
//! it loads and describes itself as its name says, and fails only the steps the starter
//! leaves to the chain team. The component runs with `wavs exec` (on raw bytes and on the
//! event its copy of the SDK writes), then on a devnet (anvil, three operators, quorum 2
//! of 3) with a chain-event trigger: the doubled value is read from the handler contract.
//! Needs `scripts/build-guests.sh`, `cargo build --workspace --bins` and anvil.

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;
use wavs_devnet::bursts::uint;
use wavs_devnet::chain::LocalChain;
use wavs_devnet::paths::{binary, repo_root, target_dir};
use wavs_devnet::{Devnet, DevnetOptions};

fn run(cmd: &mut Command, what: &str) -> String {
    let out = cmd.output().unwrap_or_else(|e| panic!("{what}: {e}"));
    let (stdout, stderr) = (String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert!(out.status.success(), "{what} failed\nstdout: {stdout}\nstderr: {stderr}");
    stdout.into_owned()
}

/// `cargo ARGS` in `crate_dir`, with the workspace target dir so compiled dependencies
/// are shared, and --offline: every dependency is already in the local registry cache
/// after the workspace build (set WAVS_BUILDER_ONLINE=1 to let cargo fetch).
fn cargo(crate_dir: &Path, args: &[&str]) -> Command {
    let mut cmd = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()));
    if std::env::var_os("WAVS_BUILDER_ONLINE").is_none() {
        cmd.arg("--offline");
    }
    cmd.args(args).current_dir(crate_dir).env("CARGO_TARGET_DIR", target_dir());
    cmd
}

/// Every file under `dir`.
fn files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap().map(Result::unwrap) {
        let (path, kind) = (entry.path(), entry.file_type().unwrap());
        assert!(!kind.is_symlink(), "{} is a symlink: copies only", path.display());
        if kind.is_dir() { files(&path, out) } else { out.push(path) }
    }
}

/// `wavs new KIND NAME` in `scratch`: asserts no file names the checkout, no manifest
/// inherits from a workspace, and every path dependency stays inside the crate.
fn new_standalone(kind: &str, name: &str, scratch: &Path) -> PathBuf {
    run(Command::new(binary("wavs")).args(["new", kind, name, "--dir"]).arg(scratch), &format!("wavs new {kind}"));
    let crate_dir = scratch.join(name).canonicalize().unwrap();
    let (root, mut all) = (repo_root(), Vec::new());
    files(&crate_dir, &mut all);
    assert!(all.len() > 10, "{kind}: {all:?}");
    for file in &all {
        let text = std::fs::read_to_string(file).unwrap();
        assert!(!text.contains(root.to_str().unwrap()), "{} names the checkout {}", file.display(), root.display());
        if file.file_name().unwrap() != "Cargo.toml" {
            continue;
        }
        assert!(!text.contains("workspace = true") && !text.contains(".workspace"), "{}: {text}", file.display());
        for path in text.split("path = \"").skip(1).map(|rest| rest.split('"').next().unwrap()) {
            let target = file.parent().unwrap().join(path).canonicalize().unwrap_or_else(|e| panic!("{path}: {e}"));
            assert!(target.starts_with(&crate_dir), "{}: {path} leaves the crate", file.display());
        }
    }
    crate_dir
}

/// Builds the crate as its README says; returns the `.wasm`.
fn build(crate_dir: &Path, name: &str) -> PathBuf {
    let started = std::time::Instant::now();
    let out = cargo(crate_dir, &["build", "--target", "wasm32-wasip2", "--release"]).output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{name} builds as generated:\n{stderr}");
    assert!(!stderr.contains("warning"), "and without warnings:\n{stderr}");
    eprintln!("[figures] {name} built in {} s", started.elapsed().as_secs());
    let wasm = target_dir().join(format!("wasm32-wasip2/release/{}.wasm", name.replace('-', "_")));
    let readme = std::fs::read_to_string(crate_dir.join("README.md")).unwrap();
    assert!(readme.contains("cargo build --target wasm32-wasip2 --release"), "{readme}");
    assert!(wasm.exists(), "{} built", wasm.display());
    wasm
}

/// The kit as the adapter's README runs it, on its `conformance.toml` pointed at `chain`.
fn conformance(crate_dir: &Path, wasm: &Path, chain: &LocalChain) -> (i32, Value) {
    let generated = std::fs::read_to_string(crate_dir.join("conformance.toml")).unwrap();
    let url = format!("rpc-urls = [\"{}\"]", chain.spec.rpc_urls[0]);
    let file: String = generated
        .lines()
        .map(|l| if l.starts_with("rpc-urls") { url.clone() } else if l.starts_with("chain-id") { format!("chain-id = \"{}\"", chain.spec.chain_id) } else { l.into() })
        .map(|l| l + "\n")
        .collect();
    assert!(file.contains(&url) && file != generated, "{generated}");
    let (chain_file, json) = (crate_dir.join("anvil.toml"), crate_dir.join("report.json"));
    std::fs::write(&chain_file, file).unwrap();
    let out = Command::new(binary("wavs-conformance")).arg("--adapter").arg(wasm).arg("--chain").arg(&chain_file).arg("--json").arg(&json).output().unwrap();
    eprintln!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    let report = serde_json::from_str(&std::fs::read_to_string(&json).expect("a report")).unwrap();
    (out.status.code().unwrap_or(-1), report)
}

/// The kit's verdict on a fresh adapter: it loads, describes itself as `family`, imports
/// nothing foreign; every failure is a method the starter leaves `unsupported`, naming
/// its guide step; every skip says why.
fn assert_only_unfinished_steps_fail(code: i32, report: &Value, family: &str) {
    let checks = report["checks"].as_array().expect("checks");
    let status = |name: &str| checks.iter().find(|c| c["name"] == name).map(|c| c["status"].clone());
    for name in ["loads", "describe", "imports"] {
        assert_eq!(status(name), Some("pass".into()), "{name}: {report}");
    }
    assert_eq!(report["family"], family);
    let mut failed = 0;
    for check in checks {
        match check["status"].as_str().unwrap() {
            "pass" => {}
            "skipped" => assert!(!check["detail"].as_str().unwrap().is_empty(), "{check}"),
            "fail" => {
                failed += 1;
                let (seen, guide) = (check["seen"].as_str().unwrap(), check["guide"].as_str().unwrap());
                assert!(seen.contains("(unsupported)") && seen.contains("not implemented yet — see adapters/README.md step"), "{check}");
                assert!(guide.starts_with("adapters/README.md#step-"), "{check}");
            }
            other => panic!("status {other}: {check}"),
        }
    }
    assert_eq!(code, i32::from(failed > 0), "the kit exits 1 exactly when a check fails");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn new_crates_build_outside_the_checkout_and_run() {
    let scratch = tempfile::Builder::new().prefix("wavs-new-").tempdir().unwrap();
    let outside = scratch.path().canonicalize().unwrap();
    assert!(!outside.starts_with(repo_root()), "{} is outside {}", outside.display(), repo_root().display());
    let component = new_standalone("component", "standalone-demo", &outside);
    let adapter = new_standalone("adapter", "standalone-chain", &outside);
    let wasm = build(&component, "standalone-demo");
    let adapter_wasm = build(&adapter, "standalone-chain");

    // The adapter, through the kit on a real anvil.
    let chain = LocalChain::start_anvil(&outside).await.unwrap();
    let (code, report) = conformance(&adapter, &adapter_wasm, &chain);
    assert_only_unfinished_steps_fail(code, &report, "standalone-chain");
    drop(chain);

    // The component locally: 21 doubled.
    let out = run(Command::new(binary("wavs")).args(["exec", "--payload", "0x15", "--component"]).arg(&wasm), "wavs exec");
    assert!(out.contains("number   42"), "{out}");
    let out = run(Command::new(binary("wavs")).args(["--json", "exec", "--payload", "0x15", "--component"]).arg(&wasm), "wavs exec --json");
    let v: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["responses"][0]["payload"].as_str().unwrap(), format!("0x{}", hex::encode(uint(42))));
    // The same number inside a TriggerFired-shaped log, written by the crate's SDK copy.
    let number = format!("0x{}", hex::encode(uint(21)));
    let json = run(&mut cargo(&component, &["run", "-q", "-p", "wavs-component-sdk", "--example", "trigger-json", "--", &number]), "trigger-json");
    let trigger_json = outside.join("trigger.json");
    std::fs::write(&trigger_json, json).unwrap();
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
