//! Walking a guide: its bash blocks, in order, each with the blanks a reader fills in
//! (`<your handler>`, `PORT`) filled from what earlier commands printed.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};
use wavs_devnet::docs::{Block, blocks, check_excerpt, placeholders};
use wavs_devnet::paths::{binary, repo_root, target_dir};
use wavs_devnet::shell::{Ran, Shell, stop_group};

/// A reader's terminal: a home of their own (`~/src` is in it), `wavs`, `wavs-conformance`
/// and `cast` on the PATH, cargo offline (every crate is in the local cache after the
/// workspace build; WAVS_BUILDER_ONLINE=1 lets cargo fetch).
pub struct Reader {
    pub home: tempfile::TempDir,
    pub shell: Shell,
    fills: Vec<(String, String)>,
}

impl Reader {
    pub fn new() -> Reader {
        let home = tempfile::Builder::new().prefix("wavs-reader-").tempdir().unwrap();
        let real_home = std::env::var("HOME").unwrap_or_default();
        let keep = |name: &str, default: String| (name.to_string(), std::env::var(name).unwrap_or(default));
        let tools = [binary("wavs").parent().unwrap().to_path_buf(), repo_root().join("node_modules/@foundry-rs/cast-linux-amd64/bin")];
        let path = tools.iter().map(|p| p.display().to_string()).chain(std::env::var("PATH").ok()).collect::<Vec<_>>().join(":");
        let mut env = vec![
            ("HOME".to_string(), home.path().display().to_string()),
            ("PATH".to_string(), path),
            keep("CARGO_HOME", format!("{real_home}/.cargo")),
            keep("RUSTUP_HOME", format!("{real_home}/.rustup")),
        ];
        if std::env::var_os("WAVS_BUILDER_ONLINE").is_none() {
            env.push(("CARGO_NET_OFFLINE".into(), "true".into()));
        }
        let mut shell = Shell::start(home.path(), &env);
        // The reader's crates build into their own `target/`, not the workspace's.
        assert_eq!(shell.run("unset CARGO_TARGET_DIR", Duration::from_secs(10)).code, Some(0));
        Reader { home, shell, fills: Vec::new() }
    }

    /// From now on, `blank` in a block reads `value`.
    pub fn fill(&mut self, blank: &str, value: &str) {
        self.fills.push((blank.into(), value.into()));
    }

    /// What `blank` was filled with.
    pub fn value(&self, blank: &str) -> String {
        self.fills.iter().rev().find(|(b, _)| b == blank).map(|(_, v)| v.clone()).unwrap_or_else(|| panic!("{blank} is not filled yet"))
    }

    /// `block` with every blank filled; panics on a blank nothing filled.
    pub fn filled(&self, block: &Block) -> String {
        let mut text = block.text.clone();
        for (blank, value) in &self.fills {
            text = text.replace(blank, value);
        }
        // Comments may name blanks (`# e.g. http://127.0.0.1:PORT`); commands may not.
        let code: String = text.lines().filter(|l| !l.trim_start().starts_with('#')).map(|l| l.split(" # ").next().unwrap()).collect();
        let left = placeholders(&code);
        assert!(left.is_empty() && !code.contains("XXXX") && !code.contains(":PORT"), "{}: blanks left {left:?} in\n{text}", block.at());
        text
    }

    /// `~/src/NAME`, as the guides name a crate.
    pub fn crate_dir(&self, name: &str) -> PathBuf {
        self.home.path().join("src").join(name)
    }

    /// Gives the crate `wavs new` just wrote a `target/` shared by every walk (a link into
    /// the workspace's target dir), so dependencies compile once, not on every run.
    pub fn share_target(&self, name: &str) {
        let shared = target_dir().join("docs-walk");
        std::fs::create_dir_all(&shared).unwrap();
        std::os::unix::fs::symlink(&shared, self.crate_dir(name).join("target")).unwrap();
    }
}

/// A guide's blocks, taken in order.
pub struct Guide {
    blocks: Vec<Block>,
    next: usize,
}

impl Guide {
    pub fn open(doc: &str) -> Guide {
        Guide { blocks: blocks(doc), next: 0 }
    }

    /// The next block: it must start with `first` (the walk follows the guide's order).
    /// Blocks that show a source file on the way are checked against that file.
    pub fn next(&mut self, first: &str) -> Block {
        loop {
            let block = self.blocks.get(self.next).unwrap_or_else(|| panic!("the guide has no block `{first}` any more")).clone();
            self.next += 1;
            if block.source.is_some() {
                check_excerpt(&block).unwrap_or_else(|e| panic!("{e}"));
                continue;
            }
            assert!(
                block.first_line().starts_with(first),
                "{}: the walk expected the block starting `{first}` here, found `{}`: update conformance/devnet/tests/docs_walk for the guide's new order",
                block.at(),
                block.first_line()
            );
            return block;
        }
    }

    /// Every block was walked.
    pub fn finish(mut self) {
        while let Some(block) = self.blocks.get(self.next).cloned() {
            self.next += 1;
            match &block.source {
                Some(_) => check_excerpt(&block).unwrap_or_else(|e| panic!("{e}")),
                None => panic!("{}: no step of the walk runs this block: add one to conformance/devnet/tests/docs_walk\n{}", block.at(), block.text),
            }
        }
    }
}

/// Runs `block` in the reader's shell, asserting it succeeds.
pub fn run(reader: &mut Reader, block: &Block, timeout: Duration) -> Ran {
    let script = reader.filled(block);
    eprintln!("[walk] {}: {}", block.at(), block.first_line());
    let ran = reader.shell.run(&script, timeout);
    assert_eq!(ran.code, Some(0), "{} failed:\n{script}\n{}", block.at(), ran.both());
    ran
}

/// Something a block started that keeps running (the devnet); stopped on drop.
pub struct Background {
    child: Child,
    pub log: PathBuf,
}

impl Background {
    /// Starts `script` with bash in `dir`, output to a file; waits for a line containing
    /// `ready` (or fails after `timeout`, showing the output).
    pub fn start(script: &str, dir: &Path, ready: &str, timeout: Duration) -> Background {
        static STARTED: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
        let n = STARTED.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let log = std::env::temp_dir().join(format!("wavs-walk-{}-{n}.log", std::process::id()));
        let out = std::fs::File::create(&log).unwrap();
        let mut cmd = Command::new("bash");
        cmd.arg("-c").arg(script).current_dir(dir).stdin(Stdio::null()).stdout(out.try_clone().unwrap()).stderr(out);
        std::os::unix::process::CommandExt::process_group(&mut cmd, 0);
        let mut background = Background { child: cmd.spawn().expect("bash starts"), log };
        let started = Instant::now();
        while !background.output().contains(ready) {
            if let Ok(Some(status)) = background.child.try_wait() {
                panic!("`{script}` exited ({status}) before `{ready}`:\n{}", background.output());
            }
            assert!(started.elapsed() < timeout, "`{script}`: no `{ready}` after {timeout:?}:\n{}", background.output());
            std::thread::sleep(Duration::from_millis(200));
        }
        background
    }

    /// What it printed so far, without colour codes.
    pub fn output(&self) -> String {
        let raw = std::fs::read_to_string(&self.log).unwrap_or_default();
        let mut out = String::with_capacity(raw.len());
        let mut chars = raw.chars();
        while let Some(c) = chars.next() {
            if c == '\u{1b}' {
                chars.by_ref().find(|c| c.is_ascii_alphabetic());
            } else {
                out.push(c);
            }
        }
        out
    }
}

impl Drop for Background {
    fn drop(&mut self) {
        // SIGTERM first: the devnet stops its nodes, aggregator and chain itself.
        stop_group(&mut self.child, Duration::from_secs(15));
        let _ = std::fs::remove_file(&self.log);
    }
}

/// The text after `label` up to the end of its line, in `text`.
pub fn after<'a>(text: &'a str, label: &str) -> &'a str {
    let rest = text.split_once(label).unwrap_or_else(|| panic!("no `{label}` in:\n{text}")).1;
    rest.lines().next().unwrap_or_default().trim()
}

/// The first `0x…` word in `text` of exactly `hex_len` hex digits.
pub fn hex_word(text: &str, hex_len: usize) -> String {
    text.split(|c: char| !c.is_ascii_alphanumeric())
        .find(|w| w.len() == hex_len + 2 && w.starts_with("0x") && w[2..].chars().all(|c| c.is_ascii_hexdigit()))
        .unwrap_or_else(|| panic!("no 0x word of {hex_len} hex digits in:\n{text}"))
        .to_string()
}
