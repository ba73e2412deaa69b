//! The node API is closed by default, against real `wavs node` processes: each attack
//! seen against an open node (a mutation without a token, a cross-site `text/plain` POST,
//! DNS rebinding through a foreign `Host`, reading component config, a manual task
//! injected into a chain-triggered workflow) is refused and changes nothing, and the
//! operator's own CLI, with no setup beyond the node's configuration file, still deploys
//! and lands an execution afterwards. Needs `target/guests/components/echo.wasm`
//! (scripts/build-guests.sh).

use serde_json::{Value, json};
use std::path::{Path, PathBuf};
use std::process::Command;
use wavs_node::api::redact::REDACTED;
use wavs_types::health::NodeHealth;

mod common;
use common::{ENV, NodeProcess as Node, OPERATOR_KEY, free_port};

const CONTRACT: &str = "0x5fbdb2315678afecb367f032d93f642f64180aa3";
const EVENT: &str = "TriggerFired(uint64,address,bytes)";
const SECRET_CONFIG: &str = "https://api.example/?key=s3cret-value";

fn echo() -> PathBuf {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../target/guests/components/echo.wasm");
    assert!(path.exists(), "{} is missing: run scripts/build-guests.sh", path.display());
    path
}

/// Writes `<dir>/wavs.toml`: relative data dir, a fixed port, a chain with no adapter
/// (enough to deploy a chain-triggered workflow), and `extra` lines.
fn write_config(dir: &Path, port: u16, extra: &str) {
    std::fs::create_dir_all(dir.join("adapters")).unwrap();
    let text = format!(
        "data-dir = \"data\"\nadapters-dir = \"adapters\"\napi-addr = \"127.0.0.1:{port}\"\n{extra}\n\
         [operator]\nprivate-key = \"{OPERATOR_KEY}\"\n\
         [chains.anvil]\nfamily = \"evm\"\nchain-id = \"31337\"\nrpc-urls = [\"http://127.0.0.1:1\"]\n"
    );
    std::fs::write(dir.join("wavs.toml"), text).unwrap();
}

/// Runs `wavs ARGS` in `cwd`; returns (success, stdout, stderr).
fn wavs(cwd: &Path, args: &[&str]) -> (bool, String, String) {
    let mut command = Command::new(common::wavs_bin());
    command.args(args).current_dir(cwd);
    ENV.iter().for_each(|k| {
        command.env_remove(k);
    });
    let out = command.output().unwrap();
    (out.status.success(), String::from_utf8_lossy(&out.stdout).into_owned(), String::from_utf8_lossy(&out.stderr).into_owned())
}

fn ok(cwd: &Path, args: &[&str]) -> String {
    let (success, stdout, stderr) = wavs(cwd, args);
    assert!(success, "wavs {args:?} failed\nstdout: {stdout}\nstderr: {stderr}");
    stdout
}

/// One raw request with exactly these headers (reqwest adds `Host` only if none given).
async fn send(method: &str, url: &str, headers: &[(&str, &str)], body: Vec<u8>) -> (u16, Value) {
    let mut request = reqwest::Client::new().request(method.parse().unwrap(), url).body(body);
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    let text = response.text().await.unwrap();
    (status, serde_json::from_str(&text).unwrap_or(Value::String(text)))
}

/// The service the operator deploys: a manual workflow and a chain-triggered one that
/// submits to an aggregator, sharing a component whose config holds a secret.
fn manifest(digest: &str) -> Value {
    json!({
        "id": "svc",
        "components": { "main": { "digest": digest, "config": { "endpoint": SECRET_CONFIG } } },
        "workflows": {
            "by-hand": { "trigger": "manual", "component": "main", "submit": "none" },
            "on-chain": {
                "trigger": { "chain-event": { "chain": "anvil", "contract": CONTRACT, "event": EVENT } },
                "component": "main",
                "submit": { "aggregator": { "chain": "anvil", "handler": CONTRACT, "manager": CONTRACT } }
            }
        }
    })
}

#[tokio::test(flavor = "multi_thread")]
async fn a_fresh_node_refuses_every_attack_and_serves_its_operators_cli() {
    let dir = tempfile::tempdir().unwrap();
    let elsewhere = tempfile::tempdir().unwrap();
    write_config(dir.path(), free_port(), "");
    let config = dir.path().join("wavs.toml");
    let config_arg = config.to_str().unwrap();
    let node = Node::start(dir.path());
    let url = node.url.clone();

    // A token was generated, readable by the node's user only.
    let generated = node.log(|m| m.starts_with("API token"));
    assert!(generated["fields"]["message"].as_str().unwrap().contains("generated"), "{generated}");
    let token_file = dir.path().join("data/api-token");
    let token = std::fs::read_to_string(&token_file).unwrap().trim().to_string();
    assert!(token.len() == 64 && token.chars().all(|c| c.is_ascii_hexdigit()), "{token}");
    #[cfg(unix)]
    assert_eq!(std::os::unix::fs::PermissionsExt::mode(&std::fs::metadata(&token_file).unwrap().permissions()) & 0o777, 0o600);
    let bearer = format!("Bearer {token}");

    // No token: every mutating endpoint answers 401 and changes nothing.
    let echo_bytes = std::fs::read(echo()).unwrap();
    let digest = {
        use sha2::Digest;
        hex::encode(sha2::Sha256::digest(&echo_bytes))
    };
    let json_ct = [("content-type", "application/json")];
    let chain = json!({ "name": "evil", "family": "evm", "chain-id": "1", "rpc-urls": ["http://127.0.0.1:9"] }).to_string();
    let task = json!({ "task-id": "t0", "payload": "0x01" }).to_string();
    type Attempt<'a> = (&'a str, String, &'a [(&'a str, &'a str)], Vec<u8>);
    let attempts: Vec<Attempt> = vec![
        ("POST", format!("{url}/components"), &[("content-type", "application/wasm")], echo_bytes.clone()),
        ("POST", format!("{url}/services"), &json_ct, manifest(&digest).to_string().into_bytes()),
        ("DELETE", format!("{url}/services/svc"), &json_ct, vec![]),
        ("POST", format!("{url}/services/svc/pause"), &json_ct, vec![]),
        ("POST", format!("{url}/services/svc/resume"), &json_ct, vec![]),
        ("POST", format!("{url}/chains"), &json_ct, chain.into_bytes()),
        ("POST", format!("{url}/services/svc/workflows/by-hand/tasks"), &json_ct, task.into_bytes()),
    ];
    for (method, target, headers, body) in attempts {
        let (status, answer) = send(method, &target, headers, body).await;
        assert_eq!(status, 401, "{method} {target}: {answer}");
        assert!(answer["error"].as_str().unwrap().contains("Authorization: Bearer"), "{answer}");
    }
    // A cross-site form post (`text/plain`, a foreign Origin): refused whatever it carries.
    let evil = [("origin", "http://evil.example"), ("content-type", "text/plain")];
    let (status, answer) = send("POST", &format!("{url}/services"), &evil, manifest(&digest).to_string().into_bytes()).await;
    assert_eq!(status, 403, "{answer}");
    assert!(answer["error"].as_str().unwrap().contains("Origin \"http://evil.example\""), "{answer}");
    // DNS rebinding: the browser names the attacker's host; reads and writes are refused.
    for (method, path) in [("GET", "/services"), ("GET", "/health"), ("POST", "/services")] {
        let headers = [("host", "evil.example"), ("authorization", bearer.as_str()), ("content-type", "application/json")];
        let (status, answer) = send(method, &format!("{url}{path}"), &headers, b"{}".to_vec()).await;
        assert_eq!(status, 421, "{method} {path}: {answer}");
        assert!(answer["error"].as_str().unwrap().contains("api-allowed-hosts"), "says how to allow a name: {answer}");
    }
    // Nothing changed: no service, no chain, no execution; the refused upload stored nothing.
    assert_eq!(send("GET", &format!("{url}/services"), &[], vec![]).await, (200, json!([])));
    let (_, health) = send("GET", &format!("{url}/health"), &[], vec![]).await;
    let typed: NodeHealth = serde_json::from_value(health.clone()).unwrap();
    assert!(!typed.chains.contains_key("evil") && typed.paused_services.is_empty(), "{health}");
    assert_eq!(send("GET", &format!("{url}/executions"), &[], vec![]).await, (200, json!([])));
    let headers = [("authorization", bearer.as_str()), ("content-type", "application/json")];
    let (status, answer) = send("POST", &format!("{url}/services"), &headers, manifest(&digest).to_string().into_bytes()).await;
    assert!(status != 201 && answer["error"].as_str().unwrap().contains("was not uploaded"), "{status}: {answer}");

    // The operator's CLI, given the node's configuration and nothing else, from another directory.
    let manifest_file = elsewhere.path().join("svc.json");
    std::fs::write(&manifest_file, manifest("").to_string()).unwrap();
    let component = format!("main={}", echo().display());
    let out = ok(elsewhere.path(), &["--config", config_arg, "service", "deploy", manifest_file.to_str().unwrap(), "--component", &component]);
    assert!(out.contains("deployed svc"), "{out}");

    // A manual task on the chain-triggered workflow: refused, naming its trigger; nothing runs.
    let (success, _, stderr) = wavs(elsewhere.path(), &["--config", config_arg, "add-task", "--service", "svc", "--workflow", "on-chain", "--payload", "0x01"]);
    assert!(!success && stderr.contains("409"), "{stderr}");
    let named = format!("workflow \"on-chain\" of service \"svc\" is triggered by chain-event on anvil (contract {CONTRACT}, event {EVENT})");
    assert!(stderr.contains(&named) && stderr.contains("trigger \"manual\""), "{stderr}");
    assert_eq!(send("GET", &format!("{url}/executions"), &[], vec![]).await, (200, json!([])), "nothing ran");
    // The manual workflow takes it: an execution lands.
    let out = ok(elsewhere.path(), &["--config", config_arg, "add-task", "--service", "svc", "--workflow", "by-hand", "--payload", "0x2a", "--task-id", "t1"]);
    assert!(out.contains("task t1 on svc/by-hand: ok") && out.contains("payload 0x2a"), "{out}");
    let (_, executions) = send("GET", &format!("{url}/executions?service=svc"), &[], vec![]).await;
    assert_eq!((executions.as_array().unwrap().len(), &executions[0]["outcome"]["status"]), (1, &json!("ok")), "{executions}");

    // Config values: hidden without the token (keys shown), shown with it.
    let (_, services) = send("GET", &format!("{url}/services"), &[], vec![]).await;
    assert_eq!(services[0]["components"]["main"]["config"], json!({ "endpoint": REDACTED }), "{services}");
    assert!(!services.to_string().contains("s3cret-value"));
    let (_, services) = send("GET", &format!("{url}/services"), &[("authorization", bearer.as_str())], vec![]).await;
    assert_eq!(services[0]["components"]["main"]["config"]["endpoint"], SECRET_CONFIG);
    let listed = ok(elsewhere.path(), &["--config", config_arg, "--json", "service", "list"]);
    assert!(listed.contains("s3cret-value"), "the CLI sends the token: {listed}");

    // From the configuration's own directory, nothing to pass at all.
    let listed = ok(dir.path(), &["service", "list"]);
    assert!(listed.lines().any(|l| l.starts_with("svc") && l.contains("by-hand")), "{listed}");
    // Without the configuration, a refusal says how to fix it.
    let (success, _, stderr) = wavs(elsewhere.path(), &["--node", &url, "service", "pause", "svc"]);
    assert!(!success && stderr.contains("401") && stderr.contains("--config") && stderr.contains("WAVS_API_TOKEN"), "{stderr}");
    // ./wavs.toml is never sent to a URL given with --node, unless --config says so.
    let (success, _, stderr) = wavs(dir.path(), &["--node", &url, "service", "pause", "svc"]);
    assert!(!success && stderr.contains("pass --config wavs.toml"), "{stderr}");
    assert!(ok(dir.path(), &["--config", "wavs.toml", "--node", &url, "service", "pause", "svc"]).contains("paused svc"));
    assert!(ok(dir.path(), &["service", "resume", "svc"]).contains("resumed svc"));

    // Restarted: the same token, read from its file; the CLI still needs nothing more.
    drop(node);
    let node = Node::start(dir.path());
    let line = node.log(|m| m.starts_with("API token"));
    assert!(line["fields"]["message"].as_str().unwrap().contains("read from its file"), "{line}");
    assert_eq!(std::fs::read_to_string(&token_file).unwrap().trim(), token);
    let out = ok(dir.path(), &["add-task", "--service", "svc", "--workflow", "by-hand", "--payload", "0x2b", "--task-id", "t2"]);
    assert!(out.contains("task t2 on svc/by-hand: ok"), "{out}");
}

#[tokio::test(flavor = "multi_thread")]
async fn api_token_none_opens_the_api_with_a_warning_at_every_start_and_keeps_browsers_out() {
    let dir = tempfile::tempdir().unwrap();
    write_config(dir.path(), free_port(), "api-token = \"none\"");
    let node = Node::start(dir.path());
    let url = node.url.clone();
    let warning = node.log(|m| m.contains("open to anyone"));
    assert_eq!(warning["level"], "WARN", "{warning}");
    assert!(!dir.path().join("data/api-token").exists(), "no token generated for an open API");

    let (status, uploaded) = send("POST", &format!("{url}/components"), &[("content-type", "application/wasm")], std::fs::read(echo()).unwrap()).await;
    assert_eq!(status, 201, "open: no token needed: {uploaded}");
    let body = manifest(uploaded["digest"].as_str().unwrap()).to_string().into_bytes();
    // Even open, a browser cannot be made to change it: no cross-site POST, no simple
    // `text/plain` request, no rebinding.
    let (status, answer) = send("POST", &format!("{url}/services"), &[("origin", "http://evil.example"), ("content-type", "application/json")], body.clone()).await;
    assert_eq!(status, 403, "{answer}");
    let (status, answer) = send("POST", &format!("{url}/services"), &[("content-type", "text/plain")], body.clone()).await;
    assert_eq!(status, 415, "{answer}");
    assert!(answer["error"].as_str().unwrap().contains("Content-Type: application/json"), "names the type: {answer}");
    let (status, _) = send("POST", &format!("{url}/services"), &[("host", "evil.example:80"), ("content-type", "application/json")], body.clone()).await;
    assert_eq!(status, 421);
    assert_eq!(send("GET", &format!("{url}/services"), &[], vec![]).await, (200, json!([])), "nothing deployed");

    // The status page's own origin works, and the honest call lands an execution.
    let own = format!("http://localhost:{}", url.rsplit(':').next().unwrap());
    let (status, answer) = send("POST", &format!("{url}/services"), &[("origin", own.as_str()), ("content-type", "application/json")], body).await;
    assert_eq!(status, 201, "{answer}");
    let out = ok(dir.path(), &["add-task", "--service", "svc", "--workflow", "by-hand", "--payload", "0x01"]);
    assert!(out.contains("ok"), "{out}");
    let (_, services) = send("GET", &format!("{url}/services"), &[], vec![]).await;
    assert_eq!(services[0]["components"]["main"]["config"]["endpoint"], SECRET_CONFIG, "open: config shown");

    drop(node);
    let node = Node::start(dir.path());
    assert_eq!(node.log(|m| m.contains("open to anyone"))["level"], "WARN", "warned again at the next start");
}

#[cfg(unix)]
#[test]
fn a_token_file_other_users_can_read_stops_the_node() {
    let dir = tempfile::tempdir().unwrap();
    write_config(dir.path(), free_port(), "");
    std::fs::create_dir_all(dir.path().join("data")).unwrap();
    let file = dir.path().join("data/api-token");
    std::fs::write(&file, "0123456789abcdef0123456789abcdef\n").unwrap();
    std::fs::set_permissions(&file, std::os::unix::fs::PermissionsExt::from_mode(0o644)).unwrap();
    let mut command = Command::new(common::wavs_bin());
    command.args(["node"]).current_dir(dir.path());
    ENV.iter().for_each(|k| {
        command.env_remove(k);
    });
    let out = command.output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "the node must not start: {stderr}");
    assert!(stderr.contains("can be read by other users") && stderr.contains("chmod 600"), "{stderr}");
}
