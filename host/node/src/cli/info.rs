//! Commands about the node itself: health, chains, the operator's keys, manual tasks
//! and recent executions.

use super::{CliResult, Ctx, output};
use crate::NodeConfig;
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;
use wavs_runtime::{AdapterRegistry, AdapterSigner, ChainAdapter, WasmEngine};
use wavs_types::{ChainSpec, EnvelopeState};
use wavs_types::execution::{ExecutionRecord, Outcome, Submission};
use wavs_types::hex_bytes;
use wavs_types::node_api::{OperatorAnswer, OperatorIdentity};

/// `wavs health`: GET /health.
pub async fn health(ctx: &Ctx) -> CliResult {
    let answer = ctx.client().health().await.map_err(|e| e.to_string())?;
    if ctx.json {
        output::json(&answer);
        return Ok(());
    }
    println!("status      {}", answer.status);
    let paused = &answer.paused_services;
    match paused.is_empty() {
        true => println!("services    {}", answer.services),
        false => println!("services    {} ({} paused: {})", answer.services, paused.len(), paused.join(", ")),
    }
    println!("chains      {}", answer.chains.len());
    for (name, c) in &answer.chains {
        let error = c.error.as_deref().map(|e| format!("  ({e})")).unwrap_or_default();
        println!("  {name:<10}{:<20} head {}  lag {}{error}", c.state.to_string(), output::opt(c.head), output::opt(c.lag));
    }
    // An older node has no `cron`: nothing is printed for it.
    if !answer.cron.is_empty() {
        println!("cron        {}", answer.cron.len());
    }
    let now = crate::backoff::unix_ms() / 1000;
    for c in &answer.cron {
        let due = c.next_tick.map(|t| format!(" (in {} s)", t.saturating_sub(now))).unwrap_or_default();
        let (next, last) = (output::opt(c.next_tick), output::opt(c.last_queued_tick));
        println!("  {}/{}  {}  next {next}{due}  last queued {last}", c.service, c.workflow, c.schedule);
    }
    if let Some(p2p) = &answer.p2p {
        let from_chain = if p2p.peers_from_chain { ", also dialling the managers' lists" } else { "" };
        println!("p2p         {} peers{from_chain}; peer id {}", p2p.peers, p2p.peer_id);
    }
    let counts: Vec<String> = answer.executions.iter().map(|(k, v)| format!("{k} {v}")).collect();
    println!("executions  {}", if counts.is_empty() { "none since start".into() } else { counts.join(", ") });
    Ok(())
}

/// `wavs chains list`: the `chains` of GET /health.
pub async fn chains(ctx: &Ctx) -> CliResult {
    let chains = ctx.client().health().await.map_err(|e| e.to_string())?.chains;
    if ctx.json {
        output::json(&chains);
        return Ok(());
    }
    if chains.is_empty() {
        println!("no chains configured (`wavs chains add NAME --family F --chain-id ID --rpc-url URL`, or a [chains.NAME] table in the node's configuration)");
        return Ok(());
    }
    let rows: Vec<Vec<String>> = chains
        .iter()
        .map(|(name, c)| {
            let error = c.error.clone().unwrap_or_else(|| "-".into());
            let (head, cursor, lag) = (output::opt(c.head), output::opt(c.cursor), output::opt(c.lag));
            vec![name.clone(), c.family.clone(), c.state.to_string(), head, cursor, lag, c.adapter_loaded.to_string(), error]
        })
        .collect();
    output::table(&["chain", "family", "state", "head", "cursor", "lag", "adapter", "error"], &rows);
    Ok(())
}

/// `wavs chains add`: the chain's spec as `[chains.NAME]` takes it, as JSON. With
/// `aggregator`, that aggregator is given the chain first (so that nothing is added to
/// the node if it refuses; it answers a chain it has already as done).
pub async fn chains_add(name: &str, spec: Value, aggregator: Option<&str>, ctx: &Ctx) -> CliResult {
    let mut given = Value::Null;
    if let Some(url) = aggregator {
        super::aggregator::require_token(url)?;
        let typed: ChainSpec = serde_json::from_value(spec.clone()).map_err(|e| format!("invalid chain {name}: {e}"))?;
        given = super::aggregator::add_chain(url, name, typed, ctx.json).await?;
    }
    let mut body = spec;
    body["name"] = Value::String(name.to_string());
    ctx.client().add_chain(&body).await.map_err(|e| e.to_string())?;
    if ctx.json {
        output::json(&json!({ "added": name, "aggregator": given }));
    } else {
        println!("added chain {name} to the node at {}; `wavs chains list` shows when its adapter reads it", ctx.client().base());
    }
    Ok(())
}

/// Each chain's key of `config` (or service `service`'s key there): computed here, the
/// chain's identity for it through the configured adapters (no node needed; an adapter
/// may contact its chain to open it). A service's key index is read from (or assigned
/// in) the store of the config's data dir, so the node must be stopped.
async fn local_keys(config: &Path, service: Option<&str>) -> CliResult<OperatorAnswer> {
    let config = NodeConfig::load(config).map_err(|e| e.to_string())?;
    let index = match service {
        Some(id) => Some(local_service_key_index(&config, id)?),
        None => None,
    };
    let mut chains = BTreeMap::new();
    if !config.chains.is_empty() {
        let scratch = tempfile::tempdir().map_err(|e| e.to_string())?;
        let engine = WasmEngine::new(scratch.path()).map_err(|e| e.to_string())?;
        let registry = Arc::new(AdapterRegistry::new(engine, &config.adapters_dir).map_err(|e| e.to_string())?);
        registry.scan().await.map_err(|e| e.to_string())?;
        for (name, spec) in &config.chains {
            let mut key = crate::chains::chain_key(&config.operator, name, spec).map_err(|e| e.to_string())?;
            if let Some(index) = index {
                key = crate::chains::service_key(&key, index, config.per_service_keys).map_err(|e| e.to_string())?;
            }
            let signer = AdapterSigner::public_only(&key.signer).map_err(|e| e.to_string())?;
            let chain = ChainAdapter::from_spec(registry.clone(), name, spec, signer, config.limits.adapter_limits());
            chains.insert(name.clone(), crate::api::described_key(&chain, spec, &key).await);
        }
    }
    Ok(OperatorAnswer { chains })
}

/// Service `id`'s key index in the store of `config`'s data dir, assigned if it has none.
fn local_service_key_index(config: &NodeConfig, id: &str) -> CliResult<u64> {
    if !wavs_types::manifest::valid_id(id) {
        return Err(format!("--service {id:?}: use 1-64 letters, digits, '-' or '_'"));
    }
    let store = crate::store::Store::open(&config.data_dir).map_err(|e| {
        format!("cannot open the store in {}: {e} (is the node running? then drop --config to ask it)", config.data_dir.display())
    })?;
    store.service_key_index(id).map_err(|e| e.to_string())
}

/// `wavs keys`: each chain's key and identity, from the running node (GET /operator),
/// or with `--config` computed locally from the configuration file; with `--service`,
/// that service's keys (POST /services/{id}/keys).
pub async fn keys(config: Option<&Path>, service: Option<&str>, ctx: &Ctx) -> CliResult {
    let unreachable = |e: crate::error::NodeError| format!("{e} (or pass --config FILE to compute the keys without a node)");
    let answer = match (config, service) {
        (Some(path), _) => local_keys(path, service).await?,
        (None, Some(id)) => ctx.client().service_keys(id).await.map_err(unreachable)?,
        (None, None) => ctx.client().operator().await.map_err(unreachable)?,
    };
    if ctx.json {
        output::json(&answer);
        return Ok(());
    }
    if answer.chains.is_empty() {
        println!("no chains configured: each chain gets its own key once it is configured");
    }
    for (chain, entry) in &answer.chains {
        println!("{chain}  ({} {})", entry.family, entry.chain_id);
        println!("  public key  {}", entry.public_key);
        match &entry.id {
            OperatorIdentity::Unknown { error } => println!("  id          error: {error}"),
            OperatorIdentity::Id(id) => println!("  id          {id}"),
        }
        println!("  key         {}", entry.key);
        for (scheme, key) in &entry.schemes {
            println!("  {scheme}  {}", key.public_key);
            if !key.proof.is_empty() {
                println!("    proof of possession  {}", key.proof);
            }
        }
    }
    Ok(())
}

/// `wavs add-task`: runs a manual task on every node given with `--node`.
pub async fn add_task(service: &str, workflow: &str, payload: &str, task_id: Option<String>, ctx: &Ctx) -> CliResult {
    wavs_types::hex_bytes::decode(payload).map_err(|e| format!("--payload: {e} (give 0x-hex, e.g. 0x2a)"))?;
    let task_id = task_id.unwrap_or_else(|| {
        format!("{}", std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap_or_default().as_nanos())
    });
    let mut failures = Vec::new();
    let mut records = Vec::new();
    for url in ctx.nodes() {
        match ctx.client_for(url).add_task(service, workflow, &task_id, payload).await {
            Ok(record) => records.push((url, record)),
            Err(e) => failures.push(format!("{url}: {e}")),
        }
    }
    if ctx.json {
        let results: Vec<Value> = records.iter().map(|(url, record)| json!({ "node": url, "record": record })).collect();
        output::json(&json!({ "task-id": task_id, "results": results, "errors": failures }));
    } else {
        for (url, record) in &records {
            println!("{url}: task {task_id} on {service}/{workflow}: {}", describe_outcome(record));
            for (i, result) in record.results.iter().enumerate() {
                let (payload, event_id) = (hex_bytes::encode(&result.payload), hex_bytes::encode(&result.event_id));
                println!("  result {}: payload {payload} event-id {event_id}", i + 1);
            }
        }
    }
    if failures.is_empty() { Ok(()) } else { Err(failures.join("; ")) }
}

fn describe_outcome(record: &ExecutionRecord) -> String {
    let fuel = format!("fuel {}, {} ms", record.fuel_used, record.elapsed_ms);
    match &record.outcome {
        Outcome::Ok => format!("ok ({fuel})"),
        Outcome::Error { kind, message, .. } => format!("failed: {kind}: {message} ({fuel})"),
    }
}

/// `wavs executions`: the most recent execution records, newest first.
pub async fn executions(service: Option<&str>, limit: usize, ctx: &Ctx) -> CliResult {
    let list = ctx.client().executions(service, limit).await.map_err(|e| e.to_string())?;
    if ctx.json {
        output::json(&list);
        return Ok(());
    }
    if list.is_empty() {
        println!("no executions recorded yet");
    }
    for r in &list {
        println!("{}/{} {}: {}", r.service_id, r.workflow_id, r.trigger, describe_outcome(r));
        for result in &r.results {
            println!("  result {}: {}", hex_bytes::encode(&result.event_id), describe_submission(&result.submission));
        }
    }
    Ok(())
}

/// Where a result stands: kept locally, waiting for the aggregator, landed (with the
/// transaction and height), or given up with the reason.
fn describe_submission(sub: &Submission) -> String {
    match sub {
        Submission::Local => "kept on the node".into(),
        Submission::Signed { attempts, last_error: Some(e) } => {
            format!("signed, not taken by the aggregator yet ({attempts} attempts; last error: {e})")
        }
        Submission::Signed { last_error: None, .. } | Submission::InOutbox => "signed, sending to the aggregator".into(),
        Submission::Sent { aggregator } => match &aggregator.state {
            EnvelopeState::Landed { tx_hash, height } => format!("landed at height {height} in tx {}", hex_bytes::encode(tx_hash)),
            _ => format!("at the aggregator: {}", aggregator.detail),
        },
        Submission::Failed { reason } => format!("failed: {reason}"),
    }
}
