//! Storage faults recover without a restart: a real `wavs-aggregator` process keeps its
//! data dir on a small tmpfs, which the test fills until the store's writes fail. Then
//! `/health` is unhealthy (503, with the reason) and envelopes are refused with a
//! retryable 503; once the filler is deleted the aggregator reopens its store, the
//! envelope whose quorum arrived during the fault lands, new ones are accepted and land,
//! and nothing acknowledged before the fault is lost. Finally, with its store file
//! deleted, it exits non-zero saying so.
//!
//! Needs root (CI runs as root) to mount the tmpfs: without it the test fails, saying so.

mod common;

use common::{Process, envelope, signed};
use reqwest::StatusCode;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};
use wavs_types::EnvelopeState;
use wavs_types::aggregator_health::HealthStatus;

/// A tmpfs mounted for the test, unmounted when dropped.
struct Tmpfs(PathBuf);

impl Tmpfs {
    fn mount(dir: &Path, size: &str) -> Tmpfs {
        std::fs::create_dir_all(dir).unwrap();
        let out = Command::new("mount").args(["-t", "tmpfs", "-o", &format!("size={size}"), "tmpfs"]).arg(dir).output();
        match out {
            Ok(o) if o.status.success() => Tmpfs(dir.to_path_buf()),
            Ok(o) => panic!(
                "cannot mount a {size} tmpfs at {} ({}): this test fills a small filesystem and must run as root (as CI does)",
                dir.display(),
                String::from_utf8_lossy(&o.stderr).trim()
            ),
            Err(e) => panic!("cannot run mount ({e}): this test mounts a small tmpfs and must run as root with mount(8) installed"),
        }
    }
}

impl Drop for Tmpfs {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg("-l").arg(&self.0).status();
    }
}

/// Writes `path` until the filesystem is full; returns the bytes written.
fn fill(path: &Path) -> u64 {
    let mut file = std::fs::File::create(path).unwrap();
    let mut written = 0u64;
    for chunk in [1 << 16, 1 << 12, 1 << 9] {
        let block = vec![0x5a; chunk];
        while file.write_all(&block).is_ok() {
            written += chunk as u64;
        }
    }
    let _ = file.sync_all();
    written
}

#[tokio::test(flavor = "multi_thread")]
async fn a_full_disk_is_reported_refused_retryably_and_recovered_without_a_restart() {
    let common::TwoOperators { dir, chain, service, manager: m, handler: h } = common::two_operators().await;
    let tmpfs = Tmpfs::mount(&dir.path().join("small"), "8m");
    let data = tmpfs.0.join("agg");
    let mut process = Process::start(dir.path(), &chain.config(&data, "api-token = \"none\"\nbatch-interval-ms = 100", "", &[&service])).await;
    let api = process.api.clone();

    // Before: one lands; one is acknowledged with a single signature (pending).
    let before = envelope(1, b"before".to_vec());
    for key in [2, 3] {
        api.accept(&signed(&chain, &m, &h, &before, key).await).await;
    }
    api.final_status(&before.event_id, &h, Duration::from_secs(60)).await;
    let pending = envelope(2, vec![2; 1024]);
    api.accept(&signed(&chain, &m, &h, &pending, 2).await).await;

    // The disk fills. The store may still have free pages, so envelopes are posted until
    // one needs new space; each one acknowledged until then must survive.
    let filler = tmpfs.0.join("filler");
    let filled = fill(&filler);
    let mut acknowledged = Vec::new();
    let refusal = loop {
        let e = envelope(100 + acknowledged.len() as u32, vec![7; 64 << 10]);
        let (status, body) = api.post(&signed(&chain, &m, &h, &e, 2).await).await;
        match status {
            StatusCode::OK => acknowledged.push(e),
            StatusCode::SERVICE_UNAVAILABLE => break body,
            other => panic!("{other}: {body}"),
        }
        assert!(acknowledged.len() < 200, "200 envelopes of 64 KiB stored on a full 8 MiB disk?");
    };
    println!("filled {} KiB; {} more envelopes fit before the store's writes failed: {refusal}", filled >> 10, acknowledged.len());
    assert_eq!(refusal["retryable"], true, "{refusal}");
    assert!(refusal["error"].as_str().unwrap().contains("store"), "{refusal}");

    // Meanwhile: unhealthy with the reason, and every envelope refused, retryably —
    // including the signature that completes `pending`'s quorum.
    let (status, health) = api.health().await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{health:?}");
    assert_eq!(health.status, HealthStatus::Unhealthy, "{health:?}");
    assert!(health.reason.as_deref().unwrap().contains("the store cannot write"), "{health:?}");
    let (status, body) = api.post(&signed(&chain, &m, &h, &pending, 3).await).await;
    assert_eq!((status, body["retryable"].as_bool()), (StatusCode::SERVICE_UNAVAILABLE, Some(true)), "{body}");
    tokio::time::sleep(Duration::from_secs(1)).await;
    assert_eq!(chain.handled(&h, &pending.event_id).await, None, "nothing is submitted while the store cannot record it");

    // Space comes back: healthy again without a restart.
    std::fs::remove_file(&filler).unwrap();
    let started = Instant::now();
    loop {
        let (status, health) = api.health().await;
        if status == StatusCode::OK {
            assert_eq!(health.status, HealthStatus::Ok);
            break;
        }
        assert!(started.elapsed() < Duration::from_secs(30), "still unhealthy 30 s after space came back: {health:?}");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    println!("healthy again {} ms after the filler was deleted", started.elapsed().as_millis());

    // The node re-sends what was refused: `pending` reaches its quorum and lands.
    api.accept(&signed(&chain, &m, &h, &pending, 3).await).await;
    let status = api.final_status(&pending.event_id, &h, Duration::from_secs(60)).await;
    assert!(matches!(status.state, EnvelopeState::Landed { .. }), "{status:?}");
    assert_eq!(chain.handled(&h, &pending.event_id).await.as_deref(), Some(&[2u8; 1024][..]));
    // A new envelope is accepted and lands.
    let after = envelope(3, b"after".to_vec());
    for key in [2, 3] {
        api.accept(&signed(&chain, &m, &h, &after, key).await).await;
    }
    let status = api.final_status(&after.event_id, &h, Duration::from_secs(60)).await;
    assert!(matches!(status.state, EnvelopeState::Landed { .. }), "{status:?}");
    // Everything acknowledged during the filling is still there, with its signature.
    for e in &acknowledged {
        let status = api.status(&e.event_id, &h).await.unwrap_or_else(|| panic!("lost an acknowledged envelope"));
        assert!(matches!(status.state, EnvelopeState::Pending { signed_weight: 1, .. }), "{status:?}");
    }

    // The store file deleted under it: it cannot keep what it acknowledged, so it stops.
    std::fs::remove_file(data.join("aggregator.redb")).unwrap();
    let started = Instant::now();
    let exit = loop {
        if let Some(status) = process.child.try_wait().unwrap() {
            break status;
        }
        assert!(started.elapsed() < Duration::from_secs(30), "still running 30 s after its store was deleted");
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    assert!(!exit.success(), "{exit}");
    let log = process.log_text();
    assert!(log.contains("aggregator.redb is gone"), "says why: {}", &log[log.len().saturating_sub(2000)..]);
    drop(process);
    drop(tmpfs);
}
