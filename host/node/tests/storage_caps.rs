//! Storage caps against a real `wavs node` process: an upload over `[storage]
//! max-component-bytes` (declared or streamed) or over `max-total-component-bytes` is
//! refused with 413 naming the cap and stores nothing; a component no service uses is
//! removed after the grace period (file, compiled artifact, loaded program) while one a
//! paused service uses stays, and that service still runs a task afterwards. Needs
//! `target/guests/components/echo.wasm` (scripts/build-guests.sh).

use serde_json::{Value, json};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

mod common;
use common::{ENV, NodeProcess, OPERATOR_KEY, free_port};

const TOKEN: &str = "storage-caps-test-token-5f2a9c";
const MIB: usize = 1 << 20;

fn echo() -> Vec<u8> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../target/guests/components/echo.wasm");
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}; run scripts/build-guests.sh", path.display()))
}

/// echo.wasm grown to `total` bytes by a custom section at its end (legal between the
/// sections of a component; ignored by the compiler); `tag` makes each one distinct.
fn padded_echo(tag: u8, total: usize) -> Vec<u8> {
    fn leb(mut n: usize, out: &mut Vec<u8>) {
        loop {
            let byte = (n & 0x7f) as u8;
            n >>= 7;
            out.push(if n == 0 { byte } else { byte | 0x80 });
            if n == 0 {
                break;
            }
        }
    }
    let name = b"wavs-test-padding";
    let mut out = echo();
    // Section id, size (5 LEB bytes at most), name length, name, payload.
    let payload = total - out.len() - 1 - 5 - 1 - name.len();
    let mut content = vec![name.len() as u8];
    content.extend_from_slice(name);
    content.resize(content.len() + payload, tag);
    out.push(0);
    let mut size = Vec::new();
    leb(content.len(), &mut size);
    size.resize(5, 0);
    // A LEB128 padded to 5 bytes: continuation bits on all but the last.
    for b in &mut size[..4] {
        *b |= 0x80;
    }
    out.extend_from_slice(&size);
    out.extend_from_slice(&content);
    assert_eq!(out.len(), total);
    out
}

fn digest(bytes: &[u8]) -> String {
    use sha2::Digest;
    hex::encode(sha2::Sha256::digest(bytes))
}

/// A `wavs node` process in `dir` (its config written there).
struct Node {
    process: NodeProcess,
    dir: PathBuf,
}

impl std::ops::Deref for Node {
    type Target = NodeProcess;
    fn deref(&self) -> &NodeProcess {
        &self.process
    }
}

impl Node {
    fn start(dir: &Path, storage: &str) -> Node {
        std::fs::create_dir_all(dir.join("adapters")).unwrap();
        let text = format!(
            "data-dir = \"data\"\nadapters-dir = \"adapters\"\napi-addr = \"127.0.0.1:{}\"\napi-token = \"{TOKEN}\"\n\
             [storage]\n{storage}\n[operator]\nprivate-key = \"{OPERATOR_KEY}\"\n",
            free_port()
        );
        std::fs::write(dir.join("wavs.toml"), text).unwrap();
        Node { process: NodeProcess::start(dir), dir: dir.to_path_buf() }
    }

    /// The next log line with message `message`, within `wait`.
    fn log(&self, message: &str, wait: Duration) -> Option<Value> {
        self.process.log_within(|m| m == message, wait)
    }

    /// The digests of the next `n` components the node logs as removed (within 20 s).
    fn removals(&self, n: usize) -> Vec<String> {
        let mut digests: Vec<String> = (0..n)
            .map(|i| {
                let line = self.log("unused component removed", Duration::from_secs(20));
                let line = line.unwrap_or_else(|| panic!("removal {} of {n} not logged", i + 1));
                line["fields"]["digest"].as_str().unwrap().to_string()
            })
            .collect();
        digests.sort();
        digests
    }

    async fn send(&self, method: &str, path: &str, content_type: &str, body: Vec<u8>) -> (u16, Value) {
        self.process.send(TOKEN, method, path, content_type, body).await
    }

    async fn upload(&self, bytes: Vec<u8>) -> (u16, Value) {
        self.send("POST", "/components", "application/wasm", bytes).await
    }

    async fn post_json(&self, path: &str, body: Value) -> (u16, Value) {
        self.send("POST", path, "application/json", body.to_string().into_bytes()).await
    }

    async fn metric(&self, name: &str) -> f64 {
        let text = reqwest::get(format!("{}/metrics", self.url)).await.unwrap().text().await.unwrap();
        let line = text.lines().find(|l| l.split_whitespace().next() == Some(name)).unwrap_or_else(|| panic!("no {name}:\n{text}"));
        line.split_whitespace().nth(1).unwrap().parse().unwrap()
    }

    /// Stored component files and compiled artifacts, by digest.
    fn on_disk(&self) -> (Vec<String>, Vec<String>) {
        let names = |sub: &str, ext: &str| -> Vec<String> {
            let mut out: Vec<String> = std::fs::read_dir(self.dir.join("data").join(sub))
                .unwrap()
                .filter_map(|e| e.unwrap().file_name().into_string().ok())
                .filter(|n| n.ends_with(ext))
                .map(|n| n[..64].to_string())
                .collect();
            out.sort();
            out
        };
        (names("components", ".wasm"), names("cache", ".cwasm"))
    }

    /// `POST` the body in chunks, with no `Content-Length`, until `total` bytes are
    /// sent or the node answers; returns the status line and body of its answer.
    fn upload_chunked(&self, total: usize) -> String {
        let addr = self.url.trim_start_matches("http://");
        let mut stream = std::net::TcpStream::connect(addr).unwrap();
        stream.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
        // A node that stopped reading must not block the test on a full socket buffer.
        stream.set_write_timeout(Some(Duration::from_secs(5))).unwrap();
        let head = format!(
            "POST /components HTTP/1.1\r\nHost: {addr}\r\nAuthorization: Bearer {TOKEN}\r\n\
             Content-Type: application/wasm\r\nTransfer-Encoding: chunked\r\n\r\n"
        );
        stream.write_all(head.as_bytes()).unwrap();
        let chunk = vec![0u8; 64 << 10];
        let mut sent = 0;
        while sent < total {
            let frame = [format!("{:x}\r\n", chunk.len()).as_bytes(), &chunk, b"\r\n"].concat();
            if stream.write_all(&frame).is_err() {
                break;
            }
            sent += chunk.len();
        }
        // The end of the body, as a client that sent it all would.
        let _ = stream.write_all(b"0\r\n\r\n");
        // Up to the end of the JSON body: the connection may be kept open.
        let mut answer = Vec::new();
        let mut buf = [0u8; 4096];
        while !answer.ends_with(b"}") {
            match stream.read(&mut buf) {
                Ok(0) | Err(_) => break,
                Ok(n) => answer.extend_from_slice(&buf[..n]),
            }
        }
        String::from_utf8_lossy(&answer).into_owned()
    }
}

fn manifest(digest: &str) -> Value {
    json!({
        "id": "svc",
        "components": { "main": { "digest": digest } },
        "workflows": { "by-hand": { "trigger": "manual", "component": "main", "submit": "none" } }
    })
}

fn error(answer: &Value) -> &str {
    answer["error"].as_str().unwrap_or_else(|| panic!("no error message: {answer}"))
}

#[tokio::test(flavor = "multi_thread")]
async fn uploads_over_a_cap_get_413_and_unused_components_are_removed_after_the_grace_period() {
    let dir = tempfile::tempdir().unwrap();
    let node = Node::start(
        dir.path(),
        "max-component-bytes = 1048576\nmax-total-component-bytes = 2097152\nunused-component-grace-secs = 2",
    );

    // Over the per-component cap: 413 naming the cap, whatever the bytes (refused before
    // compiling), whether the size is declared or the body is streamed without one.
    for len in [MIB + 1, 16 * MIB] {
        let (status, answer) = node.upload(vec![0u8; len]).await;
        assert_eq!(status, 413, "{len} bytes: {answer}");
        let message = error(&answer);
        assert!(message.contains(&format!("component of {}", if len == MIB + 1 { "1.0 MiB (1048577 bytes)" } else { "16.0 MiB" })), "{message}");
        assert!(message.contains("max-component-bytes = 1.0 MiB (1048576 bytes)") && message.contains("node config"), "{message}");
        assert_eq!(answer["retryable"], false);
    }
    // Streamed under the cap, it is read in full (and refused here only as not wasm).
    let streamed = node.upload_chunked(128 << 10);
    assert!(streamed.starts_with("HTTP/1.1 400") && streamed.contains("invalid component"), "{streamed}");
    let streamed = node.upload_chunked(2 * MIB);
    assert!(streamed.starts_with("HTTP/1.1 413"), "{streamed}");
    assert!(streamed.contains("component of more than 1.0 MiB (1048576 bytes) exceeds [storage] max-component-bytes"), "{streamed}");
    // A valid component over the cap is refused the same way.
    let (status, answer) = node.upload(padded_echo(9, MIB + 100)).await;
    assert!(status == 413 && error(&answer).contains("max-component-bytes"), "{status}: {answer}");
    assert_eq!(node.on_disk(), (vec![], vec![]), "nothing stored, nothing compiled");

    // Over the total cap: two components of 720 KB fit in 2 MiB, a third does not.
    let [a, b, c] = [1u8, 2, 3].map(|tag| padded_echo(tag, 720_000));
    let [da, db, dc] = [&a, &b, &c].map(|bytes| digest(bytes));
    for bytes in [&a, &b] {
        let (status, answer) = node.upload(bytes.clone()).await;
        assert_eq!(status, 201, "{answer}");
    }
    let (status, answer) = node.upload(c.clone()).await;
    assert_eq!(status, 413, "{answer}");
    let message = error(&answer);
    assert!(message.contains("max-total-component-bytes = 2.0 MiB (2097152 bytes)"), "{message}");
    assert!(message.contains("2 components take 1.4 MiB (1440000 bytes) now"), "{message}");
    // Uploading a stored component again costs nothing.
    assert_eq!(node.upload(a.clone()).await.0, 201, "the same digest is not counted twice");
    let mut both = vec![da.clone(), db.clone()];
    both.sort();
    assert_eq!(node.on_disk(), (both.clone(), both), "the refused upload left nothing");
    assert_eq!((node.metric("wavs_components_stored").await, node.metric("wavs_components_stored_bytes").await), (2.0, 1_440_000.0));

    // A service uses `a`, paused; `b` is used by nothing and goes after 2 s; `a` stays
    // (its upload stamp is as old, but it is in use).
    let (status, answer) = node.post_json("/services", manifest(&da)).await;
    assert_eq!(status, 201, "{answer}");
    assert_eq!(node.post_json("/services/svc/pause", json!({})).await.0, 200);
    assert_eq!(node.removals(1), vec![db.clone()]);
    std::thread::sleep(Duration::from_secs(3));
    assert!(node.log("unused component removed", Duration::ZERO).is_none(), "only b was removed");
    assert_eq!(node.on_disk(), (vec![da.clone()], vec![da.clone()]));
    assert_eq!(node.metric("wavs_components_removed_total").await, 1.0);

    // The service runs as before, and the room b left takes c.
    assert_eq!(node.post_json("/services/svc/resume", json!({})).await.0, 200);
    let task = json!({ "task-id": "t1", "payload": "0x2a" });
    let (status, answer) = node.post_json("/services/svc/workflows/by-hand/tasks", task).await;
    assert_eq!((status, &answer["outcome"]["status"]), (200, &json!("ok")), "{answer}");
    assert_eq!(node.upload(c.clone()).await.0, 201);

    // Without its service, a goes too (2 s after the removal), and so does c, never deployed.
    assert_eq!(node.send("DELETE", "/services/svc", "application/json", vec![]).await.0, 204);
    let mut expected = vec![da.clone(), dc.clone()];
    expected.sort();
    assert_eq!(node.removals(2), expected);
    assert_eq!(node.on_disk(), (vec![], vec![]), "files and compiled artifacts removed");
    assert_eq!(node.metric("wavs_components_removed_total").await, 3.0);
    assert_eq!(node.metric("wavs_components_stored_bytes").await, 0.0);

    // A removed component can be uploaded and deployed again: it runs.
    assert_eq!(node.upload(a.clone()).await.0, 201);
    assert_eq!(node.post_json("/services", manifest(&da)).await.0, 201);
    let (status, answer) = node.post_json("/services/svc/workflows/by-hand/tasks", json!({ "task-id": "t2", "payload": "0x2b" })).await;
    assert_eq!((status, &answer["outcome"]["status"]), (200, &json!("ok")), "{answer}");
}

/// The figures under the defaults: the 50 MB valid component is refused, an
/// 18 MB one (a Python component's size) is accepted.
#[tokio::test(flavor = "multi_thread")]
async fn the_default_cap_refuses_a_50_mb_component_and_takes_a_python_sized_one() {
    let dir = tempfile::tempdir().unwrap();
    let node = Node::start(dir.path(), "");
    let (status, answer) = node.upload(padded_echo(4, 50_000_000)).await;
    assert_eq!(status, 413, "{answer}");
    let expected = "component of 47.7 MiB (50000000 bytes) exceeds [storage] max-component-bytes = 32.0 MiB (33554432 bytes)";
    assert!(error(&answer).starts_with(expected), "{answer}");
    assert_eq!(node.on_disk(), (vec![], vec![]));
    let python_sized = padded_echo(5, 18_000_000);
    let (status, answer) = node.upload(python_sized.clone()).await;
    assert_eq!((status, &answer["digest"]), (201, &json!(digest(&python_sized))), "{answer}");
}

#[test]
fn a_zero_cap_stops_the_node_with_the_key_named() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("wavs.toml"),
        format!("data-dir = \"data\"\nadapters-dir = \"adapters\"\n[storage]\nmax-component-bytes = 0\n[operator]\nprivate-key = \"{OPERATOR_KEY}\"\n"),
    )
    .unwrap();
    let mut command = Command::new(env!("CARGO_BIN_EXE_wavs"));
    command.args(["node"]).current_dir(dir.path());
    ENV.iter().for_each(|k| {
        command.env_remove(k);
    });
    let out = command.output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "the node must not start: {stderr}");
    assert!(stderr.contains("storage.max-component-bytes must be greater than 0"), "{stderr}");
}
