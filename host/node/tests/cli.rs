//! The `wavs` binary as an operator and a builder use it, against a real node process
//! with no chains (its API token generated at start, sent by the CLI through `--config`;
//! `api_guard.rs` covers finding it): service init → validate → deploy → list → add-task → exec →
//! adapters inspect → keys → chains list/add → service pause/resume → new component →
//! remove. Each step checks what a person reads, and that `--json` parses. Needs
//! `scripts/build-guests.sh` first. `conformance/devnet/tests/operator_controls.rs`
//! does chains add and pause on a devnet.

use serde_json::Value;
use std::io::BufRead;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};
use std::collections::BTreeMap;
use wavs_types::{ChainState, Finality};
use wavs_types::health::{ChainHealth, ChainSource};

const OPERATOR_KEY: &str = "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80";

fn guest(relative: &str) -> PathBuf {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../target/guests").join(relative);
    assert!(path.exists(), "{} is missing: run scripts/build-guests.sh", path.display());
    path
}

struct NodeProcess(std::process::Child);

impl Drop for NodeProcess {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// A running node as the CLI finds it: its URL (its config says port 0) and its
/// configuration file, through which the CLI reads the token the node generated.
struct Target {
    url: String,
    config: PathBuf,
}

/// Starts `wavs node` on a free port with no chains (and no api-token: it generates
/// one); returns it and where to reach it.
fn start_node(dir: &Path) -> (NodeProcess, Target) {
    let config = dir.join("wavs.toml");
    let text = format!(
        "data-dir = {:?}\nadapters-dir = {:?}\napi-addr = \"127.0.0.1:0\"\n[operator]\nprivate-key = \"{OPERATOR_KEY}\"\n",
        dir.join("data"),
        dir.join("adapters"),
    );
    std::fs::write(&config, text).unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_wavs"))
        .args(["node", "--log-format", "json", "--config"])
        .arg(&config)
        .env("RUST_LOG", "info")
        .env_remove("WAVS_API_TOKEN")
        .stderr(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    let stderr = child.stderr.take().unwrap();
    let node = NodeProcess(child);
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in std::io::BufReader::new(stderr).lines().map_while(Result::ok) {
            let _ = tx.send(line);
        }
    });
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let line = rx.recv_timeout(deadline.saturating_duration_since(Instant::now())).expect("the node never said `node ready`");
        let Ok(v) = serde_json::from_str::<Value>(&line) else { continue };
        if v["fields"]["message"] == "node ready" {
            return (node, Target { url: format!("http://{}", v["fields"]["api"].as_str().unwrap()), config });
        }
    }
}

/// Runs `wavs --config <node config> ARGS` against the node.
fn wavs(node: &Target, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_wavs"))
        .arg("--config")
        .arg(&node.config)
        .args(args)
        .env("WAVS_NODE", &node.url)
        .env_remove("WAVS_NODE_URL")
        .env_remove("WAVS_API_TOKEN")
        .env_remove("WAVS_CONFIG")
        .output()
        .unwrap()
}

/// Stdout of a command that must succeed.
fn ok(url: &Target, args: &[&str]) -> String {
    let out = wavs(url, args);
    let (stdout, stderr) = (String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert!(out.status.success(), "wavs {args:?} failed\nstdout: {stdout}\nstderr: {stderr}");
    stdout.into_owned()
}

/// Stdout of a command that must succeed with `--json`, parsed.
fn ok_json(url: &Target, args: &[&str]) -> Value {
    let args: Vec<&str> = [&["--json"], args].concat();
    let stdout = ok(url, &args);
    serde_json::from_str(&stdout).unwrap_or_else(|e| panic!("wavs {args:?}: not JSON ({e}): {stdout}"))
}

/// Stderr of a command that must fail.
fn fails(url: &Target, args: &[&str]) -> (String, String) {
    let out = wavs(url, args);
    assert!(!out.status.success(), "wavs {args:?} should fail");
    (String::from_utf8_lossy(&out.stdout).into_owned(), String::from_utf8_lossy(&out.stderr).into_owned())
}

#[test]
fn an_operator_and_a_builder_use_the_cli() {
    let dir = tempfile::tempdir().unwrap();
    let (_node, url) = start_node(dir.path());
    let echo = guest("components/echo.wasm");
    let echo_arg = format!("main={}", echo.display());
    let manifest = dir.path().join("svc.json");
    let manifest_s = manifest.to_str().unwrap();

    // service init: a manifest file, and the explanation on stderr.
    let out = wavs(&url, &["service", "init", "--id", "demo", "--out", manifest_s]);
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stdout).contains("wrote"), "says where it wrote");
    let explanation = String::from_utf8_lossy(&out.stderr);
    assert!(explanation.contains("JSON has no comments") && explanation.contains("--component main="), "{explanation}");
    let written: Value = serde_json::from_str(&std::fs::read_to_string(&manifest).unwrap()).unwrap();
    assert_eq!(written["id"], "demo");
    assert!(fails(&url, &["service", "init", "--out", manifest_s]).1.contains("exists"), "init never overwrites");

    // service validate: the empty digest is a problem until a component fills it in.
    let (stdout, stderr) = fails(&url, &["service", "validate", manifest_s]);
    assert!(stdout.contains("error: components.main.digest: empty; pass --component main=FILE.wasm"), "{stdout}");
    assert!(stderr.contains("1 problem(s)"), "{stderr}");
    let out = ok(&url, &["service", "validate", manifest_s, "--component", &echo_arg]);
    assert!(out.contains("valid"), "{out}");
    let v = ok_json(&url, &["service", "validate", manifest_s, "--component", &echo_arg]);
    assert_eq!((v["valid"].clone(), v["errors"].as_array().unwrap().len()), (Value::Bool(true), 0));
    // Every problem is listed, not just the first.
    let broken = dir.path().join("broken.json");
    std::fs::write(&broken, r#"{"id": "bad id", "components": {"c": {"digest": "xyz"}}, "workflows": {"w": {"trigger": "manual", "component": "nope", "submit": "none"}}}"#).unwrap();
    let (stdout, _) = fails(&url, &["service", "validate", broken.to_str().unwrap()]);
    for expected in ["id \"bad id\"", "components.c.digest: expected 64 hex", "workflows.w.component: no component named \"nope\"", "warning: components.c: no workflow uses it"] {
        assert!(stdout.contains(expected), "{expected:?} missing from:\n{stdout}");
    }

    // service deploy and list.
    let out = ok(&url, &["service", "deploy", manifest_s, "--component", &echo_arg]);
    assert!(out.contains("deployed demo"), "{out}");
    let list = ok(&url, &["service", "list"]);
    let row = list.lines().find(|l| l.starts_with("demo")).unwrap_or_else(|| panic!("{list}"));
    assert!(row.contains("main") && row.contains("manual") && row.contains("none"), "{row}");
    assert!(list.lines().next().unwrap().starts_with("SERVICE"), "a header: {list}");
    let services = ok_json(&url, &["service", "list"]);
    assert_eq!(services[0]["id"], "demo");

    // add-task: the result on the node.
    let out = ok(&url, &["add-task", "--service", "demo", "--workflow", "main", "--payload", "0x68656c6c6f", "--task-id", "t1"]);
    assert!(out.contains("task t1 on demo/main: ok") && out.contains("payload 0x68656c6c6f"), "{out}");
    let v = ok_json(&url, &["add-task", "--service", "demo", "--payload", "0x01", "--task-id", "t2"]);
    assert_eq!(v["results"][0]["record"]["results"][0]["payload"], "0x01", "{v}");
    let (_, stderr) = fails(&url, &["add-task", "--service", "nope", "--payload", "0x01"]);
    assert!(stderr.contains("no service \"nope\""), "{stderr}");
    let out = ok(&url, &["executions", "--service", "demo"]);
    assert!(out.contains("demo/main") && out.contains("ok (fuel"), "{out}");

    // exec: locally, no node.
    let out = ok(&url, &["exec", "--component", echo.to_str().unwrap(), "--payload", "0x68656c6c6f"]);
    assert!(out.contains("hex      0x68656c6c6f") && out.contains("utf-8    hello"), "{out}");
    assert!(out.contains("fuel used") && out.contains("of 1000000000") && out.contains("time"), "{out}");
    let v = ok_json(&url, &["exec", "--component", echo.to_str().unwrap(), "--payload", "0x01", "--fuel", "5000000"]);
    assert_eq!((v["responses"][0]["payload"].as_str(), v["fuel-limit"].as_u64()), (Some("0x01"), Some(5_000_000)));
    assert!(v["fuel-used"].as_u64().unwrap() > 0);
    let square = guest("components/square.wasm");
    let out = ok(&url, &["exec", "--component", square.to_str().unwrap(), "--payload", &format!("0x{}07", "00".repeat(31))]);
    assert!(out.contains("number   49"), "{out}");
    let trigger = dir.path().join("trigger.json");
    std::fs::write(&trigger, format!(r#"{{"chain-event": {{"chain": "wasmd", "attributes": {{"payload": "0x{}03"}}}}}}"#, "00".repeat(31))).unwrap();
    let out = ok(&url, &["exec", "--component", square.to_str().unwrap(), "--trigger-json", trigger.to_str().unwrap()]);
    assert!(out.contains("number   9"), "a chain event's attributes reach the component: {out}");
    let hostile = guest("components/hostile.wasm");
    let (_, stderr) = fails(&url, &["exec", "--component", hostile.to_str().unwrap(), "--payload", "0x6c6f6f70", "--fuel", "1000000"]);
    assert!(stderr.contains("out of fuel") && stderr.contains("--fuel"), "says which limit and how to raise it: {stderr}");
    let (_, stderr) = fails(&url, &["exec", "--component", "missing.wasm"]);
    assert!(stderr.contains("cargo build --target wasm32-wasip2"), "{stderr}");

    // adapters: inspect a file here, list on the node.
    let evm = guest("adapters/evm.wasm");
    let out = ok(&url, &["adapters", "inspect", evm.to_str().unwrap()]);
    let sha = {
        use sha2::Digest;
        hex::encode(sha2::Sha256::digest(std::fs::read(&evm).unwrap()))
    };
    for expected in ["kind     chain adapter", "family   evm", "version  ", "wavs:adapter/adapter@0.3.0 (instance)", "wasi:http/outgoing-handler", &format!("sha256   {sha}")] {
        assert!(out.contains(expected), "{expected:?} missing from:\n{out}");
    }
    let v = ok_json(&url, &["adapters", "inspect", evm.to_str().unwrap()]);
    assert_eq!((v["adapter"]["family"].as_str(), v["sha256"].as_str()), (Some("evm"), Some(sha.as_str())));
    assert!(v["imports"].as_array().unwrap().iter().any(|i| i["name"] == "wavs:adapter/signer@0.3.0"));
    let v = ok_json(&url, &["adapters", "inspect", echo.to_str().unwrap()]);
    assert_eq!(v["kind"], "service component");
    assert!(v["exports"].as_array().unwrap().iter().any(|e| e["name"] == "run"), "{v}");
    assert!(ok(&url, &["adapters", "list"]).contains("no adapters loaded"));
    assert!(ok_json(&url, &["adapters", "list"])["loaded"].as_array().unwrap().is_empty());

    // keys: from the node, and computed from the configuration alike.
    // With no chain there is no key: each chain gets its own once it is configured.
    let out = ok(&url, &["keys"]);
    assert!(out.contains("no chains configured: each chain gets its own key"), "{out}");
    let from_node = ok_json(&url, &["keys"]);
    let config = dir.path().join("wavs.toml");
    let local = ok_json(&url, &["keys", "--config", config.to_str().unwrap()]);
    assert_eq!(from_node, local);
    assert_eq!(from_node["chains"], serde_json::json!({}));

    // chains: listed from /health; one added waits for its family's adapter.
    assert!(ok(&url, &["chains", "list"]).contains("no chains configured"));
    assert_eq!(ok_json(&url, &["chains", "list"]), serde_json::json!({}));
    let add = ["chains", "add", "later", "--family", "evm", "--chain-id", "1", "--rpc-url", "http://127.0.0.1:9", "--confirmations", "2", "--finality", "finalized"];
    assert!(ok(&url, &add).contains("added chain later"));
    assert!(fails(&url, &add).1.contains("already served"));
    assert!(fails(&url, &["chains", "add", "x", "--family", "evm", "--chain-id", "1", "--rpc-url", "ws://h"]).1.contains("must start with http"));
    let chains: BTreeMap<String, ChainHealth> = serde_json::from_value(ok_json(&url, &["chains", "list"])).unwrap();
    assert_eq!((chains["later"].state, chains["later"].source), (ChainState::WaitingForAdapter, ChainSource::Api), "{chains:?}");
    assert_eq!((chains["later"].confirmations, chains["later"].finality), (2, Finality::Finalized));

    // keys --service: each service gets a key of its own on each chain, kept between
    // asks, before it is deployed; the stopped node's store is needed to compute it here.
    let chain_key = ok_json(&url, &["keys"])["chains"]["later"]["public-key"].clone();
    let first = ok_json(&url, &["keys", "--service", "oracle"]);
    let oracle = &first["chains"]["later"];
    assert!(oracle["key"].as_str().unwrap().starts_with("service key index "), "{first}");
    assert_ne!(oracle["public-key"], chain_key, "the service's key is not the chain's");
    assert_eq!(ok_json(&url, &["keys", "--service", "oracle"]), first, "asked again: the same key");
    let other = ok_json(&url, &["keys", "--service", "pricer"]);
    assert_ne!(other["chains"]["later"]["public-key"], oracle["public-key"], "another service, another key");
    let out = ok(&url, &["keys", "--service", "oracle"]);
    assert!(out.contains(oracle["public-key"].as_str().unwrap()), "{out}");
    assert!(fails(&url, &["keys", "--service", "no such"]).1.contains("use 1-64 letters"));
    let running = fails(&url, &["keys", "--service", "oracle", "--config", config.to_str().unwrap()]).1;
    assert!(running.contains("is the node running?"), "{running}");

    // pause and resume: a paused service refuses tasks and says so.
    assert!(ok(&url, &["service", "pause", "demo"]).contains("paused demo"));
    assert!(ok(&url, &["service", "list"]).lines().any(|l| l.starts_with("demo") && l.contains("paused")));
    assert!(fails(&url, &["add-task", "--service", "demo", "--payload", "0x01"]).1.contains("service \"demo\" is paused"));
    assert_eq!(ok_json(&url, &["service", "resume", "demo"])["paused"], false);
    assert!(ok(&url, &["add-task", "--service", "demo", "--payload", "0x02"]).contains("ok"));
    assert!(fails(&url, &["service", "resume", "nope"]).1.contains("no service \"nope\""));

    // new component: a crate with everything it needs.
    let out = ok(&url, &["new", "component", "demo-comp", "--dir", dir.path().to_str().unwrap()]);
    assert!(out.contains("cargo build --target wasm32-wasip2 --release"), "{out}");
    let crate_dir = dir.path().join("demo-comp");
    for file in ["Cargo.toml", "src/lib.rs", "README.md", "wit/service/service.wit", "wit/service/deps/types/types.wit"] {
        assert!(crate_dir.join(file).exists(), "{file} written");
    }
    let cargo_toml = std::fs::read_to_string(crate_dir.join("Cargo.toml")).unwrap();
    assert!(cargo_toml.contains("crate-type = [\"cdylib\"]") && cargo_toml.contains("wit-bindgen = \"0.63\""), "{cargo_toml}");
    // The SDK travels with the crate (conformance/devnet/tests/docs_walk builds it).
    assert!(cargo_toml.contains("wavs-component-sdk = { path = \"vendor/wavs-component-sdk\" }"), "{cargo_toml}");
    assert!(crate_dir.join("vendor/wavs-component-sdk/src/abi.rs").exists());
    let v = ok_json(&url, &["new", "component", "other", "--dir", dir.path().to_str().unwrap()]);
    assert_eq!(v["wasm"], "target/wasm32-wasip2/release/other.wasm");
    // new adapter: the starter, renamed after NAME, with the kit and a chain file for the kit.
    let v = ok_json(&url, &["new", "adapter", "my_chain", "--dir", dir.path().to_str().unwrap()]);
    assert_eq!(v["run"], "wavs-conformance --adapter target/wasm32-wasip2/release/my_chain.wasm --chain conformance.toml");
    let lib = std::fs::read_to_string(dir.path().join("my_chain/src/lib.rs")).unwrap();
    assert!(lib.contains("family: \"my-chain\".into()"), "{lib}");
    assert!(dir.path().join("my_chain/vendor/wavs-adapter-kit/src/jsonrpc.rs").exists());
    assert!(fails(&url, &["new", "adapter", "my_chain", "--dir", dir.path().to_str().unwrap()]).1.contains("exists"));
    assert!(fails(&url, &["new", "component", "demo-comp", "--dir", dir.path().to_str().unwrap()]).1.contains("exists"));
    assert!(fails(&url, &["new", "component", "9bad"]).1.contains("not a usable crate name"));

    // service remove.
    assert!(ok(&url, &["service", "remove", "demo"]).contains("removed demo"));
    assert!(ok(&url, &["service", "list"]).contains("no services deployed"));
}
