//! `intake`: signatures the aggregator counts per second. A release `wavs-aggregator`
//! (its data dir on disk) serves one target on a real anvil whose manager holds many
//! operators; a load generator posts correctly signed envelopes (many distinct event
//! ids, every operator signing each) with many requests in flight, one envelope per
//! `POST /envelopes`, or 100 per `POST /envelopes/batch`.
//!
//! Intake only, nothing lands: the batcher's interval is an hour, so its first round
//! never comes during a run. The threshold is every operator's weight, so each envelope
//! also goes from pending to queued at its last signature, as in production. Every
//! answer is checked: a signature refused (any non-2xx answer, or an item's error in a
//! batch) is counted and reported, and the run fails unless there are none.

use crate::chain::{idle_aggregator_toml, submission, task_envelope};
use crate::emit;
use crate::util::{self, say};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};
use wavs_devnet::chain::LocalChain;
use wavs_devnet::devnet::{ChainKind, load_adapters};
use wavs_devnet::keys::dev_key;
use wavs_devnet::process::{Managed, free_port, port_open};
use wavs_devnet::paths;
use wavs_runtime::bindings::testing_api::TestOperator;
use wavs_runtime::{AdapterSigner, ChainAdapter, Limits, Signer};
use wavs_client::AggregatorClient;
use wavs_types::{SignedSubmission, WireEnvelope};

/// How the load generator posts.
#[derive(Debug, Clone, Copy)]
pub enum Post {
    /// One signed envelope per `POST /envelopes`.
    Single,
    /// This many per `POST /envelopes/batch`.
    Batch(usize),
}

impl Post {
    fn name(self) -> String {
        match self {
            Post::Single => "post-envelopes".into(),
            Post::Batch(n) => format!("post-envelopes-batch-{n}"),
        }
    }
}

/// The key of bench operator `i`: a fixed scalar, so runs are alike.
fn operator_key(i: usize) -> Result<Signer, String> {
    Signer::from_hex(&format!("{:064x}", 0x1a7a_4e00_u64 + i as u64)).map_err(|e| e.to_string())
}

/// `envelopes` event ids signed by each of `operators`, posted `in_flight` requests at a
/// time, for each way of posting in `posts`; a fresh aggregator (and data dir) each.
pub async fn run(envelopes: usize, operators: usize, in_flight: usize, posts: &[Post]) -> Result<(), String> {
    let dir = tempfile::Builder::new().prefix("wavs-bench-intake-").tempdir().map_err(|e| e.to_string())?;
    say(&format!("intake: anvil, a manager with {operators} operators (threshold {operators}), {envelopes} envelopes"));
    let chain = LocalChain::start_anvil(dir.path()).await?;
    let (registry, adapters_dir) = load_adapters(dir.path(), &[ChainKind::Anvil]).await?;
    let deployer = ChainAdapter::from_spec(registry, "anvil", &chain.spec, AdapterSigner::Submitting(dev_key(0)), Limits::ADAPTER_DEFAULT);
    let keys = (0..operators).map(operator_key).collect::<Result<Vec<_>, _>>()?;
    let set: Vec<TestOperator> = keys.iter().map(|k| TestOperator { public_key: k.public_key(), proof: vec![], weight: 1 }).collect();
    let deployment = deployer.deploy_service(wavs_runtime::bindings::curves_api::Scheme::Secp256k1Ecdsa, &set, operators as u64).await.map_err(|e| e.to_string())?;

    // Prepared before timing: every signature of every envelope, as the JSON a node posts.
    // Envelope by envelope, each operator in turn: signatures of one envelope arrive close
    // together and race each other, as when operators answer the same trigger.
    let mut submissions = Vec::with_capacity(envelopes * operators);
    for i in 0..envelopes {
        let task_id = format!("intake-{i}");
        let envelope = task_envelope("intake", &task_id, i);
        let digest = deployer.envelope_digest(&deployment.handler, &(&envelope).into()).await.map_err(|e| e.to_string())?;
        for key in &keys {
            submissions.push(submission("intake", &deployment, &envelope, key, &digest)?);
        }
    }

    for &post in posts {
        let data = tempfile::Builder::new().prefix("wavs-bench-intake-agg-").tempdir().map_err(|e| e.to_string())?;
        let port = free_port();
        let addr = format!("127.0.0.1:{port}");
        let config = idle_aggregator_toml(&data.path().join("aggregator"), &adapters_dir, &addr, &chain, &deployment);
        let config_path = data.path().join("aggregator.toml");
        std::fs::write(&config_path, config).map_err(|e| e.to_string())?;
        let args = ["--config", config_path.to_str().unwrap_or_default()];
        // The binary's default log filter, as a deployment runs it.
        let mut aggregator = Managed::spawn("aggregator", &paths::binary("wavs-aggregator"), &args, &[("NO_COLOR", "1")], data.path())?;
        aggregator.wait_until(Duration::from_secs(60), || port_open(port)).await?;
        let base = format!("http://127.0.0.1:{port}");
        say(&format!("intake: {} signatures, {in_flight} requests in flight, {}", submissions.len(), post.name()));
        // Warm-up (not counted): the adapter instance, the target check, the operator set.
        let warm = SignedSubmission { envelope: WireEnvelope { event_id: vec![0xee; 32], ..submissions[0].envelope.clone() }, ..submissions[0].clone() };
        let _ = util::post(&util::client(), &format!("{base}/envelopes"), serde_json::to_string(&warm).map_err(|e| e.to_string())?).await;
        let pid = aggregator.pid().unwrap_or(0);
        let cpu_before = util::cpu_seconds(pid).unwrap_or(0.0);
        let started = Instant::now();
        let (counted, refused, first_refusal) = load(&base, &submissions, post, in_flight).await?;
        let elapsed = started.elapsed().as_secs_f64();
        let cpu = util::cpu_seconds(pid).unwrap_or(0.0) - cpu_before;
        let health = AggregatorClient::with_http(&base, util::client()).health().await.map_err(|e| e.to_string())?;
        let queued = health.queue_depth;
        emit!("intake", {
            "post": post.name(),
            "storage": "disk",
            "operators": operators,
            "envelopes": envelopes,
            "in_flight": in_flight,
            "signatures": submissions.len(),
            "counted": counted,
            "refused": refused,
            "first_refusal": first_refusal,
            "queued_at_quorum": queued,
            "seconds": util::r3(elapsed),
            "signatures_per_s": util::r3(counted as f64 / elapsed),
            "aggregator_cpu_us_per_signature": util::r3(cpu * 1e6 / counted.max(1) as f64),
            "measures": "intake only: batcher idle (batch-interval-ms 3600000), nothing lands",
        });
        aggregator.stop();
        if refused > 0 {
            return Err(format!("intake ({}): {refused} of {} signatures refused, first: {}", post.name(), submissions.len(), first_refusal.unwrap_or_default()));
        }
        if queued != envelopes {
            return Err(format!("intake ({}): {queued} envelopes reached quorum, {envelopes} were signed by every operator", post.name()));
        }
    }
    Ok(())
}

/// Posts every submission, `in_flight` requests at a time; returns (counted, refused,
/// the first refusal's text).
pub(crate) async fn load(base: &str, submissions: &[SignedSubmission], post: Post, in_flight: usize) -> Result<(usize, usize, Option<String>), String> {
    let per_request = match post {
        Post::Single => 1,
        Post::Batch(n) => n.max(1),
    };
    // Bodies encoded before timing, as a node has them ready in its outbox.
    let bodies: Vec<(String, usize)> = submissions
        .chunks(per_request)
        .map(|chunk| match post {
            Post::Single => serde_json::to_string(&chunk[0]).map(|b| (b, 1)),
            Post::Batch(_) => serde_json::to_string(chunk).map(|b| (b, chunk.len())),
        })
        .collect::<Result<_, _>>()
        .map_err(|e| e.to_string())?;
    let bodies = Arc::new(bodies);
    let next = Arc::new(AtomicUsize::new(0));
    let url = match post {
        Post::Single => format!("{base}/envelopes"),
        Post::Batch(_) => format!("{base}/envelopes/batch"),
    };
    let mut workers = tokio::task::JoinSet::new();
    for _ in 0..in_flight {
        let (bodies, next, url, http) = (bodies.clone(), next.clone(), url.clone(), util::client());
        workers.spawn(async move {
            let (mut counted, mut refused, mut first) = (0usize, 0usize, None::<String>);
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                let Some((body, items)) = bodies.get(i) else { break };
                let items = *items;
                match util::post(&http, &url, body.clone()).await {
                    Ok(answer) => {
                        // A batch answers one result per item; an item with an error was refused.
                        let errors: Vec<String> = answer
                            .as_array()
                            .map(|a| a.iter().filter_map(|r| r.get("error").map(|e| e.to_string())).collect())
                            .unwrap_or_default();
                        refused += errors.len();
                        counted += items - errors.len();
                        if first.is_none() {
                            first = errors.into_iter().next();
                        }
                    }
                    Err(e) => {
                        refused += items;
                        first.get_or_insert(e);
                    }
                }
            }
            (counted, refused, first)
        });
    }
    let (mut counted, mut refused, mut first) = (0, 0, None);
    while let Some(done) = workers.join_next().await {
        let (c, r, f) = done.map_err(|e| e.to_string())?;
        counted += c;
        refused += r;
        if first.is_none() {
            first = f;
        }
    }
    Ok((counted, refused, first))
}
