//! The kit as a chain team runs it: the binary against the reference adapters on real
//! chains (every check passes), and against adapters that are not done or not adapters
//! at all (it fails, naming the checks).

use serde_json::Value;
use std::path::Path;
use std::process::Command;
use wavs_devnet::chain::LocalChain;
use wavs_devnet::keys::DEV_MNEMONIC;
use wavs_devnet::{guest, wasmd};

fn chain_file(dir: &Path, family: &str, chain: &LocalChain) -> std::path::PathBuf {
    chain_file_with_second(dir, family, chain, None)
}

/// The chain file, naming `second` (same family, another chain id) as `[second-chain]`.
fn chain_file_with_second(dir: &Path, family: &str, chain: &LocalChain, second: Option<&LocalChain>) -> std::path::PathBuf {
    let spec = &chain.spec;
    let urls = |spec: &wavs_types::ChainSpec| spec.rpc_urls.iter().map(|u| format!("{u:?}")).collect::<Vec<_>>().join(", ");
    let mut text = format!("name = \"test\"\nfamily = \"{family}\"\nchain-id = \"{}\"\nrpc-urls = [{}]\n", spec.chain_id, urls(spec));
    if let Some(second) = second {
        text += &format!("\n[second-chain]\nchain-id = \"{}\"\nrpc-urls = [{}]\n", second.spec.chain_id, urls(&second.spec));
    }
    text += "\n[options]\n";
    for (k, v) in &spec.options {
        text += &format!("{k} = \"{v}\"\n");
    }
    text += &format!("\n[deployer]\nmnemonic = \"{DEV_MNEMONIC}\"\nhd-path = \"m/44'/60'/0'/0/0\"\n");
    let path = dir.join(format!("{family}.toml"));
    std::fs::write(&path, text).unwrap();
    path
}

/// Runs the kit; returns its exit code, stdout and JSON report.
fn run_kit(dir: &Path, adapter: &Path, chain: &Path) -> (i32, String, Value) {
    let json = dir.join("report.json");
    let out = Command::new(env!("CARGO_BIN_EXE_wavs-conformance"))
        .args(["--adapter", adapter.to_str().unwrap(), "--chain", chain.to_str().unwrap(), "--json", json.to_str().unwrap()])
        .output()
        .expect("the kit runs");
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    eprintln!("{stdout}{}", String::from_utf8_lossy(&out.stderr));
    let report = std::fs::read_to_string(&json).map(|t| serde_json::from_str(&t).unwrap()).unwrap_or(Value::Null);
    (out.status.code().unwrap_or(-1), stdout, report)
}

fn status_of<'a>(report: &'a Value, check: &str) -> (&'a str, &'a str) {
    let c = report["checks"].as_array().unwrap().iter().find(|c| c["name"] == check).unwrap_or_else(|| panic!("no check {check}"));
    (c["status"].as_str().unwrap(), c["detail"].as_str().unwrap())
}

fn assert_all_pass(code: i32, report: &Value) {
    let checks = report["checks"].as_array().expect("a report");
    assert!(checks.len() >= 16, "every check ran: {report}");
    let not_passed: Vec<&Value> = checks.iter().filter(|c| c["status"] != "pass").collect();
    assert!(not_passed.is_empty(), "checks not passed: {not_passed:?}");
    assert_eq!(code, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_evm_adapter_passes_on_anvil_and_unfinished_adapters_fail_by_name() {
    let dir = tempfile::tempdir().unwrap();
    let chain = LocalChain::start_anvil(dir.path()).await.unwrap();
    let second = LocalChain::start_anvil_with_id(dir.path(), 31338).await.unwrap();
    let file = chain_file_with_second(dir.path(), "evm", &chain, Some(&second));
    let (code, _, report) = run_kit(dir.path(), &guest("adapters/evm.wasm"), &file);
    assert_all_pass(code, &report);
    for check in ["signature-bound-to-handler", "signature-bound-to-chain"] {
        eprintln!("[figures] evm {check}: {}", status_of(&report, check).1);
    }
    // Without a second chain the cross-chain check is skipped, and says why.
    let (_, _, report) = run_kit(dir.path(), &guest("adapters/evm.wasm"), &chain_file(dir.path(), "evm", &chain));
    let (status, detail) = status_of(&report, "signature-bound-to-chain");
    assert_eq!(status, "skipped");
    assert!(detail.contains("[second-chain]"), "{detail}");

    // The starter adapter loads and describes itself, then names each check it does not meet yet.
    let (code, stdout, report) = run_kit(dir.path(), &guest("adapters/starter.wasm"), &chain_file(dir.path(), "starter", &chain));
    assert_eq!(code, 1, "a failing check exits 1");
    for check in ["loads", "describe", "imports"] {
        assert_eq!(status_of(&report, check).0, "pass", "{check}");
    }
    let (status, detail) = status_of(&report, "head-advances");
    assert_eq!(status, "fail");
    assert!(detail.contains("not implemented"), "the failure says why: {detail}");
    assert_eq!(status_of(&report, "deploy-reference-contracts").0, "skipped");
    assert_eq!(status_of(&report, "submit-lands-once").0, "skipped", "skipped, never passed");
    assert!(stdout.contains("FAIL") && stdout.contains("skipped"), "{stdout}");

    // Not an adapter at all.
    let garbage = dir.path().join("garbage.wasm");
    std::fs::write(&garbage, b"\0asm garbage").unwrap();
    let (code, _, report) = run_kit(dir.path(), &garbage, &chain_file(dir.path(), "evm", &chain));
    assert_eq!(code, 1);
    let (status, detail) = status_of(&report, "loads");
    assert_eq!(status, "fail");
    assert!(detail.contains("refused"), "{detail}");

    // Adapters broken on purpose: the failure quotes the cause.
    for (variant, cause) in [
        ("trap-in-describe", "fixture: describe() traps on purpose"),
        ("unknown-import", "wavs-fixture:broken/missing"),
    ] {
        let fixture = guest(&format!("fixtures/adapter-{variant}.wasm"));
        let (code, _, report) = run_kit(dir.path(), &fixture, &chain_file(dir.path(), "broken", &chain));
        assert_eq!(code, 1, "{variant}");
        let (status, detail) = status_of(&report, "loads");
        assert_eq!(status, "fail", "{variant}");
        assert!(detail.contains(cause), "{variant}: {detail}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_cosmos_adapter_passes_on_wasmd() {
    let dir = tempfile::tempdir().unwrap();
    let chain = LocalChain::start_wasmd(dir.path()).await.unwrap();
    assert_eq!(chain.spec.chain_id, wasmd::CHAIN_ID);
    let second_dir = dir.path().join("second");
    std::fs::create_dir_all(&second_dir).unwrap();
    let second = LocalChain::start_wasmd_with_id(&second_dir, "wavs-local-2").await.unwrap();
    let file = chain_file_with_second(dir.path(), "cosmos", &chain, Some(&second));
    let (code, _, report) = run_kit(dir.path(), &guest("adapters/cosmos.wasm"), &file);
    assert_all_pass(code, &report);
    for check in ["signature-bound-to-handler", "signature-bound-to-chain"] {
        eprintln!("[figures] cosmos {check}: {}", status_of(&report, check).1);
    }
}
