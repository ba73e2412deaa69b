//! A real `wavs node` process for the node's integration tests: started in a directory
//! holding its `wavs.toml`, its JSON log lines read as they come, killed when dropped.
#![allow(dead_code)] // each test file uses its own part of this

use serde_json::Value;
use std::io::BufRead;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::Receiver;
use std::time::{Duration, Instant};

/// anvil's first well-known key: an operator key that holds nothing anywhere.
pub const OPERATOR_KEY: &str = "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80";
/// Variables that would point the CLI or the node elsewhere than the test says.
pub const ENV: &[&str] = &["WAVS_NODE", "WAVS_NODE_URL", "WAVS_API_TOKEN", "WAVS_CONFIG", "WAVS_DATA_DIR", "WAVS_API_ADDR"];

/// The `wavs` binary: `WAVS_BIN_DIR/wavs` when set (as the devnet takes it: a copy that
/// another build into the same target dir cannot replace mid-test), else cargo's build.
pub fn wavs_bin() -> std::path::PathBuf {
    let dir = std::env::var_os("WAVS_BIN_DIR").filter(|d| !d.is_empty());
    dir.map_or_else(|| env!("CARGO_BIN_EXE_wavs").into(), |d| std::path::PathBuf::from(d).join("wavs"))
}

/// The CLI without the variables that would point it elsewhere than the test says.
pub fn cli() -> Command {
    let mut command = Command::new(wavs_bin());
    ENV.iter().for_each(|k| {
        command.env_remove(k);
    });
    command
}

/// A free TCP port on loopback.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// A `wavs node` process started in its config's directory.
pub struct NodeProcess {
    child: Child,
    lines: Receiver<Value>,
    /// Its API, as its "node ready" line names it.
    pub url: String,
}

impl Drop for NodeProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl NodeProcess {
    /// Starts `wavs node` in `dir` (which holds `wavs.toml`) and waits for it to be ready.
    pub fn start(dir: &Path) -> NodeProcess {
        let mut command = cli();
        command.args(["node", "--log-format", "json"]).current_dir(dir).env("RUST_LOG", "info");
        let mut child = command.stderr(Stdio::piped()).stdout(Stdio::null()).spawn().unwrap();
        let stderr = child.stderr.take().unwrap();
        let (tx, lines) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            for line in std::io::BufReader::new(stderr).lines().map_while(Result::ok) {
                let _ = tx.send(serde_json::from_str(&line).unwrap_or(Value::String(line)));
            }
        });
        let mut node = NodeProcess { child, lines, url: String::new() };
        let ready = node.log(|m| m == "node ready");
        node.url = format!("http://{}", ready["fields"]["api"].as_str().unwrap());
        node
    }

    /// Writes `<dir>/wavs.toml` (data in `<dir>/data`, a free port, API token `token`, no
    /// chain) and starts the node there.
    pub fn start_with_token(dir: &Path, token: &str) -> NodeProcess {
        std::fs::create_dir_all(dir.join("adapters")).unwrap();
        let text = format!(
            "data-dir = \"data\"\nadapters-dir = \"adapters\"\napi-addr = \"127.0.0.1:{}\"\napi-token = \"{token}\"\n[operator]\nprivate-key = \"{OPERATOR_KEY}\"\n",
            free_port()
        );
        std::fs::write(dir.join("wavs.toml"), text).unwrap();
        NodeProcess::start(dir)
    }

    /// `method path` with `token` and `content_type`: the status and the JSON answer (its
    /// text as a JSON string if it is not JSON).
    pub async fn send(&self, token: &str, method: &str, path: &str, content_type: &str, body: Vec<u8>) -> (u16, Value) {
        let response = reqwest::Client::new()
            .request(method.parse().unwrap(), format!("{}{path}", self.url))
            .header("authorization", format!("Bearer {token}"))
            .header("content-type", content_type)
            .body(body)
            .send()
            .await
            .unwrap_or_else(|e| panic!("{method} {path}: {e}"));
        let status = response.status().as_u16();
        let text = response.text().await.unwrap();
        (status, serde_json::from_str(&text).unwrap_or(Value::String(text)))
    }

    /// The next log line whose message `pick` accepts, within `wait`.
    pub fn log_within(&self, pick: impl Fn(&str) -> bool, wait: Duration) -> Option<Value> {
        let deadline = Instant::now() + wait;
        loop {
            let left = deadline.checked_duration_since(Instant::now())?;
            let line = self.lines.recv_timeout(left).ok()?;
            if line["fields"]["message"].as_str().is_some_and(&pick) {
                return Some(line);
            }
        }
    }

    /// The next log line whose message `pick` accepts (within 60 s).
    pub fn log(&self, pick: impl Fn(&str) -> bool) -> Value {
        self.log_within(pick, Duration::from_secs(60)).expect("no such log line: the node exited or is silent")
    }
}

/// `n` as unsigned LEB128, as WASM sizes are written.
pub fn leb128(mut n: usize) -> Vec<u8> {
    let mut out = Vec::new();
    loop {
        let byte = (n & 0x7f) as u8;
        n >>= 7;
        out.push(if n == 0 { byte } else { byte | 0x80 });
        if n == 0 {
            return out;
        }
    }
}

#[path = "../../src/testing/guests.rs"]
mod guests;
#[allow(unused_imports)] // not every test file reads guests
pub use guests::guest;
