//! The components' HTTP allow-list means what it says, against a real `wavs node`
//! process: a manifest granting `*`, `localhost`, a loopback, private or link-local
//! address, or the node's own API port is refused at deploy with a 400 naming the
//! component, the entry and why; a name that resolves to this machine is refused when the
//! request is made, naming the address it resolved to; and a loopback server the operator
//! allows in `http-allow-private` answers, before and after. Needs
//! `target/guests/components/http-fetch.wasm` (scripts/build-guests.sh).

use serde_json::{Value, json};
use wavs_client::{ClientError, NodeClient};
use wavs_types::execution::{ExecutionRecord, Outcome};
use std::io::BufRead;
use std::net::IpAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

const OPERATOR_KEY: &str = "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80";
/// Variables that would point the node elsewhere than the test says.
const ENV: &[&str] = &["WAVS_NODE", "WAVS_NODE_URL", "WAVS_API_TOKEN", "WAVS_CONFIG", "WAVS_DATA_DIR", "WAVS_API_ADDR"];

fn http_fetch() -> Vec<u8> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../target/guests/components/http-fetch.wasm");
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}; run scripts/build-guests.sh", path.display()))
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// A `wavs node` process, killed when dropped.
struct NodeProcess(Child);

impl Drop for NodeProcess {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Starts `wavs node` in `dir` with `extra` config lines; returns once it is ready.
fn start_node(dir: &Path, port: u16, extra: &str) -> NodeProcess {
    std::fs::create_dir_all(dir.join("adapters")).unwrap();
    let config = format!(
        "data-dir = \"data\"\nadapters-dir = \"adapters\"\napi-addr = \"127.0.0.1:{port}\"\n\
         # a test node: no token to carry\napi-token = \"none\"\n{extra}\n\
         [operator]\nprivate-key = \"{OPERATOR_KEY}\"\n"
    );
    std::fs::write(dir.join("wavs.toml"), config).unwrap();
    let mut command = Command::new(env!("CARGO_BIN_EXE_wavs"));
    command.args(["node", "--config", "wavs.toml"]).current_dir(dir).env("RUST_LOG", "info");
    ENV.iter().for_each(|k| {
        command.env_remove(k);
    });
    let mut child = command.stderr(Stdio::piped()).stdout(Stdio::null()).spawn().unwrap();
    let mut stderr = std::io::BufReader::new(child.stderr.take().unwrap());
    let node = NodeProcess(child);
    let deadline = Instant::now() + Duration::from_secs(60);
    let mut line = String::new();
    while stderr.read_line(&mut line).unwrap_or(0) > 0 {
        if line.contains("node ready") {
            // Keep draining stderr so the node never blocks on a full pipe.
            std::thread::spawn(move || std::io::copy(&mut stderr, &mut std::io::sink()));
            return node;
        }
        assert!(Instant::now() < deadline, "the node did not get ready");
        line.clear();
    }
    panic!("the node exited before it was ready");
}

/// A loopback server answering every request with `body`.
async fn server(body: &'static str) -> u16 {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            tokio::spawn(async move {
                let mut buf = [0u8; 4096];
                let _ = socket.read(&mut buf).await;
                let answer = format!("HTTP/1.1 200 OK\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}", body.len());
                let _ = socket.write_all(answer.as_bytes()).await;
            });
        }
    });
    port
}

/// A name other than `localhost` that resolves only to restricted addresses of this
/// machine: its host name (mapped by /etc/hosts or the resolver to one of its own
/// addresses), else a name /etc/hosts maps to loopback. With what it resolves to.
async fn name_of_this_machine() -> (String, Vec<IpAddr>) {
    let mut candidates = vec![std::fs::read_to_string("/proc/sys/kernel/hostname").unwrap_or_default().trim().to_string()];
    for line in std::fs::read_to_string("/etc/hosts").unwrap_or_default().lines() {
        let mut words = line.split('#').next().unwrap_or_default().split_whitespace();
        if words.next().is_some_and(|ip| ip.starts_with("127.")) {
            candidates.extend(words.map(str::to_string));
        }
    }
    for name in candidates {
        let usable = wavs_runtime::http_policy::Host::parse(&name).is_ok_and(|h| !h.is_localhost());
        let Ok(found) = tokio::net::lookup_host((name.as_str(), 80)).await else { continue };
        let ips: Vec<IpAddr> = found.map(|a| a.ip()).collect();
        if usable && !ips.is_empty() && ips.iter().all(|ip| wavs_runtime::http_policy::restricted(*ip).is_some()) {
            return (name, ips);
        }
    }
    panic!("no name other than localhost resolves to a loopback or private address here (host name, /etc/hosts)");
}

fn manifest(id: &str, url: &str, granted: &[String], digest: &str) -> Value {
    json!({
        "id": id,
        "components": { "fetch": {
            "digest": digest,
            "config": { "url": url },
            "permissions": { "allowed-http-hosts": granted },
        } },
        "workflows": { "main": { "trigger": "manual", "component": "fetch", "submit": "none" } }
    })
}

/// Runs a manual task of service `id`; returns the execution record.
async fn run(node: &NodeClient, id: &str, task: &str) -> ExecutionRecord {
    node.post_task(id, "main", task, b"").await.unwrap_or_else(|e| panic!("task {task} of {id} refused: {e}"))
}

/// Asserts `record` is a successful fetch of the allowed server's body "42".
fn assert_fetched(record: &ExecutionRecord) {
    assert_eq!(record.outcome, Outcome::Ok, "{record:?}");
    assert_eq!(record.results[0].payload, b"42", "the allowed server's body \"42\": {record:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_allow_list_refuses_what_a_component_must_not_reach_and_lets_the_allowed_through() {
    let allowed = server("42").await;
    let other = server("secret").await;
    let api = free_port();
    let dir = tempfile::tempdir().unwrap();
    let _process = start_node(dir.path(), api, &format!("http-allow-private = [\"127.0.0.1:{allowed}\"]"));
    let node = NodeClient::new(&format!("http://127.0.0.1:{api}"));
    let digest = node.upload_component(http_fetch(), true).await.expect("the component uploads");

    // At deploy: each forbidden entry is refused, naming the component, the entry and why.
    let api_entry = format!("127.0.0.1:{api}");
    let cases: &[(&str, &str)] = &[
        ("*", "wildcards are not allowed"),
        ("localhost", "localhost:80 is a name of this machine (loopback)"),
        ("127.0.0.1", "127.0.0.1:80 is a loopback address"),
        ("[::1]", "[::1]:80 is a loopback address"),
        ("10.0.0.1", "10.0.0.1:80 is a private-network address"),
        ("169.254.169.254", "169.254.169.254:80 is a link-local address"),
        ("0.0.0.0:8080", "0.0.0.0:8080 is an unspecified address"),
        (&api_entry, "is the node's API (api-addr)"),
    ];
    for (entry, why) in cases {
        let bad = manifest("bad", "http://example.com/", &[entry.to_string()], &digest);
        let Err(ClientError::Refused { status, error, .. }) = node.deploy(&bad).await else { panic!("{entry} was not refused") };
        let error = error.error;
        assert_eq!(status, 400, "{entry}: {error}");
        let named = format!("components.fetch.permissions.allowed-http-hosts: {:?} refused", entry);
        assert!(error.contains(&named) && error.contains(why), "{entry}: expected {named:?} and {why:?} in {error}");
    }
    // The loopback server the operator allows answers.
    let granted = vec![format!("127.0.0.1:{allowed}")];
    let honest = manifest("honest", &format!("http://127.0.0.1:{allowed}/price"), &granted, &digest);
    node.deploy(&honest).await.expect("the honest service deploys");
    assert_fetched(&run(&node, "honest", "t1").await);

    // At request time: a granted name that resolves to this machine is refused, naming
    // the address it resolved to.
    let (name, ips) = name_of_this_machine().await;
    let by_name = manifest("by-name", &format!("http://{name}:{other}/"), &[format!("{name}:{other}")], &digest);
    node.deploy(&by_name).await.expect("a name passes at deploy");
    let outcome = run(&node, "by-name", "t2").await.outcome;
    let Outcome::Error { kind, message, .. } = &outcome else { panic!("the fetch by name ran: {outcome:?}") };
    assert_eq!(kind, "http-denied", "{outcome:?}");
    let resolved = ips.iter().any(|ip| {
        let shown = if ip.is_ipv6() { format!("[{ip}]") } else { ip.to_string() };
        message.contains(&format!("{name}:{other} (resolved to {shown})"))
    });
    assert!(resolved && message.contains("http-allow-private"), "{message}");

    // And the honest service still lands its result afterwards.
    assert_fetched(&run(&node, "honest", "t3").await);
}

#[test]
fn a_bad_http_allow_private_entry_stops_the_node_saying_which() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("adapters")).unwrap();
    let config = format!(
        "data-dir = \"data\"\nadapters-dir = \"adapters\"\napi-addr = \"127.0.0.1:{}\"\napi-token = \"none\"\n\
         http-allow-private = [\"10.0.0.5\", \"*\"]\n[operator]\nprivate-key = \"{OPERATOR_KEY}\"\n",
        free_port()
    );
    std::fs::write(dir.path().join("wavs.toml"), config).unwrap();
    let mut command = Command::new(env!("CARGO_BIN_EXE_wavs"));
    command.args(["node", "--config", "wavs.toml"]).current_dir(dir.path());
    ENV.iter().for_each(|k| {
        command.env_remove(k);
    });
    let mut child = command.stderr(Stdio::piped()).stdout(Stdio::null()).spawn().unwrap();
    let deadline = Instant::now() + Duration::from_secs(60);
    while child.try_wait().unwrap().is_none() {
        assert!(Instant::now() < deadline, "the node started with a wildcard in http-allow-private");
        std::thread::sleep(Duration::from_millis(50));
    }
    let output = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!output.status.success());
    assert!(stderr.contains("http-allow-private: \"*\": wildcards are not allowed"), "{stderr}");
}
