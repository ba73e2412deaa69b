//! adapters/README.md, every block in order: a starter from `wavs new adapter`, built,
//! proven with the conformance kit on the guide's own chain file (against the devnet's
//! anvil), then installed as the guide's `wavs.toml` says, on a node of its own.

use crate::standalone::assert_standalone;
use crate::walker::{Background, Guide, Reader, run};
use serde_json::Value;
use std::time::Duration;
use wavs_devnet::process::free_port;

const MINUTE: Duration = Duration::from_secs(60);
/// Anvil's first development account: a funded key, as the chain file asks.
const FUNDED_KEY: &str = "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80";

pub fn walk(reader: &mut Reader, rpc: &str) {
    let mut guide = Guide::open("adapters/README.md");
    run(reader, &guide.next("wavs new adapter mychain --dir ~/src"), MINUTE);
    let crate_dir = reader.crate_dir("mychain");
    assert_standalone(&crate_dir);
    reader.share_target("mychain");
    let build = run(reader, &guide.next("cd ~/src/mychain"), 20 * MINUTE);
    assert!(!build.stderr.contains("warning"), "the crate builds without warnings:\n{}", build.stderr);
    let wasm = crate_dir.join("target/wasm32-wasip2/release/mychain.wasm");
    assert!(wasm.exists(), "{}", wasm.display());

    // Conformance: the kit's command, then the chain file it reads, as the guide shows it.
    let kit = guide.next("wavs-conformance --adapter");
    let chain_file = guide.next("family = \"mychain\"");
    reader.fill("http://127.0.0.1:26657", rpc);
    reader.fill("\"0x...\"", &format!("\"{FUNDED_KEY}\""));
    std::fs::write(crate_dir.join("conformance.toml"), reader.filled(&chain_file)).unwrap();
    reader.fill("[--json report.json]", "--json report.json");
    let script = reader.filled(&kit);
    eprintln!("[walk] {}: {}", kit.at(), kit.first_line());
    let ran = reader.shell.run(&script, 10 * MINUTE);
    assert_eq!(ran.code, Some(1), "the kit fails the starter's unfinished steps:\n{}", ran.both());
    let report: Value = serde_json::from_str(&std::fs::read_to_string(crate_dir.join("report.json")).unwrap()).unwrap();
    assert_only_unfinished_steps_fail(&report, "mychain");

    // Install: the guide's wavs.toml (with its [limits.adapter]) runs a node that loads the file.
    let config = guide.next("# wavs.toml");
    let limits = guide.next("[limits.adapter]");
    let operator = reader.home.path().join("operator");
    std::fs::create_dir_all(operator.join("adapters")).unwrap();
    std::fs::copy(&wasm, operator.join("adapters/mychain.wasm")).unwrap();
    reader.fill("127.0.0.1:8000", &format!("127.0.0.1:{}", free_port()));
    std::fs::write(operator.join("wavs.toml"), format!("{}\n{}", reader.filled(&config), reader.filled(&limits))).unwrap();
    guide.finish();
    let wavs = wavs_devnet::paths::binary("wavs");
    let _node = Background::start(&format!("exec {} node --config wavs.toml", wavs.display()), &operator, "node ready", 2 * MINUTE);
    let listed = std::process::Command::new(&wavs).args(["--config", "wavs.toml", "--json", "adapters", "list"]).current_dir(&operator).output().unwrap();
    let text = String::from_utf8_lossy(&listed.stdout);
    assert!(listed.status.success() && text.contains("\"mychain\""), "the node serves mychain from its adapters-dir:\n{text}\n{}", String::from_utf8_lossy(&listed.stderr));
}

/// The kit's verdict on a fresh starter: it loads, describes itself as `family`, imports
/// nothing foreign; every failure is a method the starter leaves `unsupported`, naming its
/// guide step; every skip says why.
fn assert_only_unfinished_steps_fail(report: &Value, family: &str) {
    let checks = report["checks"].as_array().expect("checks");
    let status = |name: &str| checks.iter().find(|c| c["name"] == name).map(|c| c["status"].clone());
    for name in ["loads", "describe", "imports"] {
        assert_eq!(status(name), Some("pass".into()), "{name}: {report}");
    }
    assert_eq!(report["family"], family);
    for check in checks {
        match check["status"].as_str().unwrap() {
            // check-filter passes too: the starter checks block intervals and refuses kinds
            // it does not know, which is all the check asks without contracts.
            "pass" => assert!(["loads", "describe", "imports", "check-filter"].contains(&check["name"].as_str().unwrap()), "the starter cannot pass {check}"),
            "skipped" => assert!(!check["detail"].as_str().unwrap().is_empty(), "{check}"),
            "fail" => {
                let (seen, guide) = (check["seen"].as_str().unwrap(), check["guide"].as_str().unwrap());
                assert!(seen.contains("(unsupported)") && seen.contains("not implemented yet — see adapters/README.md step"), "{check}");
                assert!(guide.starts_with("adapters/README.md#step-"), "{check}");
            }
            other => panic!("status {other}: {check}"),
        }
    }
}
