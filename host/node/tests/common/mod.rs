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
        let mut command = Command::new(env!("CARGO_BIN_EXE_wavs"));
        command.args(["node", "--log-format", "json"]).current_dir(dir).env("RUST_LOG", "info");
        ENV.iter().for_each(|k| {
            command.env_remove(k);
        });
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
