//! The real source servers the tests fetch from: a kubo IPFS node (offline, in its own
//! repo) and go-containerregistry's OCI registry, both built by the project's scripts
//! (`scripts/build-ipfs.sh`, `scripts/build-oci-registry.sh`; cached after the first
//! build) and killed when dropped. Shared with the devnet (`wavs_devnet::daemons`, through
//! `#[path]`), whose demo's service owner publishes to the kubo node.

use std::io::BufRead;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// The binary a build script prints on its last line (building it on first use).
fn built_by(script: &str) -> PathBuf {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let out = Command::new(root.join("scripts").join(script)).output().unwrap();
    assert!(out.status.success(), "scripts/{script} failed:\n{}", String::from_utf8_lossy(&out.stderr));
    let path = String::from_utf8(out.stdout).unwrap().lines().last().unwrap_or_default().to_string();
    PathBuf::from(path)
}

/// A process killed when dropped.
struct Killed(Child);

impl Drop for Killed {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// A kubo daemon serving its gateway on loopback, offline (no peers, no network).
pub struct Ipfs {
    _daemon: Killed,
    bin: PathBuf,
    repo: PathBuf,
    /// Its HTTP gateway, `http://127.0.0.1:PORT`.
    pub gateway: String,
}

impl Ipfs {
    /// `ipfs init` in `<dir>/ipfs` with the `test` profile (loopback, ports chosen by
    /// the system, no bootstrap peers), then `ipfs daemon --offline`.
    pub fn start(dir: &Path) -> Ipfs {
        let bin = built_by("build-ipfs.sh");
        let repo = dir.join("ipfs");
        let run = |args: &[&str]| {
            let out = Command::new(&bin).args(args).env("IPFS_PATH", &repo).output().unwrap();
            assert!(out.status.success(), "ipfs {args:?}: {}", String::from_utf8_lossy(&out.stderr));
        };
        run(&["init", "--profile", "test"]);
        // The gateway on a port of its own too (the test profile leaves it unset).
        run(&["config", "Addresses.Gateway", "/ip4/127.0.0.1/tcp/0"]);
        let mut child = Command::new(&bin)
            .args(["daemon", "--offline"])
            .env("IPFS_PATH", &repo)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let mut stdout = std::io::BufReader::new(child.stdout.take().unwrap()).lines();
        let mut daemon = Killed(child);
        let mut gateway = None;
        for line in stdout.by_ref().map_while(Result::ok) {
            // "Gateway server listening on /ip4/127.0.0.1/tcp/PORT"
            if let Some(addr) = line.strip_prefix("Gateway server listening on /ip4/") {
                let (ip, port) = addr.split_once("/tcp/").unwrap();
                gateway = Some(format!("http://{ip}:{}", port.trim()));
            }
            if line.contains("Daemon is ready") {
                break;
            }
        }
        let gateway = gateway.unwrap_or_else(|| {
            let _ = daemon.0.kill();
            panic!("ipfs daemon exited or never named its gateway")
        });
        // Keep reading so that the daemon never blocks on a full pipe.
        std::thread::spawn(move || stdout.for_each(drop));
        Ipfs { _daemon: daemon, bin, repo, gateway }
    }

    /// `ipfs add` of `file` (through the running daemon): its CID (v1).
    pub fn add(&self, file: &Path) -> String {
        let out = Command::new(&self.bin)
            .args(["add", "-Q", "--cid-version", "1"])
            .arg(file)
            .env("IPFS_PATH", &self.repo)
            .output()
            .unwrap();
        assert!(out.status.success(), "ipfs add: {}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8(out.stdout).unwrap().trim().to_string()
    }
}

/// go-containerregistry's registry, in memory, on a free loopback port.
pub struct Registry {
    _server: Killed,
    /// `127.0.0.1:PORT`, as `oci://` sources and `insecure-registries` name it.
    pub host: String,
}

impl Registry {
    /// Starts the registry and waits until it answers `/v2/`.
    pub fn start() -> Registry {
        let bin = built_by("build-oci-registry.sh");
        let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let server = Killed(Command::new(bin).args(["-port", &port.to_string()]).stdout(Stdio::null()).stderr(Stdio::null()).spawn().unwrap());
        let host = format!("127.0.0.1:{port}");
        let deadline = Instant::now() + Duration::from_secs(30);
        while std::net::TcpStream::connect(&host).is_err() {
            assert!(Instant::now() < deadline, "the OCI registry did not listen on {host} within 30 s");
            std::thread::sleep(Duration::from_millis(50));
        }
        Registry { _server: server, host }
    }
}
