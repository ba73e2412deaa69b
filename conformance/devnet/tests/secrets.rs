//! Operator secrets through a real node process: `http-fetch` reads secret `API_KEY` to
//! call a loopback server that answers only with `Authorization: Bearer <key>`, and the
//! execution record carries the authorized answer. The key's value is then looked for
//! in every API answer, in the node's log and in every file of its data dir (the redb
//! store included): only the secrets file (mode 0600) may hold it. Also: a deploy
//! declaring a secret the node does not hold fails naming it; `wavs secrets list` shows
//! names only and needs the token; a deleted secret fails the run naming it; a node whose
//! secrets file others may read refuses to start, saying what to run.
//! Needs `cargo build --bins` and `scripts/build-guests.sh`; no chain.

use serde_json::json;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use tokio::io::AsyncWriteExt;
use wavs_client::NodeClient;
use wavs_devnet::launch::{DEVNET_OPEN_API, spawn_node, write_node_config};
use wavs_devnet::{guest, paths, stub_http};
use wavs_types::execution::Outcome;

/// Where results would go; unused, as the services submit nowhere.
const NO_AGGREGATOR: &str = "http://127.0.0.1:9";
/// The node's API token (this test keeps the API closed).
const TOKEN: &str = "secrets-test-api-token-5b1e";
/// What the server answers with the key, and without it.
const AUTHORIZED: &str = "authorized-answer-9d41";
const DENIED: &str = "no valid key";

/// A value found nowhere else: the pid and the time.
fn unique_secret() -> String {
    let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_nanos();
    format!("sk-test-{:x}-{nanos:x}", std::process::id())
}

/// Runs `wavs args…` with `stdin`, without any WAVS_* setting of the caller; returns
/// whether it succeeded, stdout and stderr.
async fn wavs(args: &[&str], stdin: &str) -> (bool, String, String) {
    let mut child = tokio::process::Command::new(paths::binary("wavs"))
        .args(args)
        .env_remove("WAVS_API_TOKEN")
        .env_remove("WAVS_NODE")
        .env_remove("WAVS_CONFIG")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run wavs");
    let mut input = child.stdin.take().unwrap();
    input.write_all(stdin.as_bytes()).await.unwrap();
    drop(input);
    let out = child.wait_with_output().await.unwrap();
    (out.status.success(), String::from_utf8_lossy(&out.stdout).into_owned(), String::from_utf8_lossy(&out.stderr).into_owned())
}

/// A manual service running http-fetch on `url`, granted the server's `host`; with
/// `bearer`, it sends secret API_KEY, which its manifest entry declares.
fn manifest(id: &str, digest: &str, url: &str, host: &str, bearer: bool) -> serde_json::Value {
    let mut component = json!({
        "digest": digest,
        "config": { "url": url },
        "permissions": { "allowed-http-hosts": [host] },
    });
    if bearer {
        component["config"]["bearer-secret"] = json!("API_KEY");
        component["secrets"] = json!(["API_KEY"]);
    }
    json!({
        "id": id,
        "components": { "fetch": component },
        "workflows": { "main": { "trigger": "manual", "component": "fetch", "submit": "none" } },
    })
}

/// Every file under `dir`.
fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let path = entry.path();
        if path.is_dir() {
            out.extend(files_under(&path));
        } else {
            out.push(path);
        }
    }
    out
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_component_uses_a_secret_that_leaks_nowhere() {
    paths::require(&paths::binary("wavs"), "run `cargo build --bins`").unwrap();
    let secret = unique_secret();
    let dir = tempfile::tempdir().unwrap();
    let adapters = dir.path().join("adapters");
    std::fs::create_dir_all(&adapters).unwrap();
    // The devnet's node config, with its API closed behind TOKEN.
    let config = write_node_config(dir.path(), &adapters, 0, "", NO_AGGREGATOR).unwrap();
    let text = std::fs::read_to_string(&config.path).unwrap().replace(DEVNET_OPEN_API, &format!("api-token = \"{TOKEN}\"\n"));
    std::fs::write(&config.path, text).unwrap();
    let data_dir = dir.path().join("node1");
    let mut node = spawn_node(dir.path(), &config).await.expect("node starts");
    let url = node.url.clone();
    let client = NodeClient::new(&url).with_token(Some(TOKEN.to_string()));
    let config_arg = config.path.to_str().unwrap();

    let port = stub_http::serve_with_bearer(secret.clone(), AUTHORIZED, DENIED).await;
    let host = format!("127.0.0.1:{port}");
    let endpoint = format!("http://{host}/data");
    let bytes = std::fs::read(guest("components/http-fetch.wasm")).expect("run scripts/build-guests.sh");
    let digest = client.upload_component(bytes, true).await.unwrap();
    let with_key = manifest("secret-fetch", &digest, &endpoint, &host, true);

    // Declared but not set: the deploy is refused, naming the secret and the command.
    let err = client.deploy(&with_key).await.expect_err("a deploy missing its secret is refused").to_string();
    assert!(err.contains("\"API_KEY\"") && err.contains("wavs secrets set secret-fetch API_KEY"), "{err}");

    // Without the token, nothing is set or listed.
    let (ok, _, stderr) = wavs(&["--node", &url, "secrets", "set", "secret-fetch", "API_KEY"], &secret).await;
    assert!(!ok && stderr.contains("401"), "set without the token: {stderr}");
    let (ok, _, stderr) = wavs(&["--node", &url, "secrets", "list", "secret-fetch"], "").await;
    assert!(!ok && stderr.contains("401"), "list without the token: {stderr}");
    // With the node's configuration (its token), from stdin.
    let (ok, stdout, stderr) = wavs(&["--config", config_arg, "secrets", "set", "secret-fetch", "API_KEY"], &format!("{secret}\n")).await;
    assert!(ok, "wavs secrets set: {stdout}{stderr}");
    assert!(!stdout.contains(&secret) && !stderr.contains(&secret));
    let (ok, stdout, stderr) = wavs(&["--config", config_arg, "secrets", "list", "secret-fetch"], "").await;
    assert!(ok && stdout.trim() == "API_KEY", "names only: {stdout}{stderr}");
    let (ok, stdout, _) = wavs(&["--config", config_arg, "--json", "secrets", "list", "secret-fetch"], "").await;
    assert!(ok && !stdout.contains(&secret), "{stdout}");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(data_dir.join("secrets.json")).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600, "the secrets file is the node user's alone");
    }

    // The component sends the key and gets the authorized answer.
    client.deploy(&with_key).await.expect("deploys once the secret is set");
    let record = client.post_task("secret-fetch", "main", "with-key-1", b"").await.unwrap();
    assert!(matches!(record.outcome, Outcome::Ok), "{record:?}");
    assert_eq!(record.results[0].payload, AUTHORIZED.as_bytes(), "{record:?}");
    // The same endpoint refuses a component that sends no key.
    client.deploy(&manifest("keyless-fetch", &digest, &endpoint, &host, false)).await.unwrap();
    let record = client.post_task("keyless-fetch", "main", "no-key-1", b"").await.unwrap();
    match &record.outcome {
        Outcome::Error { message, .. } => assert!(message.contains("HTTP 401"), "{message}"),
        other => panic!("the endpoint must refuse without the key: {other:?}"),
    }

    // The value is in no API answer, token or not.
    let http = reqwest::Client::new();
    let paths = [
        "/services", "/services/secret-fetch", "/services/secret-fetch/secrets", "/executions?limit=100",
        "/executions?service=secret-fetch", "/health", "/operator", "/metrics", "/adapters", "/openapi.json", "/",
        &format!("/components/{digest}"),
    ];
    for path in paths {
        for token in [None, Some(TOKEN)] {
            let mut request = http.get(format!("{url}{path}"));
            if let Some(token) = token {
                request = request.bearer_auth(token);
            }
            let body = request.send().await.unwrap().text().await.unwrap();
            assert!(!body.contains(&secret), "GET {path} shows the secret: {body}");
        }
    }

    // Deleted: the run fails naming it (and not its value).
    let (ok, stdout, stderr) = wavs(&["--config", config_arg, "secrets", "delete", "secret-fetch", "API_KEY"], "").await;
    assert!(ok, "wavs secrets delete: {stdout}{stderr}");
    let record = client.post_task("secret-fetch", "main", "after-delete-1", b"").await.unwrap();
    match &record.outcome {
        Outcome::Error { message, .. } => {
            assert!(message.contains("\"API_KEY\"") && message.contains("wavs secrets set"), "{message}");
            assert!(!message.contains(&secret));
        }
        other => panic!("a run missing its secret must fail: {other:?}"),
    }
    // Set again, so the secrets file holds the value while the other files are read.
    let (ok, _, stderr) = wavs(&["--config", config_arg, "secrets", "set", "secret-fetch", "API_KEY"], &secret).await;
    assert!(ok, "{stderr}");
    let record = client.post_task("secret-fetch", "main", "with-key-2", b"").await.unwrap();
    assert_eq!(record.results.first().map(|r| r.payload.as_slice()), Some(AUTHORIZED.as_bytes()), "{record:?}");

    // No log line and no file of the data dir but the secrets file holds the value.
    node.process.stop();
    let log = std::fs::read(node.process.log()).unwrap();
    assert!(!contains(&log, secret.as_bytes()), "the node's log shows the secret");
    assert!(contains(&log, b"secret set"), "the log records that a secret was set (by name)");
    let mut scanned = 0;
    for file in files_under(&data_dir) {
        let bytes = std::fs::read(&file).unwrap();
        let is_secrets_file = file == data_dir.join("secrets.json");
        assert_eq!(contains(&bytes, secret.as_bytes()), is_secrets_file, "{}", file.display());
        scanned += 1;
    }
    assert!(files_under(&data_dir).iter().any(|f| f.extension().is_some_and(|e| e == "redb")), "the store was scanned");
    assert!(scanned > 2, "{scanned} files");

    // A secrets file others may read stops the node from starting, saying what to run.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(data_dir.join("secrets.json"), std::fs::Permissions::from_mode(0o644)).unwrap();
        let err = spawn_node(dir.path(), &config).await.map(|_| ()).expect_err("the node refuses to start");
        assert!(err.contains("can be read by other users") && err.contains("chmod 600"), "{err}");
    }
}
