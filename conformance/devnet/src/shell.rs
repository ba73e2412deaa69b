//! A bash session as a reader of our guides has one: variables, exports and `cd` carry
//! from one command block to the next. Tests run the guides' blocks through it.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::time::{Duration, Instant};

/// What one block printed and how it ended.
#[derive(Debug)]
pub struct Ran {
    /// Its exit status (`None`: it did not finish in time).
    pub code: Option<i32>,
    pub stdout: String,
    pub stderr: String,
}

impl Ran {
    /// Both streams, for failure messages.
    pub fn both(&self) -> String {
        format!("exit {:?}\nstdout:\n{}\nstderr:\n{}", self.code, self.stdout, self.stderr)
    }
}

/// A long-lived `bash` in its own process group; everything it started is stopped on drop.
pub struct Shell {
    child: Child,
    stdin: ChildStdin,
    files: tempfile::TempDir,
    count: usize,
}

impl Shell {
    /// Starts bash in `cwd` with `env` added to this process's environment.
    pub fn start(cwd: &Path, env: &[(String, String)]) -> Shell {
        let files = tempfile::Builder::new().prefix("wavs-shell-").tempdir().expect("a temp dir");
        let mut cmd = Command::new("bash");
        cmd.args(["--noprofile", "--norc"]).current_dir(cwd).stdin(Stdio::piped()).stdout(Stdio::null()).stderr(Stdio::null());
        cmd.envs(env.iter().map(|(k, v)| (k, v)));
        std::os::unix::process::CommandExt::process_group(&mut cmd, 0);
        let mut child = cmd.spawn().expect("bash starts");
        let stdin = child.stdin.take().expect("bash's stdin");
        Shell { child, stdin, files, count: 0 }
    }

    /// Runs `script` as if typed into the session (it is sourced), waiting at most
    /// `timeout`. Its stdin is empty.
    pub fn run(&mut self, script: &str, timeout: Duration) -> Ran {
        self.count += 1;
        let path = |what: &str| -> PathBuf { self.files.path().join(format!("{}.{what}", self.count)) };
        let (block, out, err, rc) = (path("sh"), path("out"), path("err"), path("rc"));
        std::fs::write(&block, script).expect("the block is written");
        let line = format!(
            "{{ source {b}; }} >{o} 2>{e} </dev/null; echo $? >{rc}.tmp && mv {rc}.tmp {rc}\n",
            b = block.display(),
            o = out.display(),
            e = err.display(),
            rc = rc.display()
        );
        self.stdin.write_all(line.as_bytes()).and_then(|_| self.stdin.flush()).expect("the shell takes input");
        let started = Instant::now();
        let code = loop {
            if let Ok(text) = std::fs::read_to_string(&rc) {
                break text.trim().parse().ok();
            }
            if let Ok(Some(status)) = self.child.try_wait() {
                panic!("the shell itself exited ({status}) running:\n{script}\nstderr:\n{}", read(&err));
            }
            if started.elapsed() > timeout {
                break None;
            }
            std::thread::sleep(Duration::from_millis(100));
        };
        Ran { code, stdout: read(&out), stderr: read(&err) }
    }

    /// Runs `script` until `done` accepts what it printed, or `timeout` passes (a reader
    /// running a command again until the result is there).
    pub fn run_until(&mut self, script: &str, timeout: Duration, done: impl Fn(&Ran) -> bool) -> Ran {
        let started = Instant::now();
        loop {
            let ran = self.run(script, timeout);
            if done(&ran) || started.elapsed() > timeout {
                return ran;
            }
            std::thread::sleep(Duration::from_secs(1));
        }
    }
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_default()
}

impl Drop for Shell {
    fn drop(&mut self) {
        stop_group(&mut self.child, Duration::from_secs(5));
    }
}

/// Sends SIGTERM to `child` (so it can stop what it started), waits up to `grace`, then
/// kills its whole process group.
pub fn stop_group(child: &mut Child, grace: Duration) {
    let pid = child.id().to_string();
    let _ = Command::new("kill").args(["-TERM", &pid]).status();
    let started = Instant::now();
    while started.elapsed() < grace {
        if matches!(child.try_wait(), Ok(Some(_))) {
            break;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    let _ = Command::new("kill").args(["-KILL", "--", &format!("-{pid}")]).stderr(Stdio::null()).status();
    let _ = child.wait();
}
