//! Chain-side paths on a real anvil:
//!
//! - `adapter-events`: `ChainAdapter::events` (the node's trigger read) over a range of
//!   100 blocks holding 100 trigger events, through `evm.wasm` loaded by the runtime's
//!   registry, as the node and the devnet load it; also one block, and `head`.
//! - `aggregator-accept`: `wavs_aggregator::Aggregator::accept` in process (adapter
//!   digest, signature recovery, operator id, operator set from chain (cached 2 s),
//!   weight and quorum, the durable queue commit) for the first and the
//!   quorum-completing signature of envelopes whose manager holds 3 operators with
//!   threshold 2; the same over HTTP (`POST /envelopes`); each with the aggregator's
//!   data dir on disk and on tmpfs (no fsync cost); each step alone; and the batcher's
//!   chain calls: `is-handled` per envelope and `submit` of 1, 10, 100, 200 envelopes.

use crate::emit;
use crate::util::{self, ms, say, stats};
use std::time::{Duration, Instant};
use wavs_devnet::bursts::uint;
use wavs_devnet::chain::LocalChain;
use wavs_devnet::devnet::{ChainKind, load_adapters};
use wavs_devnet::keys::{dev_key, submitter_toml};
use wavs_devnet::launch::chains_toml;
use wavs_runtime::bindings::adapter_api::{BlockTag, ContractEventFilter, EventFilter, OperatorSignature, Signature, SignedEnvelope};
use std::path::Path;
use wavs_runtime::bindings::testing_api::{TestDeployment, TestOperator};
use wavs_runtime::{AdapterSigner, ChainAdapter, Limits, Signer, recover_public_key};
use wavs_types::{EnvelopeState, SignedSubmission, TriggerIdentity, WireEnvelope, derive_event_id, ordering_bytes};

/// Times `iterations` calls of `events` over `blocks` blocks each holding one trigger.
pub async fn adapter_events(blocks: usize, iterations: usize) -> Result<(), String> {
    let dir = tempfile::Builder::new().prefix("wavs-bench-events-").tempdir().map_err(|e| e.to_string())?;
    say(&format!("adapter-events: anvil, {blocks} blocks with one trigger each"));
    let chain = LocalChain::start_anvil(dir.path()).await?;
    let (registry, _) = load_adapters(dir.path(), &[ChainKind::Anvil]).await?;
    let deployer = ChainAdapter::from_spec(registry.clone(), "anvil", &chain.spec, AdapterSigner::Submitting(dev_key(0)), Limits::ADAPTER_DEFAULT);
    let operators = [TestOperator { public_key: dev_key(2).public_key(), proof: vec![], weight: 1 }];
    let deployment = deployer.deploy_service(wavs_runtime::bindings::curves_api::Scheme::Secp256k1Ecdsa, &operators, 1).await.map_err(|e| e.to_string())?;
    let from = deployer.head(BlockTag::Latest).await.map_err(|e| e.to_string())?.height + 1;
    for i in 0..blocks {
        // anvil mines each transaction in a block of its own.
        deployer.fire_trigger(&deployment.trigger, &uint(i as u128)).await.map_err(|e| e.to_string())?;
    }
    let to = deployer.head(BlockTag::Latest).await.map_err(|e| e.to_string())?.height;
    // A reader of its own, as the node's trigger loop has.
    let reader = ChainAdapter::from_spec(registry, "anvil", &chain.spec, AdapterSigner::public_only(&dev_key(2)).map_err(|e| e.to_string())?, Limits::ADAPTER_DEFAULT);
    let filters = [EventFilter::ContractEvent(deployment.trigger_filter.clone())];
    let got = reader.events(&filters, from, to).await.map_err(|e| e.to_string())?.len();
    if got != blocks {
        return Err(format!("events over {from}..={to} returned {got} events, {blocks} fired"));
    }
    for (range, lo) in [("range", from), ("one-block", to)] {
        let mut times = Vec::with_capacity(iterations);
        let mut events = 0;
        for _ in 0..iterations {
            let t = Instant::now();
            events = reader.events(&filters, lo, to).await.map_err(|e| e.to_string())?.len();
            times.push(ms(t.elapsed()));
        }
        let s = stats(&times);
        emit!("adapter-events", {
            "range": range,
            "blocks": to - lo + 1,
            "events": events,
            "calls": s.n,
            "ms_mean": s.mean,
            "ms_p50": s.p50,
            "ms_p99": s.p99,
            "events_per_s": (s.mean > 0.0).then(|| util::r3(events as f64 * 1000.0 / s.mean)),
        });
    }
    let mut times = Vec::with_capacity(iterations);
    for _ in 0..iterations {
        let t = Instant::now();
        reader.head(BlockTag::Latest).await.map_err(|e| e.to_string())?;
        times.push(ms(t.elapsed()));
    }
    let s = stats(&times);
    emit!("adapter-events", { "range": "head-only", "calls": s.n, "ms_mean": s.mean, "ms_p50": s.p50, "ms_p99": s.p99 });
    Ok(())
}

/// Times `count` envelopes through the aggregator's accept path (two signatures each)
/// and `count` more over HTTP, per storage; then each step of the path alone and the
/// batcher's chain calls (`is-handled`, `submit`).
pub async fn aggregator_accept(count: usize) -> Result<(), String> {
    let dir = tempfile::Builder::new().prefix("wavs-bench-accept-").tempdir().map_err(|e| e.to_string())?;
    say("aggregator-accept: anvil, a manager with 3 operators and threshold 2");
    let chain = LocalChain::start_anvil(dir.path()).await?;
    let (registry, adapters_dir) = load_adapters(dir.path(), &[ChainKind::Anvil]).await?;
    let deployer = ChainAdapter::from_spec(registry, "anvil", &chain.spec, AdapterSigner::Submitting(dev_key(0)), Limits::ADAPTER_DEFAULT);
    let keys = [dev_key(2), dev_key(3), dev_key(4)];
    let operators: Vec<TestOperator> = keys.iter().map(|k| TestOperator { public_key: k.public_key(), proof: vec![], weight: 1 }).collect();
    let deployment = deployer.deploy_service(wavs_runtime::bindings::curves_api::Scheme::Secp256k1Ecdsa, &operators, 2).await.map_err(|e| e.to_string())?;

    let mut digests = Vec::new();
    let mut first_signatures = Vec::new();
    let mut pairs: Vec<[SignedSubmission; 2]> = Vec::new();
    for (storage, base) in crate::throughput::storages() {
        let data = tempfile::Builder::new().prefix("wavs-bench-accept-").tempdir_in(&base).map_err(|e| e.to_string())?;
        // The batcher sleeps an hour before its first round: only accept runs.
        let config = idle_aggregator_toml(&data.path().join("aggregator"), &adapters_dir, "127.0.0.1:0", &chain, &deployment);
        let config = wavs_aggregator::config::AggregatorConfig::parse(&config).map_err(|e| e.to_string())?;
        config.validate().map_err(|e| e.to_string())?;
        let handle = wavs_aggregator::Aggregator::start(config).await.map_err(|e| e.to_string())?;
        let aggregator = handle.aggregator.clone();

        // Envelopes and signatures, prepared before timing: 2 sets (in process, HTTP)
        // of `count`, each signed by operators 0 and 1.
        let mut sets: Vec<Vec<[SignedSubmission; 2]>> = Vec::new();
        for set in 0..2 {
            let mut out = Vec::with_capacity(count);
            for i in 0..count {
                let task_id = format!("accept-{storage}-{set}-{i}");
                let envelope = task_envelope("main", &task_id, i);
                let digest = deployer.envelope_digest(&deployment.handler, &(&envelope).into()).await.map_err(|e| e.to_string())?;
                let sign = |k: usize| submission("main", &deployment, &envelope, &keys[k], &digest);
                out.push([sign(0)?, sign(1)?]);
                digests.push((digest, out[i][0].signature.clone()));
            }
            sets.push(out);
        }
        first_signatures.extend(sets[0].iter().map(|p| p[0].clone()));
        pairs.extend(sets[0].iter().cloned());
        // Warm the adapter instance and the operator-set cache; not counted.
        aggregator.accept(&sets[0][0][0]).await.map_err(|e| e.to_string())?;

        for (k, which) in [(0usize, "first-signature"), (1, "quorum-signature")] {
            let mut times = Vec::with_capacity(count);
            let started = Instant::now();
            for (i, pair) in sets[0].iter().enumerate() {
                if i == 0 && k == 0 {
                    continue; // the warm-up
                }
                let t = Instant::now();
                let status = aggregator.accept(&pair[k]).await.map_err(|e| e.to_string())?;
                times.push(ms(t.elapsed()));
                let expected = if k == 0 { "pending" } else { "queued" };
                let as_expected = match status.state {
                    EnvelopeState::Pending { .. } => k == 0,
                    EnvelopeState::Queued => k == 1,
                    _ => false,
                };
                if !as_expected {
                    return Err(format!("accept #{i} ({which}): state {:?}, expected {expected}", status.state));
                }
            }
            emit_accept(&format!("in-process-{which}"), storage, &times, started.elapsed());
        }

        let http = util::client();
        let url = format!("http://{}/envelopes", handle.addr);
        let mut times = Vec::with_capacity(count);
        let started = Instant::now();
        for pair in &sets[1] {
            for s in pair {
                let t = Instant::now();
                util::post(&http, &url, serde_json::to_string(s).map_err(|e| e.to_string())?).await?;
                times.push(ms(t.elapsed()));
            }
        }
        emit_accept("http-post-envelopes", storage, &times, started.elapsed());
    }

    // Each step alone, on the deployer's adapter instance.
    let envelopes = &first_signatures[..count];
    let step = |name: &'static str, times: Vec<f64>| {
        let s = stats(&times);
        emit!("aggregator-accept", {
            "path": format!("step-{name}"),
            "count": s.n,
            "us_mean": util::r3(s.mean * 1000.0),
            "us_p50": util::r3(s.p50 * 1000.0),
            "us_p99": util::r3(s.p99 * 1000.0),
        });
    };
    let mut times = Vec::new();
    for s in envelopes {
        let t = Instant::now();
        deployer.envelope_digest(&deployment.handler, &(&s.envelope).into()).await.map_err(|e| e.to_string())?;
        times.push(ms(t.elapsed()));
    }
    step("adapter-envelope-digest", times);
    let mut times = Vec::new();
    for (digest, signature) in &digests[..count] {
        let t = Instant::now();
        recover_public_key(digest, signature).map_err(|e| e.to_string())?;
        times.push(ms(t.elapsed()));
    }
    step("recover-public-key", times);
    // What intake pays per signature: the adapter checks it through the host's curves.
    let mut times = Vec::new();
    for (digest, signature) in &digests[..count] {
        let t = Instant::now();
        deployer.verify(digest, &Signature::ecdsa(vec![], signature.clone())).await.map_err(|e| e.to_string())?;
        times.push(ms(t.elapsed()));
    }
    step("adapter-verify", times);
    let mut times = Vec::new();
    for _ in 0..count.min(50) {
        let t = Instant::now();
        deployer.operator_set(&deployment.manager, None).await.map_err(|e| e.to_string())?;
        times.push(ms(t.elapsed()));
    }
    step("adapter-operator-set-rpc-uncached", times);
    let mut times = Vec::new();
    for s in envelopes.iter().take(200) {
        let t = Instant::now();
        deployer.is_handled(&deployment.handler, &s.envelope.event_id).await.map_err(|e| e.to_string())?;
        times.push(ms(t.elapsed()));
    }
    step("adapter-is-handled", times);

    // One transaction of `size` envelopes with both signatures, for each size the
    // prepared envelopes cover (each envelope lands once).
    let mut ids = Vec::new();
    for key in &keys[..2] {
        ids.push(deployer.operator_id(wavs_runtime::bindings::curves_api::Scheme::Secp256k1Ecdsa, &key.public_key()).await.map_err(|e| e.to_string())?);
    }
    let mut pool = pairs.iter();
    for size in [1usize, 10, 100, 200] {
        let batch: Vec<SignedEnvelope> = pool
            .by_ref()
            .take(size)
            .map(|pair| SignedEnvelope {
                envelope: (&pair[0].envelope).into(),
                signatures: pair
                    .iter()
                    .zip(&ids)
                    .map(|(s, id)| OperatorSignature { operator: id.clone(), signature: Signature::ecdsa(s.public_key.clone(), s.signature.clone()) })
                    .collect(),
            })
            .collect();
        if batch.len() < size {
            break;
        }
        // CPU of anvil (executing the transaction, for the estimate and the block) and of
        // this process (the adapter building, signing and sending it).
        let anvil = util::children_named("anvil").first().copied().unwrap_or(0);
        let cpu = || (util::cpu_seconds(anvil).unwrap_or(0.0), util::cpu_seconds(std::process::id()).unwrap_or(0.0));
        let before = cpu();
        let t = Instant::now();
        let receipt = deployer.submit(&deployment.handler, &batch).await;
        let took = ms(t.elapsed());
        let after = cpu();
        match receipt {
            Ok(r) => emit!("aggregator-accept", {
                "path": "step-adapter-submit",
                "batch": size,
                "ms": util::r3(took),
                "ms_per_envelope": util::r3(took / size as f64),
                "gas": r.gas_used,
                "gas_per_envelope": r.gas_used / size as u64,
                "anvil_cpu_ms": util::r3((after.0 - before.0) * 1000.0),
                "bench_cpu_ms": util::r3((after.1 - before.1) * 1000.0),
            }),
            Err(e) => emit!("aggregator-accept", { "path": "step-adapter-submit", "batch": size, "error": e.to_string() }),
        }
    }
    // Let the API task go before the runtime is dropped.
    tokio::time::sleep(Duration::from_millis(10)).await;
    Ok(())
}

/// The configuration of an aggregator serving `deployment` on anvil `chain` whose
/// batcher sleeps an hour before its first round: only intake runs.
pub(crate) fn idle_aggregator_toml(data_dir: &Path, adapters_dir: &Path, api_addr: &str, chain: &LocalChain, deployment: &TestDeployment) -> String {
    aggregator_toml(data_dir, adapters_dir, api_addr, chain, deployment, 3_600_000, 100)
}

/// The configuration of an aggregator serving `deployment` on anvil `chain`, cutting a
/// batch of at most `max_batch` envelopes every `batch_interval_ms`.
pub(crate) fn aggregator_toml(data_dir: &Path, adapters_dir: &Path, api_addr: &str, chain: &LocalChain, deployment: &TestDeployment, batch_interval_ms: u64, max_batch: usize) -> String {
    format!(
        "data-dir = \"{}\"\nadapters-dir = \"{}\"\napi-addr = \"{api_addr}\"\nbatch-interval-ms = {batch_interval_ms}\nmax-batch = {max_batch}\n\n[[targets]]\nchain = \"anvil\"\nmanager = \"{}\"\nhandler = \"{}\"\n\n{}\n{}",
        data_dir.display(),
        adapters_dir.display(),
        deployment.manager,
        deployment.handler,
        submitter_toml(&["anvil"]),
        chains_toml(&[("anvil", chain)]),
    )
}

/// How many `EnvelopeHandled` logs `handler` emitted from height `from` to the head.
pub(crate) async fn handled_count(adapter: &ChainAdapter, handler: &str, from: u64) -> Result<usize, String> {
    let head = adapter.head(BlockTag::Latest).await.map_err(|e| e.to_string())?.height;
    let filter = [EventFilter::ContractEvent(ContractEventFilter { contract: handler.to_string(), event: "EnvelopeHandled(bytes20,bytes)".into() })];
    let mut count = 0;
    let mut start = from;
    while start <= head {
        let end = (start + 99).min(head);
        count += adapter.events(&filter, start, end).await.map_err(|e| e.to_string())?.len();
        start = end + 1;
    }
    Ok(count)
}

/// The envelope the bench service's `workflow` produces for manual task `task_id`: its
/// payload is `n` as a 32-byte uint.
pub(crate) fn task_envelope(workflow: &str, task_id: &str, n: usize) -> WireEnvelope {
    WireEnvelope {
        event_id: derive_event_id("bench", workflow, &TriggerIdentity::Manual { task_id }, 0),
        ordering: ordering_bytes(None),
        payload: uint(n as u128),
    }
}

/// `envelope` of the bench service's `workflow` for `deployment`'s handler on anvil,
/// signed by `key` over the chain's `digest` of it.
pub(crate) fn submission(workflow: &str, deployment: &TestDeployment, envelope: &WireEnvelope, key: &Signer, digest: &[u8]) -> Result<SignedSubmission, String> {
    Ok(SignedSubmission {
        service_id: "bench".into(),
        workflow_id: workflow.into(),
        chain: "anvil".into(),
        handler: deployment.handler.clone(),
        manager: deployment.manager.clone(),
        envelope: envelope.clone(),
        signature: key.sign_digest(digest).map_err(|e| e.to_string())?,
        scheme: Default::default(),
        public_key: key.public_key(),
    })
}

/// One `aggregator-accept` row: latencies of `times` (ms) taken over `elapsed`.
fn emit_accept(path: &str, storage: &str, times: &[f64], elapsed: std::time::Duration) {
    let s = stats(times);
    emit!("aggregator-accept", {
        "path": path,
        "storage": storage,
        "count": s.n,
        "us_mean": util::r3(s.mean * 1000.0),
        "us_p50": util::r3(s.p50 * 1000.0),
        "us_p99": util::r3(s.p99 * 1000.0),
        "per_s": util::r3(s.n as f64 / elapsed.as_secs_f64()),
    });
}
