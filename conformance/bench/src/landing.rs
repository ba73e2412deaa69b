//! Results landed per second on anvil: a devnet (anvil, the reference contracts, one
//! operator node with threshold 1, the `square` service) whose aggregator is one of our
//! own, started with `max-batch` set (the devnet's `start_aggregator` writes the
//! default). A burst of triggers is fired from several funded dev accounts at once;
//! the aggregator's `/health` counters are sampled every 20 ms to see when envelopes
//! arrive and land; the handler's `EnvelopeHandled` logs confirm every result on chain;
//! the aggregator's `batch landed` log lines give batch sizes and gas.
//!
//! Two modes:
//! - `live`: the node runs while the triggers are fired, as in production; the rate is
//!   bounded by how fast the triggers can be fired.
//! - `backlog`: the node is stopped while the whole burst is fired, then started again;
//!   it reads the burst from its stored cursor at once, so what is measured (from the
//!   restart) is how fast node, aggregator and chain clear it.
//!
//! Backlog runs with the node's and the aggregator's data dirs on disk and on tmpfs
//! (where fsync costs nothing). `max-batch` 1 runs live only: one transaction per
//! round of `batch-interval-ms` bounds it either way.

use crate::emit;
use crate::util::{self, say};
use std::path::PathBuf;
use std::time::{Duration, Instant};
use wavs_devnet::devnet::{ChainKind, load_adapters};
use wavs_devnet::keys::{dev_key, submitter_toml};
use wavs_devnet::launch::{NodeProcess, chains_toml, start_node};
use wavs_devnet::process::{Managed, free_port, port_open};
use wavs_devnet::{Devnet, DevnetOptions, bursts::uint, guest, paths};
use wavs_runtime::bindings::adapter_api::BlockTag;
use wavs_runtime::{AdapterSigner, ChainAdapter, Limits};
use wavs_types::aggregator_health::AggregatorHealth;

/// The devnet's batch interval (`launch.rs` writes 100 ms).
const BATCH_INTERVAL_MS: u64 = 100;

/// Funded anvil dev accounts free to fire triggers: 0 (the deployer) and 3..=9
/// (1 is the aggregator's submitter, 2 the operator).
const FIRING_KEYS: [u32; 8] = [0, 3, 4, 5, 6, 7, 8, 9];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    Live,
    Backlog,
}

impl Mode {
    fn name(self) -> &'static str {
        match self {
            Mode::Live => "live",
            Mode::Backlog => "backlog",
        }
    }
}

/// Bursts of `triggers` for each `max-batch` in `batches`: live on disk, and (above
/// max-batch 1) backlog on disk and on tmpfs.
pub async fn run(triggers: usize, batches: &[usize], firers: usize) -> Result<(), String> {
    let firers = firers.clamp(1, FIRING_KEYS.len());
    for &max_batch in batches {
        let mut runs = vec![(Mode::Live, "disk", std::env::temp_dir())];
        if max_batch > 1 {
            for (storage, base) in crate::throughput::storages() {
                runs.push((Mode::Backlog, storage, base));
            }
        }
        for (mode, storage, base) in runs {
            say(&format!("landing: {triggers} triggers, max-batch {max_batch}, {} on {storage}", mode.name()));
            burst(triggers, max_batch, firers, mode, storage, base).await?;
        }
    }
    Ok(())
}

#[derive(Default)]
struct Seen {
    first_received: Option<Instant>,
    all_received: Option<Instant>,
    first_landed: Option<Instant>,
    all_landed: Option<Instant>,
    landed: u64,
    batches: u64,
}

/// Starts the node again after a stop: same config file, data dir and port.
async fn restart_node(base: &std::path::Path, node: &NodeProcess) -> Result<NodeProcess, String> {
    let config = base.join("node1.toml");
    let port: u16 = node.url.rsplit(':').next().and_then(|p| p.parse().ok()).ok_or("no port in the node URL")?;
    let started = Instant::now();
    let args = ["node", "--config", config.to_str().unwrap_or_default()];
    let mut process = Managed::spawn("node1-run2", &paths::binary("wavs"), &args, &[("RUST_LOG", "info")], base)?;
    process.wait_until(Duration::from_secs(60), || port_open(port)).await?;
    Ok(NodeProcess { process, url: node.url.clone(), ready_in: started.elapsed() })
}

async fn burst(n: usize, max_batch: usize, firers: usize, mode: Mode, storage: &str, storage_base: PathBuf) -> Result<(), String> {
    let opts = DevnetOptions { operators: 1, threshold: 1, chains: vec![ChainKind::Anvil], ..DevnetOptions::default() };
    let mut devnet = Devnet::start(opts, &|s| say(s)).await?;
    // The devnet's own node and aggregator step aside for ours.
    devnet.stop_node(0);
    devnet.kill_aggregator();
    let data = tempfile::Builder::new().prefix("wavs-bench-landing-").tempdir_in(&storage_base).map_err(|e| e.to_string())?;
    let base = data.path().to_path_buf();
    let adapters = devnet.dir.path().join("adapters");
    let chains = chains_toml(&[(devnet.primary().name.as_str(), &devnet.primary().chain)]);
    let name = devnet.primary().name.clone();
    let port = free_port();
    let config = format!(
        "data-dir = \"{}\"\nadapters-dir = \"{}\"\napi-addr = \"127.0.0.1:{port}\"\nbatch-interval-ms = {BATCH_INTERVAL_MS}\nmax-batch = {max_batch}\n\n[[targets]]\nchain = \"{name}\"\nmanager = \"{}\"\nhandler = \"{}\"\n\n{}\n{chains}",
        base.join("aggregator").display(),
        adapters.display(),
        devnet.primary().deployment.manager,
        devnet.primary().deployment.handler,
        submitter_toml(&[name.as_str()]),
    );
    let config_path = base.join("aggregator.toml");
    std::fs::write(&config_path, config).map_err(|e| e.to_string())?;
    let args = ["--config", config_path.to_str().unwrap_or_default()];
    let envs = [("RUST_LOG", "info"), ("NO_COLOR", "1")];
    let mut aggregator = Managed::spawn("aggregator", &paths::binary("wavs-aggregator"), &args, &envs, &base)?;
    aggregator.wait_until(Duration::from_secs(60), || port_open(port)).await?;
    let aggregator_url = format!("http://127.0.0.1:{port}");
    let node = start_node(&base, &adapters, 0, &chains, &aggregator_url).await?;
    let node_url = node.url.clone();
    devnet.nodes.push(node);
    devnet.deploy_service(devnet.square_manifest("square"), &[("square", guest("components/square.wasm"))]).await?;
    let http = util::client();
    if mode == Mode::Backlog {
        // Stop the node once it has stored its cursor, so it reads the burst on restart.
        devnet
            .wait_for_health(&node_url, "the node reads the chain", |h| h.chains.get("anvil").is_some_and(|c| c.cursor.is_some()))
            .await?;
        let last = devnet.nodes.len() - 1;
        devnet.stop_node(last);
    }

    // Firing accounts, each with an adapter instance of its own.
    let (registry, _) = load_adapters(&base.join("firers"), &[ChainKind::Anvil]).await?;
    let spec = devnet.primary().chain.spec.clone();
    let trigger = devnet.primary().deployment.trigger.clone();
    let accounts: Vec<ChainAdapter> = FIRING_KEYS[..firers]
        .iter()
        .map(|k| ChainAdapter::from_spec(registry.clone(), "anvil", &spec, AdapterSigner::Submitting(dev_key(*k)), Limits::ADAPTER_DEFAULT))
        .collect();
    let from_height = devnet.primary().deployer.head(BlockTag::Latest).await.map_err(|e| e.to_string())?.height;

    let health_url = format!("{aggregator_url}/health");
    let fire_started = Instant::now();
    let firing = tokio::spawn(async move {
        let mut set = tokio::task::JoinSet::new();
        for (f, account) in accounts.into_iter().enumerate() {
            let trigger = trigger.clone();
            set.spawn(async move {
                let mut i = f + 1;
                while i <= n {
                    account.fire_trigger(&trigger, &uint(i as u128)).await.map_err(|e| format!("trigger {i}: {e}"))?;
                    i += firers;
                }
                Ok::<_, String>(Instant::now())
            });
        }
        let mut last = Instant::now();
        while let Some(done) = set.join_next().await {
            last = last.max(done.map_err(|e| e.to_string())??);
        }
        Ok::<_, String>(last)
    });
    let mut firing = Some(firing);
    let (fire_done, started) = match (mode, firing.take_if(|_| mode == Mode::Backlog)) {
        (Mode::Backlog, Some(firing)) => {
            let done = firing.await.map_err(|e| e.to_string())??;
            let last = devnet.nodes.len() - 1;
            let restarted = restart_node(&base, &devnet.nodes[last]).await?;
            let started = Instant::now() - restarted.ready_in;
            devnet.nodes[last] = restarted;
            (Some(done), started)
        }
        _ => (None, fire_started),
    };

    let mut seen = Seen::default();
    let mut progress = Instant::now();
    let mut fired_at: Option<Instant> = fire_done;
    loop {
        let now = Instant::now();
        if let Ok(r) = http.get(&health_url).timeout(Duration::from_secs(5)).send().await
            && let Ok(h) = r.json::<AggregatorHealth>().await
        {
            let (received, landed) = (h.counters.received, h.counters.landed);
            seen.batches = h.counters.batches;
            if received > 0 && seen.first_received.is_none() {
                seen.first_received = Some(now);
            }
            if received >= n as u64 && seen.all_received.is_none() {
                seen.all_received = Some(now);
            }
            if landed > 0 && seen.first_landed.is_none() {
                seen.first_landed = Some(now);
            }
            if landed > seen.landed {
                seen.landed = landed;
                progress = now;
            }
            if landed >= n as u64 {
                seen.all_landed = Some(now);
                break;
            }
        }
        if fired_at.is_none() && firing.as_ref().is_some_and(|f| f.is_finished()) {
            fired_at = Some(Instant::now());
        }
        let quiet = |t: Instant| t.elapsed() > Duration::from_secs(60);
        if fired_at.is_some_and(quiet) && quiet(progress) {
            say(&format!("landing: no progress for 60 s; {} of {n} landed", seen.landed));
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let fire_done = match firing {
        Some(f) => f.await.map_err(|e| e.to_string())??,
        None => fire_done.unwrap_or(fire_started),
    };
    let fire_s = (fire_done - fire_started).as_secs_f64();

    let on_chain = crate::chain::handled_count(&devnet.primary().deployer, &devnet.primary().deployment.handler, from_height).await?;
    let log = util::strip_ansi(&std::fs::read_to_string(aggregator.log()).unwrap_or_default());
    let mut sizes_gas: Vec<(u64, u64)> = Vec::new();
    for line in log.lines().filter(|l| l.contains("batch landed")) {
        if let (Some(size), Some(gas)) = (field(line, "size"), field(line, "gas")) {
            sizes_gas.push((size, gas));
        }
    }
    let refused: Vec<&str> = log.lines().filter(|l| l.contains("batch refused")).collect();
    let refusal = refused.first().map(|l| {
        let reason = l.split("batch refused").nth(1).unwrap_or_default().trim();
        reason.chars().take(240).collect::<String>()
    });
    let txs = sizes_gas.len() as u64;
    let envelopes: u64 = sizes_gas.iter().map(|(s, _)| s).sum();
    let gas: u64 = sizes_gas.iter().map(|(_, g)| g).sum();
    let since = |t: Option<Instant>| t.map(|t| util::r3(t.saturating_duration_since(started).as_secs_f64()));
    let span = match (seen.first_landed, seen.all_landed) {
        (Some(a), Some(b)) => Some((b - a).as_secs_f64()),
        _ => None,
    };
    let end_to_end = seen.all_landed.map(|t| (t - started).as_secs_f64());
    emit!("landing", {
        "mode": mode.name(),
        "storage": storage,
        "max_batch": max_batch,
        "batch_interval_ms": BATCH_INTERVAL_MS,
        "triggers": n,
        "firing_accounts": firers,
        "fire_s": util::r3(fire_s),
        "fired_per_s": util::r3(n as f64 / fire_s),
        "times_from": if mode == Mode::Live { "first-trigger" } else { "node-restart" },
        "first_received_s": since(seen.first_received),
        "all_received_s": since(seen.all_received),
        "received_per_s": since(seen.all_received).filter(|s| *s > 0.0).map(|s| util::r3(n as f64 / s)),
        "first_landed_s": since(seen.first_landed),
        "all_landed_s": since(seen.all_landed),
        "landing_span_s": span.map(util::r3),
        "landed_per_s": span.filter(|s| *s > 0.0).map(|s| util::r3(seen.landed as f64 / s)),
        "landed_per_s_end_to_end": end_to_end.map(|s| util::r3(seen.landed as f64 / s)),
        "landed": seen.landed,
        "on_chain": on_chain,
        "txs": txs.max(seen.batches),
        "mean_batch": (txs > 0).then(|| util::r3(envelopes as f64 / txs as f64)),
        "max_batch_seen": sizes_gas.iter().map(|(s, _)| *s).max(),
        "gas_per_envelope": (envelopes > 0).then(|| gas / envelopes),
        "max_tx_gas": sizes_gas.iter().map(|(_, g)| *g).max(),
        "batches_refused": refused.len(),
        "first_refusal": refusal,
    });
    Ok(())
}

/// The number after `name=` in a log line.
pub(crate) fn field(line: &str, name: &str) -> Option<u64> {
    let key = format!(" {name}=");
    let at = line.find(&key)? + key.len();
    line[at..].chars().take_while(|c| c.is_ascii_digit()).collect::<String>().parse().ok()
}
