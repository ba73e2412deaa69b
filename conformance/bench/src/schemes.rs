//! `schemes`: what one result costs as the operator set grows, for an ECDSA and a BLS
//! service on the same EVM adapter, at the same batch size.
//!
//! For each scheme and operator count N: a manager on anvil holding N operators of
//! weight 1 with threshold ⌈2N/3⌉, and `envelopes` results each signed by the first
//! ⌈2N/3⌉ operators (the others are down, so every envelope has the same signer set and
//! BLS pays for N/3 non-signers). Two phases on one release `wavs-aggregator` data dir:
//!
//! 1. **Verification**: its batcher idle, the signatures are posted 100 per
//!    `POST /envelopes/batch`; aggregator CPU per signature is what accepting one costs
//!    (HTTP, the adapter's `verify` through the host's curves, quorum, the durable queue).
//!    The adapter's `verify` alone is also timed in process.
//! 2. **Landing**: the aggregator is restarted on the same data dir with
//!    `batch-interval-ms` 100 and `max-batch` B, and lands the queued backlog. Landed/s
//!    runs from the restart to the last landing; gas per envelope comes from its
//!    `batch landed` lines, and the handler's `EnvelopeHandled` logs are counted.
//!
//! No nodes run: what a node does per result does not depend on N, and 30 node processes
//! on 2 cores would time the machine, not the scheme.

use crate::chain::{aggregator_toml, handled_count, task_envelope};
use crate::intake::{Post, load};
use crate::landing::field;
use crate::util::{self, ms, say, stats};
use crate::emit;
use std::path::Path;
use std::time::{Duration, Instant};
use wavs_client::AggregatorClient;
use wavs_devnet::chain::LocalChain;
use wavs_devnet::devnet::{ChainKind, load_adapters};
use wavs_devnet::keys::dev_key;
use wavs_devnet::paths;
use wavs_devnet::process::{Managed, free_port, port_open};
use wavs_runtime::bindings::adapter_api::{BlockTag, Signature};
use wavs_runtime::bindings::testing_api::TestOperator;
use wavs_runtime::{AdapterSigner, ChainAdapter, Limits, Signer};
use wavs_types::{Scheme, SignedSubmission};

/// The schemes compared; both served by `evm.wasm`.
const SCHEMES: [Scheme; 2] = [Scheme::Secp256k1Ecdsa, Scheme::Bn254Bls];

/// The shape of one run.
#[derive(Debug, Clone, Copy)]
pub struct Shape {
    /// Results signed and landed per (scheme, operator count).
    pub envelopes: usize,
    /// The aggregator's `max-batch` while landing.
    pub max_batch: usize,
}

/// The key of bench operator `i` (fixed, so runs are alike); its other schemes' keys
/// derive from it as a node's do.
fn operator_key(i: usize) -> Result<Signer, String> {
    Signer::from_hex(&format!("{:064x}", 0x5c4e_3e00_u64 + i as u64)).map_err(|e| e.to_string())
}

/// Every scheme at every operator count in `operators`.
pub async fn run(shape: Shape, operators: &[usize]) -> Result<(), String> {
    let dir = tempfile::Builder::new().prefix("wavs-bench-schemes-").tempdir().map_err(|e| e.to_string())?;
    let chain = LocalChain::start_anvil(dir.path()).await?;
    let (registry, adapters_dir) = load_adapters(dir.path(), &[ChainKind::Anvil]).await?;
    let deployer = ChainAdapter::from_spec(registry, "anvil", &chain.spec, AdapterSigner::Submitting(dev_key(0)), Limits::ADAPTER_DEFAULT);
    let most = operators.iter().copied().max().unwrap_or(0);
    let keys = (0..most).map(operator_key).collect::<Result<Vec<_>, _>>()?;
    for scheme in SCHEMES {
        verify_alone(&deployer, scheme, &keys[0]).await?;
        for &n in operators {
            say(&format!("schemes: {scheme}, {n} operators (threshold {}), {} envelopes, max-batch {}", threshold(n), shape.envelopes, shape.max_batch));
            one(&deployer, &chain, &adapters_dir, scheme, &keys[..n], shape).await?;
        }
    }
    Ok(())
}

/// ⌈2n/3⌉: the quorum of a two-thirds threshold.
fn threshold(n: usize) -> usize {
    (2 * n).div_ceil(3)
}

/// The adapter's `verify` of one signature, in process (adapter and host curves, no HTTP
/// or store): what the aggregator pays per signature before anything else.
async fn verify_alone(adapter: &ChainAdapter, scheme: Scheme, key: &Signer) -> Result<(), String> {
    let count = if util::quick() { 20 } else { 200 };
    let public_key = key.public_key_for(scheme).map_err(|e| e.to_string())?;
    let mut signed = Vec::with_capacity(count);
    for i in 0..count {
        let digest: [u8; 32] = digest_of(i);
        let bytes = key.sign_for(scheme, &digest).map_err(|e| e.to_string())?;
        signed.push((digest, Signature { scheme: scheme.into(), public_key: public_key.clone(), bytes }));
    }
    let mut times = Vec::with_capacity(count);
    for (digest, signature) in &signed {
        let t = Instant::now();
        adapter.verify(digest, signature).await.map_err(|e| format!("{scheme} verify: {e}"))?;
        times.push(ms(t.elapsed()));
    }
    let s = stats(&times);
    emit!("schemes", {
        "phase": "adapter-verify",
        "scheme": scheme.to_string(),
        "count": s.n,
        "us_mean": util::r3(s.mean * 1000.0),
        "us_p50": util::r3(s.p50 * 1000.0),
        "us_p99": util::r3(s.p99 * 1000.0),
    });
    Ok(())
}

/// A distinct 32-byte digest per `i`.
fn digest_of(i: usize) -> [u8; 32] {
    let mut d = [0x5au8; 32];
    d[..8].copy_from_slice(&(i as u64).to_be_bytes());
    d
}

/// One (scheme, operator set) run: deploy, sign, accept, land.
async fn one(deployer: &ChainAdapter, chain: &LocalChain, adapters_dir: &Path, scheme: Scheme, keys: &[Signer], shape: Shape) -> Result<(), String> {
    let n = keys.len();
    let quorum = threshold(n);
    let set = keys
        .iter()
        .map(|k| Ok(TestOperator { public_key: k.public_key_for(scheme)?, proof: k.possession_proof(scheme)?, weight: 1 }))
        .collect::<Result<Vec<_>, wavs_runtime::RuntimeError>>()
        .map_err(|e| e.to_string())?;
    let deployment = deployer.deploy_service(scheme.into(), &set, quorum as u64).await.map_err(|e| format!("deploy a {scheme} service: {e}"))?;

    // Prepared before timing: the quorum's signature of every envelope.
    let workflow = format!("{scheme}-{n}");
    let mut submissions = Vec::with_capacity(shape.envelopes * quorum);
    for i in 0..shape.envelopes {
        let envelope = task_envelope(&workflow, &format!("schemes-{i}"), i);
        let digest = deployer.envelope_digest(&deployment.handler, &(&envelope).into()).await.map_err(|e| e.to_string())?;
        for key in &keys[..quorum] {
            submissions.push(SignedSubmission {
                service_id: "bench".into(),
                workflow_id: workflow.clone(),
                chain: "anvil".into(),
                handler: deployment.handler.clone(),
                manager: deployment.manager.clone(),
                envelope: envelope.clone(),
                signature: key.sign_for(scheme, &digest).map_err(|e| e.to_string())?,
                scheme,
                public_key: key.public_key_for(scheme).map_err(|e| e.to_string())?,
            });
        }
    }

    let data = tempfile::Builder::new().prefix("wavs-bench-schemes-agg-").tempdir().map_err(|e| e.to_string())?;
    let port = free_port();
    let base = format!("http://127.0.0.1:{port}");
    let config_path = data.path().join("aggregator.toml");
    let write_config = |interval_ms: u64| {
        let config = aggregator_toml(&data.path().join("aggregator"), adapters_dir, &format!("127.0.0.1:{port}"), chain, &deployment, interval_ms, shape.max_batch);
        std::fs::write(&config_path, config).map_err(|e| e.to_string())
    };
    let args = ["--config", config_path.to_str().unwrap_or_default()];
    let envs = [("RUST_LOG", "info"), ("NO_COLOR", "1")];

    // Phase 1: accept every signature, nothing lands.
    write_config(3_600_000)?;
    let mut aggregator = Managed::spawn("aggregator-accept", &paths::binary("wavs-aggregator"), &args, &envs, data.path())?;
    aggregator.wait_until(Duration::from_secs(60), || port_open(port)).await?;
    // Warm-up (not counted): the adapter instance, the target check, the operator set.
    let (warm, rest) = submissions.split_at(1);
    load(&base, warm, Post::Single, 1).await?;
    let pid = aggregator.pid().unwrap_or(0);
    let cpu_before = util::cpu_seconds(pid).unwrap_or(0.0);
    let started = Instant::now();
    let (counted, refused, first_refusal) = load(&base, rest, Post::Batch(100), 4).await?;
    let seconds = started.elapsed().as_secs_f64();
    let accept_cpu = util::cpu_seconds(pid).unwrap_or(0.0) - cpu_before;
    let queued = AggregatorClient::with_http(&base, util::client()).health().await.map_err(|e| e.to_string())?.queue_depth;
    aggregator.stop();
    if refused > 0 {
        return Err(format!("schemes ({scheme}, {n} operators): {refused} signatures refused, first: {}", first_refusal.unwrap_or_default()));
    }
    if queued != shape.envelopes {
        return Err(format!("schemes ({scheme}, {n} operators): {queued} of {} envelopes reached quorum", shape.envelopes));
    }

    // Phase 2: the same data dir, batching on; land the backlog.
    write_config(100)?;
    let from_height = deployer.head(BlockTag::Latest).await.map_err(|e| e.to_string())?.height;
    let restarted = Instant::now();
    let mut aggregator = Managed::spawn("aggregator-land", &paths::binary("wavs-aggregator"), &args, &envs, data.path())?;
    aggregator.wait_until(Duration::from_secs(60), || port_open(port)).await?;
    // CPU of the aggregator (verifying quorums, building and signing transactions) and
    // of anvil (running each transaction twice: estimate, then block) while landing.
    let anvil = util::children_named("anvil").first().copied().unwrap_or(0);
    let cpu = |pid: u32| util::cpu_seconds(pid).unwrap_or(0.0);
    let (pid, anvil_before) = (aggregator.pid().unwrap_or(0), cpu(anvil));
    let client = AggregatorClient::with_http(&base, util::client());
    let (mut landed, mut progress, mut first_landed) = (0u64, Instant::now(), None);
    while landed < shape.envelopes as u64 {
        if let Ok(h) = client.health().await {
            if h.counters.landed > 0 && first_landed.is_none() {
                first_landed = Some(restarted.elapsed());
            }
            if h.counters.landed > landed {
                landed = h.counters.landed;
                progress = Instant::now();
            }
        }
        if progress.elapsed() > Duration::from_secs(60) {
            say(&format!("schemes: no landing for 60 s; {landed} of {} landed", shape.envelopes));
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let land_s = restarted.elapsed().as_secs_f64();
    let (aggregator_cpu, anvil_cpu) = (cpu(pid), cpu(anvil) - anvil_before);
    aggregator.stop();
    let log = util::strip_ansi(&std::fs::read_to_string(aggregator.log()).unwrap_or_default());
    let batches: Vec<(u64, u64)> = log
        .lines()
        .filter(|l| l.contains("batch landed"))
        .filter_map(|l| Some((field(l, "size")?, field(l, "gas")?)))
        .collect();
    let refusals = log.lines().filter(|l| l.contains("batch refused")).count();
    let in_batches: u64 = batches.iter().map(|(s, _)| s).sum();
    let gas: u64 = batches.iter().map(|(_, g)| g).sum();
    let on_chain = handled_count(deployer, &deployment.handler, from_height + 1).await?;
    emit!("schemes", {
        "phase": "land",
        "scheme": scheme.to_string(),
        "operators": n,
        "signers": quorum,
        "envelopes": shape.envelopes,
        "max_batch": shape.max_batch,
        "signatures": counted + 1,
        "accept_s": util::r3(seconds),
        "signatures_per_s": util::r3(counted as f64 / seconds),
        "aggregator_cpu_us_per_signature": util::r3(accept_cpu * 1e6 / counted.max(1) as f64),
        "landed": landed,
        "on_chain": on_chain,
        "land_s": util::r3(land_s),
        "first_landed_s": first_landed.map(|d| util::r3(d.as_secs_f64())),
        "landed_per_s": util::r3(landed as f64 / land_s),
        "txs": batches.len(),
        "mean_batch": (!batches.is_empty()).then(|| util::r3(in_batches as f64 / batches.len() as f64)),
        "gas_per_envelope": (in_batches > 0).then(|| gas / in_batches),
        "max_tx_gas": batches.iter().map(|(_, g)| *g).max(),
        "land_aggregator_cpu_ms_per_tx": util::r3(aggregator_cpu * 1000.0 / batches.len().max(1) as f64),
        "land_anvil_cpu_ms_per_tx": util::r3(anvil_cpu * 1000.0 / batches.len().max(1) as f64),
        "batches_refused": refusals,
    });
    if on_chain != shape.envelopes {
        return Err(format!("schemes ({scheme}, {n} operators): {on_chain} of {} envelopes handled on chain", shape.envelopes));
    }
    Ok(())
}
