//! Shared pieces: JSON lines, quick mode, statistics, `/proc` readings, node processes.

use serde_json::Value;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};
use wavs_devnet::keys::dev_key_toml;
use wavs_devnet::paths;
use wavs_client::NodeClient;
use wavs_types::execution::{ExecutionRecord, Outcome};
use wavs_types::health::NodeHealth;

/// Whether `WAVS_BENCH_QUICK` asks for a short smoke run.
pub fn quick() -> bool {
    std::env::var("WAVS_BENCH_QUICK").is_ok_and(|v| !v.is_empty() && v != "0")
}

/// A number from environment variable `var`, or `default`.
pub fn env_num<T: std::str::FromStr>(var: &str, default: T) -> T {
    std::env::var(var).ok().and_then(|v| v.trim().parse().ok()).unwrap_or(default)
}

/// A comma-separated list of numbers from `var`, or `default`.
pub fn env_list(var: &str, default: &[usize]) -> Vec<usize> {
    match std::env::var(var) {
        Ok(v) if !v.trim().is_empty() => v.split(',').filter_map(|s| s.trim().parse().ok()).collect(),
        _ => default.to_vec(),
    }
}

/// Prints one JSON object on one line of stdout: `bench` first, then `fields` in order,
/// then what every line carries (quick mode, build profile, cores).
pub fn emit_line(bench: &str, fields: &[(&str, Value)]) {
    let profile = if cfg!(debug_assertions) { "debug" } else { "release" };
    let mut all: Vec<(&str, Value)> = vec![("bench", Value::from(bench))];
    all.extend(fields.iter().cloned());
    all.extend([("quick", Value::Bool(quick())), ("profile", Value::from(profile)), ("cores", Value::from(cores()))]);
    // Written by hand so the keys keep this order (serde_json's map sorts them).
    let body: Vec<String> = all.iter().map(|(k, v)| format!("{}:{v}", Value::from(*k))).collect();
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "{{{}}}", body.join(","));
    let _ = out.flush();
}

/// `emit!("bench", { "key": value, ... })`: one JSON line, keys in the order written.
#[macro_export]
macro_rules! emit {
    ($bench:expr, { $($key:literal : $value:expr),* $(,)? }) => {
        $crate::util::emit_line($bench, &[$(($key, serde_json::json!($value))),*])
    };
}

/// Progress for people, on stderr.
pub fn say(what: &str) {
    eprintln!("[bench] {what}");
}

/// Cores this process may use.
pub fn cores() -> usize {
    std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1)
}

/// Rounds to 3 decimals for output.
pub fn r3(x: f64) -> f64 {
    (x * 1000.0).round() / 1000.0
}

/// Summary of a sample of durations, in milliseconds.
#[derive(Debug, Clone, Copy, Default)]
pub struct Stats {
    pub n: usize,
    pub mean: f64,
    pub p50: f64,
    pub p99: f64,
    pub max: f64,
}

/// Mean, p50, p99 and max of `ms` (nearest rank).
pub fn stats(ms: &[f64]) -> Stats {
    if ms.is_empty() {
        return Stats::default();
    }
    let mut sorted = ms.to_vec();
    sorted.sort_by(|a, b| a.total_cmp(b));
    let rank = |q: f64| sorted[((q * sorted.len() as f64).ceil() as usize).clamp(1, sorted.len()) - 1];
    Stats {
        n: sorted.len(),
        mean: r3(sorted.iter().sum::<f64>() / sorted.len() as f64),
        p50: r3(rank(0.50)),
        p99: r3(rank(0.99)),
        max: r3(sorted[sorted.len() - 1]),
    }
}

/// Milliseconds of a duration, as a float.
pub fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn status_field_kb(pid: u32, field: &str) -> Option<u64> {
    let text = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = text.lines().find(|l| l.starts_with(field))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// Resident memory of `pid` (`VmRSS`), in KiB.
pub fn rss_kb(pid: u32) -> Option<u64> {
    status_field_kb(pid, "VmRSS:")
}

/// Peak resident memory of `pid` (`VmHWM`), in KiB.
pub fn hwm_kb(pid: u32) -> Option<u64> {
    status_field_kb(pid, "VmHWM:")
}

fn clock_ticks() -> f64 {
    static TICKS: OnceLock<f64> = OnceLock::new();
    *TICKS.get_or_init(|| {
        Command::new("getconf")
            .arg("CLK_TCK")
            .output()
            .ok()
            .and_then(|o| String::from_utf8_lossy(&o.stdout).trim().parse().ok())
            .unwrap_or(100.0)
    })
}

/// CPU time (user + system) `pid` has used, in seconds.
pub fn cpu_seconds(pid: u32) -> Option<f64> {
    let text = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // Fields after the command name (which may hold spaces) start at field 3.
    let rest = &text[text.rfind(')')? + 2..];
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let utime: f64 = fields.get(11)?.parse().ok()?;
    let stime: f64 = fields.get(12)?.parse().ok()?;
    Some((utime + stime) / clock_ticks())
}

/// Pids of this process's children named `comm` (e.g. the anvil it started).
pub fn children_named(comm: &str) -> Vec<u32> {
    let me = std::process::id();
    let mut out = Vec::new();
    for entry in std::fs::read_dir("/proc").into_iter().flatten().flatten() {
        let Some(pid) = entry.file_name().to_str().and_then(|p| p.parse::<u32>().ok()) else { continue };
        let Ok(stat) = std::fs::read_to_string(format!("/proc/{pid}/stat")) else { continue };
        let (Some(open), Some(close)) = (stat.find('('), stat.rfind(')')) else { continue };
        let ppid = stat[close + 2..].split_whitespace().nth(1).and_then(|p| p.parse::<u32>().ok());
        if &stat[open + 1..close] == comm && ppid == Some(me) {
            out.push(pid);
        }
    }
    out
}

/// Writes a node config for a node without chains (manual triggers only) unless
/// `extra` adds some; operator is dev key 2, as in the devnet. Its API is open, as the
/// devnet's are (`wavs_devnet::launch::DEVNET_OPEN_API`): the bench measures work, not
/// tokens, on loopback.
pub fn write_node_config(dir: &Path, data_dir: &Path, adapters: &Path, port: u16, extra: &str) -> Result<PathBuf, String> {
    std::fs::create_dir_all(adapters).map_err(|e| e.to_string())?;
    let config = format!(
        "data-dir = \"{}\"\nadapters-dir = \"{}\"\napi-addr = \"127.0.0.1:{port}\"\n{}{extra}\n[operator]\n{}\n",
        data_dir.display(),
        adapters.display(),
        wavs_devnet::launch::DEVNET_OPEN_API,
        dev_key_toml(2)
    );
    let path = dir.join("node.toml");
    std::fs::write(&path, config).map_err(|e| e.to_string())?;
    Ok(path)
}

/// A `wavs node` process of our own: its pid is needed for `/proc` readings and a
/// graceful stop (SIGINT), which the devnet's process wrapper does not offer.
pub struct NodeProc {
    child: Option<Child>,
    /// Its API base URL.
    pub url: String,
    dir: PathBuf,
    config: PathBuf,
    log: PathBuf,
    spawned: Instant,
}

impl NodeProc {
    /// Starts `wavs node --config <config>`, logging to `<dir>/<name>.log`.
    pub fn spawn(dir: &Path, config: &Path, port: u16, name: &str) -> Result<NodeProc, String> {
        let mut node = NodeProc {
            child: None,
            url: format!("http://127.0.0.1:{port}"),
            dir: dir.to_path_buf(),
            config: config.to_path_buf(),
            log: PathBuf::new(),
            spawned: Instant::now(),
        };
        node.start(name)?;
        Ok(node)
    }

    fn start(&mut self, name: &str) -> Result<(), String> {
        let log = self.dir.join(format!("{name}.log"));
        let out = std::fs::File::create(&log).map_err(|e| format!("{}: {e}", log.display()))?;
        let err = out.try_clone().map_err(|e| e.to_string())?;
        let binary = paths::binary("wavs");
        paths::require(&binary, "run cargo build --bins (see conformance/bench/README.md)")?;
        self.spawned = Instant::now();
        let child = Command::new(&binary)
            .args(["node", "--config"])
            .arg(&self.config)
            // Operators run at info; WAVS_BENCH_NODE_LOG=warn shows what logging costs.
            .env("RUST_LOG", std::env::var("WAVS_BENCH_NODE_LOG").unwrap_or_else(|_| "info".into()))
            .env("NO_COLOR", "1")
            .stdin(Stdio::null())
            .stdout(out)
            .stderr(err)
            .spawn()
            .map_err(|e| format!("cannot start {}: {e}", binary.display()))?;
        self.child = Some(child);
        self.log = log;
        Ok(())
    }

    /// Starts the same config again (same data dir and port), logging to `<name>.log`.
    pub fn restart(&mut self, name: &str) -> Result<(), String> {
        self.kill9();
        self.start(name)
    }

    /// The process id.
    pub fn pid(&self) -> u32 {
        self.child.as_ref().map(|c| c.id()).unwrap_or(0)
    }

    /// Waits until `/health` answers with `services` services loaded; returns the time
    /// since the process was spawned.
    pub async fn wait_ready(&mut self, http: &reqwest::Client, services: usize, timeout: Duration) -> Result<Duration, String> {
        let url = format!("{}/health", self.url);
        loop {
            if let Ok(response) = http.get(&url).timeout(Duration::from_secs(2)).send().await
                && response.status().is_success()
                && let Ok(body) = response.json::<NodeHealth>().await
                && body.services == services
            {
                return Ok(self.spawned.elapsed());
            }
            if let Some(child) = self.child.as_mut()
                && let Ok(Some(status)) = child.try_wait()
            {
                return Err(format!("node exited ({status}) during start-up:\n{}", self.log_tail(20)));
            }
            if self.spawned.elapsed() > timeout {
                return Err(format!("node not ready after {timeout:?}:\n{}", self.log_tail(20)));
            }
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    }

    /// `startup_ms` of the last "node opened" line in the log.
    pub fn logged_startup_ms(&self) -> Option<u64> {
        let text = strip_ansi(&std::fs::read_to_string(&self.log).ok()?);
        let line = text.lines().rev().find(|l| l.contains("node opened"))?;
        let at = line.find("startup_ms=")? + "startup_ms=".len();
        line[at..].chars().take_while(|c| c.is_ascii_digit()).collect::<String>().parse().ok()
    }

    /// The last lines of the current log.
    pub fn log_tail(&self, lines: usize) -> String {
        let text = std::fs::read_to_string(&self.log).unwrap_or_default();
        let all: Vec<&str> = text.lines().collect();
        all[all.len().saturating_sub(lines)..].join("\n")
    }

    /// Stops the node with SIGINT (its graceful shutdown) and waits for it to exit
    /// (SIGKILL after 20 s). Returns how long it took.
    pub fn stop_graceful(&mut self) -> Duration {
        let started = Instant::now();
        let Some(mut child) = self.child.take() else { return Duration::ZERO };
        let _ = Command::new("kill").args(["-INT", &child.id().to_string()]).status();
        while started.elapsed() < Duration::from_secs(20) {
            if let Ok(Some(_)) = child.try_wait() {
                return started.elapsed();
            }
            std::thread::sleep(Duration::from_millis(5));
        }
        let _ = child.kill();
        let _ = child.wait();
        started.elapsed()
    }

    /// Kills the node with SIGKILL and waits for it.
    pub fn kill9(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

impl Drop for NodeProc {
    fn drop(&mut self) {
        self.kill9();
    }
}

/// POSTs `body` with the content type a node takes for the path (a component upload is
/// `application/wasm`, the rest `application/json`) and returns the JSON answer.
pub async fn post(http: &reqwest::Client, url: &str, body: impl Into<reqwest::Body>) -> Result<Value, String> {
    let content_type = if url.ends_with("/components") { "application/wasm" } else { "application/json" };
    let request = http.post(url).header(reqwest::header::CONTENT_TYPE, content_type).body(body);
    let response = request.send().await.map_err(|e| format!("POST {url}: {e}"))?;
    let status = response.status();
    let text = response.text().await.unwrap_or_default();
    if !status.is_success() {
        return Err(format!("POST {url}: {status}: {text}"));
    }
    serde_json::from_str(&text).map_err(|e| format!("POST {url}: {e}: {text}"))
}

/// A typed client for the node at `node`, on `http` (its pool and timeout).
pub fn node_client(http: &reqwest::Client, node: &str) -> NodeClient {
    NodeClient::with_http(node, http.clone())
}

/// Posts a manual task; returns the execution record the node answers.
pub async fn task(http: &reqwest::Client, node: &str, service: &str, task_id: &str, payload: &[u8]) -> Result<ExecutionRecord, String> {
    let answer = node_client(http, node).post_task(service, "main", task_id, payload).await;
    let record = answer.map_err(|e| format!("POST {node}/services/{service}/workflows/main/tasks: {e}"))?;
    match &record.outcome {
        Outcome::Ok => Ok(record),
        Outcome::Error { kind, message, .. } => Err(format!("task {task_id} on {service}: {kind}: {message}")),
    }
}

/// An HTTP client for talking to local processes.
pub fn client() -> reqwest::Client {
    reqwest::Client::builder().timeout(Duration::from_secs(120)).build().expect("an HTTP client")
}

/// The bytes of guest `relative` (`components/echo.wasm`), or how to build it.
pub fn guest_bytes(relative: &str) -> Result<Vec<u8>, String> {
    let path = wavs_devnet::guest(relative);
    paths::require(&path, "run scripts/build-guests.sh")?;
    std::fs::read(&path).map_err(|e| format!("{}: {e}", path.display()))
}

/// `bytes` (a component) with a custom section `name` holding `payload` appended: the
/// same code under another digest, so each service can have a component of its own.
pub fn with_custom_section(bytes: &[u8], name: &str, payload: &[u8]) -> Vec<u8> {
    fn leb(mut n: usize, out: &mut Vec<u8>) {
        loop {
            let byte = (n & 0x7f) as u8;
            n >>= 7;
            if n == 0 {
                out.push(byte);
                return;
            }
            out.push(byte | 0x80);
        }
    }
    let mut body = Vec::new();
    leb(name.len(), &mut body);
    body.extend_from_slice(name.as_bytes());
    body.extend_from_slice(payload);
    let mut out = bytes.to_vec();
    out.push(0); // custom section id
    leb(body.len(), &mut out);
    out.extend_from_slice(&body);
    out
}

/// `text` without ANSI escape sequences.
pub fn strip_ansi(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        if c == '\x1b' {
            for c in chars.by_ref() {
                if c.is_ascii_alphabetic() {
                    break;
                }
            }
        } else {
            out.push(c);
        }
    }
    out
}
