//! The kit as a chain team runs it: the binary against the reference adapters on real
//! chains (every check passes), and against adapters that are not done or not adapters
//! at all (it fails, naming the checks).

use serde_json::Value;
use std::path::Path;
use std::process::Command;
use wavs_devnet::chain::LocalChain;
use wavs_devnet::keys::DEV_MNEMONIC;
use wavs_devnet::{guest, wasmd};

/// The funded dev account, as the chain file's `[deployer]`.
fn dev_deployer() -> String {
    format!("mnemonic = \"{DEV_MNEMONIC}\"\nhd-path = \"m/44'/60'/0'/0/0\"\n")
}

fn chain_file(dir: &Path, family: &str, chain: &LocalChain) -> std::path::PathBuf {
    chain_file_with(dir, family, chain, None, &dev_deployer())
}

/// The chain file, naming `second` (same family, another chain id) as `[second-chain]`.
fn chain_file_with_second(dir: &Path, family: &str, chain: &LocalChain, second: Option<&LocalChain>) -> std::path::PathBuf {
    chain_file_with(dir, family, chain, second, &dev_deployer())
}

/// The chain file with `deployer` as the body of `[deployer]`.
fn chain_file_with(dir: &Path, family: &str, chain: &LocalChain, second: Option<&LocalChain>, deployer: &str) -> std::path::PathBuf {
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
    text += &format!("\n[deployer]\n{deployer}");
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

fn check_of<'a>(report: &'a Value, check: &str) -> &'a Value {
    report["checks"].as_array().unwrap().iter().find(|c| c["name"] == check).unwrap_or_else(|| panic!("no check {check}"))
}

fn status_of<'a>(report: &'a Value, check: &str) -> (&'a str, &'a str) {
    let c = check_of(report, check);
    (c["status"].as_str().unwrap(), c["detail"].as_str().unwrap())
}

/// A failure's expected, seen and guide fields.
fn failure_of<'a>(report: &'a Value, check: &str) -> (&'a str, &'a str, &'a str) {
    let c = check_of(report, check);
    assert_eq!(c["status"], "fail", "{check}: {c}");
    (c["expected"].as_str().unwrap(), c["seen"].as_str().unwrap(), c["guide"].as_str().unwrap())
}

fn names_with_status<'a>(report: &'a Value, status: &str) -> Vec<&'a str> {
    let checks = report["checks"].as_array().unwrap();
    checks.iter().filter(|c| c["status"] == status).map(|c| c["name"].as_str().unwrap()).collect()
}

fn assert_all_pass(code: i32, report: &Value) {
    let checks = report["checks"].as_array().expect("a report");
    assert!(checks.len() >= 21, "every check ran: {report}");
    let not_passed: Vec<&Value> = checks.iter().filter(|c| c["status"] != "pass").collect();
    assert!(not_passed.is_empty(), "checks not passed: {not_passed:?}");
    assert_eq!(code, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_evm_adapter_passes_on_anvil_and_unfinished_adapters_fail_by_name() {
    let dir = tempfile::tempdir().unwrap();
    // Both anvils mine only on transactions (no --block-time): every block a check needs,
    // the kit makes itself through the testing interface.
    let chain = LocalChain::start_anvil(dir.path()).await.unwrap();
    let second = LocalChain::start_anvil_with_id(dir.path(), 31338).await.unwrap();
    let file = chain_file_with_second(dir.path(), "evm", &chain, Some(&second));
    let (code, _, report) = run_kit(dir.path(), &guest("adapters/evm.wasm"), &file);
    assert_all_pass(code, &report);
    let (_, detail) = status_of(&report, "head-advances");
    assert!(detail.contains("fire-trigger (1 transactions) made blocks"), "the kit made the block: {detail}");
    let (_, detail) = status_of(&report, "block-interval-events");
    assert!(detail.contains("block events in"), "{detail}");
    assert!(status_of(&report, "service-uri-follows-changes").1.contains("both changes seen"), "the services check ran");
    assert!(status_of(&report, "head-safe-finalized").1.contains("finalized 0, safe 0"), "anvil's safe and finalized lag 32 and 64 blocks");
    for check in ["signature-bound-to-handler", "signature-bound-to-chain"] {
        eprintln!("[figures] evm {check}: {}", status_of(&report, check).1);
    }
    // Without a second chain the cross-chain check is skipped, and says why.
    let (_, _, report) = run_kit(dir.path(), &guest("adapters/evm.wasm"), &chain_file(dir.path(), "evm", &chain));
    let (status, detail) = status_of(&report, "signature-bound-to-chain");
    assert_eq!(status, "skipped");
    assert!(detail.contains("[second-chain]"), "{detail}");

    // A deployer with no funds: nothing deploys, so the kit cannot make blocks, and a
    // check that needs one is skipped with what the chain must do, never passed or failed.
    let poor = "private-key = \"0x00000000000000000000000000000000000000000000000000000000000b0b01\"\n";
    let file = chain_file_with(dir.path(), "evm", &chain, None, poor);
    let (code, _, report) = run_kit(dir.path(), &guest("adapters/evm.wasm"), &file);
    assert_eq!(code, 1, "the failed deployment fails the run");
    let (_, seen, guide) = failure_of(&report, "deploy-reference-contracts");
    assert!(seen.contains("nsufficient funds"), "{seen}");
    assert_eq!(guide, "adapters/README.md#step-10-optional-the-testing-interface");
    let (status, detail) = status_of(&report, "head-advances");
    assert_eq!(status, "skipped", "{detail}");
    assert!(detail.contains("made no block in 10 s") && detail.contains("anvil --block-time 1"), "{detail}");
    // What needs no new block still runs; what needs contracts is skipped.
    for check in ["head-safe-finalized", "block-hashes-stable", "block-interval-events", "dead-rpc-transient"] {
        assert_eq!(status_of(&report, check).0, "pass", "{check}");
    }
    assert_eq!(status_of(&report, "submit-lands-once").0, "skipped");

    // The starter passes only what it does (load, describe, import nothing foreign, check
    // a block-interval filter and refuse an unknown kind); every other check fails naming
    // the step to do, or is skipped saying why.
    let (code, stdout, report) = run_kit(dir.path(), &guest("adapters/starter.wasm"), &chain_file(dir.path(), "starter", &chain));
    assert_eq!(code, 1, "a failing check exits 1");
    assert_eq!(names_with_status(&report, "pass"), ["loads", "describe", "imports", "check-filter"]);
    let (expected, seen, guide) = failure_of(&report, "head-advances");
    assert_eq!(expected, "head to answer");
    assert!(seen.contains("unsupported") && seen.contains("not implemented"), "{seen}");
    assert_eq!(guide, "adapters/README.md#step-3-head-and-block-hash");
    assert!(stdout.contains("fix:      adapters/README.md#step-3-head-and-block-hash"), "{stdout}");
    for check in ["head-safe-finalized", "block-hashes-stable", "block-interval-events"] {
        assert_eq!(failure_of(&report, check).2, "adapters/README.md#step-3-head-and-block-hash", "{check}");
    }
    let (expected, _, guide) = failure_of(&report, "bad-contract-not-transient");
    assert!(expected.contains("rejected or invalid-config"), "{expected}");
    assert_eq!(guide, "adapters/README.md#step-9-is-handled-and-handler-info");
    // It reads no chain: the checks of reading one did not run, and say so.
    let skipped = [
        ("malformed-rpc-no-trap", "sent no request"),
        ("within-default-limits", "no call that reads or writes the chain succeeded"),
        ("dead-rpc-transient", "fails on the live chain too"),
        ("deploy-reference-contracts", "no testing interface"),
        ("submit-lands-once", "no testing interface"),
        ("service-uri-follows-changes", "exports no services interface"),
    ];
    for (check, why) in skipped {
        let (status, detail) = status_of(&report, check);
        assert_eq!(status, "skipped", "{check}: {detail}");
        assert!(detail.contains(why), "{check}: {detail}");
    }

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
    assert!(status_of(&report, "service-uri-follows-changes").1.contains("both changes seen"), "the services check ran");
    for check in ["signature-bound-to-handler", "signature-bound-to-chain"] {
        eprintln!("[figures] cosmos {check}: {}", status_of(&report, check).1);
    }
}

/// A chain that skips heights (the sparse-chain fixture: a synthetic clock chain, no RPC
/// and no contracts): the block checks pass, stepping over the skipped heights, and the
/// adapter's own trigger kind is accepted by `describe`.
#[test]
fn a_chain_that_skips_heights_passes_the_block_checks() {
    let dir = tempfile::tempdir().unwrap();
    let now_ms = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_millis();
    let text = format!(
        "name = \"test\"\nfamily = \"sparse\"\nchain-id = \"sparse-1\"\nrpc-urls = [\"http://127.0.0.1:9\"]\n\n\
         [options]\ngenesis-ms = \"{now_ms}\"\nblock-ms = \"100\"\nskip-every = \"3\"\n\n[deployer]\n{}",
        dev_deployer()
    );
    let file = dir.path().join("sparse.toml");
    std::fs::write(&file, text).unwrap();
    let (_, _, report) = run_kit(dir.path(), &guest("fixtures/sparse-chain.wasm"), &file);
    for check in ["loads", "describe", "imports", "head-safe-finalized", "block-hashes-stable", "block-interval-events", "check-filter"] {
        assert_eq!(status_of(&report, check).0, "pass", "{check}: {}", check_of(&report, check));
    }
    let (_, detail) = status_of(&report, "block-interval-events");
    assert!(detail.contains("none at the skipped heights"), "{detail}");
    assert!(status_of(&report, "describe").1.contains("tick"), "the adapter's own trigger kind is a valid one");
}
