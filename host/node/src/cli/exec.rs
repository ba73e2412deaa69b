//! `wavs exec`: runs a service component locally, the way the node would, without a
//! node: one trigger in, the responses, fuel and time out. The KV store is in memory.

use super::{CliResult, output};
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use wavs_runtime::bindings::wit_types::{
    Attribute, BlockIntervalTrigger, ChainEventTrigger, ContractEvent, CronTrigger, EventPosition, TriggerAction, TriggerData,
};
use wavs_runtime::{ComponentRunner, ExecPermissions, Limits, MemoryKv, RuntimeError, ServiceKv, WasmEngine};

/// What to run and how.
#[derive(Debug, Clone)]
pub struct ExecArgs {
    /// The component `.wasm`.
    pub component: PathBuf,
    /// Raw payload bytes (`--payload 0x..`).
    pub payload: Option<Vec<u8>>,
    /// A trigger described in JSON (`--trigger-json FILE`).
    pub trigger_json: Option<PathBuf>,
    /// Configuration variables.
    pub config: BTreeMap<String, String>,
    /// Fuel limit (default: the node's component default).
    pub fuel: Option<u64>,
    /// Time limit in ms.
    pub time_ms: Option<u64>,
    /// Hosts the component may reach over HTTP.
    pub allow_http_hosts: Vec<String>,
    /// Service id the component sees.
    pub service_id: String,
    /// Workflow id the component sees.
    pub workflow_id: String,
}

/// A directory for compiled components, kept between runs.
fn cache_dir() -> PathBuf {
    let env = |name: &str| std::env::var_os(name).filter(|v| !v.is_empty()).map(PathBuf::from);
    env("WAVS_CACHE")
        .or_else(|| env("XDG_CACHE_HOME").map(|d| d.join("wavs")))
        .or_else(|| env("HOME").map(|d| d.join(".cache/wavs")))
        .unwrap_or_else(|| std::env::temp_dir().join("wavs-cache"))
        .join("exec-compiled")
}

fn hex_field(v: &Value, key: &str) -> CliResult<Vec<u8>> {
    match v.get(key) {
        None | Some(Value::Null) => Ok(vec![]),
        Some(Value::String(s)) => wavs_types::hex_bytes::decode(s).map_err(|e| format!("{key}: {e}")),
        Some(other) => Err(format!("{key}: expected a 0x-hex string, got {other}")),
    }
}

fn str_field(v: &Value, key: &str, default: &str) -> String {
    v.get(key).and_then(Value::as_str).unwrap_or(default).to_string()
}

/// Reads a trigger from JSON: `{"raw": "0x.."}`, `{"block-interval": {"chain", "height"}}`,
/// `{"cron": {"time-unix-s": N}}` (a tick; default the current minute), or `{"chain-event": {"chain", "contract", "kind", "topics": ["0x.."], "data": "0x..",
/// "attributes": {"k": "v"}, "height"}}`. The node knows no chain, so a chain event is given
/// as the adapter would deliver it; the SDK's `trigger-json` example writes one shaped like
/// the reference EVM trigger contract's log.
pub fn parse_trigger(text: &str) -> CliResult<TriggerData> {
    const FORMS: &str = "expected {\"raw\": \"0x..\"}, {\"chain-event\": {...}}, {\"block-interval\": {...}} or {\"cron\": {\"time-unix-s\": N}}";
    let value: Value = serde_json::from_str(text).map_err(|e| format!("trigger JSON: {e}"))?;
    let obj = value.as_object().filter(|o| o.len() == 1).ok_or_else(|| format!("trigger JSON: {FORMS}"))?;
    let (kind, body) = obj.iter().next().expect("one entry");
    match kind.as_str() {
        "raw" => {
            let s = body.as_str().ok_or("trigger JSON: raw: expected a 0x-hex string")?;
            Ok(TriggerData::Raw(wavs_types::hex_bytes::decode(s).map_err(|e| format!("raw: {e}"))?))
        }
        "block-interval" => Ok(TriggerData::BlockInterval(BlockIntervalTrigger {
            chain: str_field(body, "chain", "local"),
            height: body.get("height").and_then(Value::as_u64).unwrap_or(1),
            block_hash: hex_field(body, "block-hash")?,
        })),
        "cron" => {
            let this_minute = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs() / 60 * 60).unwrap_or(0);
            let time_unix_s = match body.get("time-unix-s") {
                None => this_minute,
                Some(v) => v.as_u64().ok_or("cron: time-unix-s must be seconds since the Unix epoch")?,
            };
            Ok(TriggerData::Cron(CronTrigger { time_unix_s }))
        }
        "chain-event" => {
            let topics = match body.get("topics") {
                None => vec![],
                Some(Value::Array(list)) => list
                    .iter()
                    .map(|t| t.as_str().ok_or("topics: expected 0x-hex strings".to_string()).and_then(|s| wavs_types::hex_bytes::decode(s).map_err(|e| format!("topics: {e}"))))
                    .collect::<CliResult<_>>()?,
                Some(_) => return Err("topics: expected a list of 0x-hex strings".into()),
            };
            let data = hex_field(body, "data")?;
            let attributes = match body.get("attributes") {
                None => vec![],
                Some(Value::Object(map)) => map
                    .iter()
                    .map(|(k, v)| Attribute { key: k.clone(), value: v.as_str().map(str::to_string).unwrap_or_else(|| v.to_string()) })
                    .collect(),
                Some(_) => return Err("attributes: expected an object of key: value strings".into()),
            };
            let kind = str_field(body, "kind", &topics.first().map(|t| wavs_types::hex_bytes::encode(t)).unwrap_or_default());
            let event = ContractEvent { contract: str_field(body, "contract", ""), kind, topics, data, attributes };
            let position = EventPosition {
                height: body.get("height").and_then(Value::as_u64).unwrap_or(1),
                block_hash: hex_field(body, "block-hash")?,
                tx_hash: hex_field(body, "tx-hash")?,
                tx_index: 0,
                index: 0,
            };
            Ok(TriggerData::ChainEvent(ChainEventTrigger { chain: str_field(body, "chain", "local"), event, position }))
        }
        other => Err(format!("trigger JSON: unknown trigger kind {other:?}; {FORMS}")),
    }
}

/// What to do about a failed execution.
fn hint(e: &RuntimeError) -> &'static str {
    match e {
        RuntimeError::LimitExceeded(m) if m.contains("fuel") => " (raise it with --fuel N)",
        RuntimeError::LimitExceeded(m) if m.contains("time") => " (raise it with --time-ms N)",
        RuntimeError::HttpDenied(_) => " (grant a host with --allow-http-host HOST)",
        RuntimeError::InvalidComponent(_) => {
            " (is it a service component? build it with `cargo build --target wasm32-wasip2 --release` and pass target/wasm32-wasip2/release/<name>.wasm)"
        }
        _ => "",
    }
}

fn read_component(path: &Path) -> CliResult<Vec<u8>> {
    std::fs::read(path).map_err(|e| {
        format!("cannot read component {}: {e} (build it first: `cargo build --target wasm32-wasip2 --release`)", path.display())
    })
}

/// Runs `wavs exec`.
pub async fn run(args: ExecArgs, json_out: bool) -> CliResult {
    let data = match (&args.payload, &args.trigger_json) {
        (Some(_), Some(_)) => return Err("give --payload or --trigger-json, not both".into()),
        (Some(p), None) => TriggerData::Raw(p.clone()),
        (None, Some(file)) => {
            let text = std::fs::read_to_string(file).map_err(|e| format!("cannot read {}: {e}", file.display()))?;
            parse_trigger(&text).map_err(|e| format!("{}: {e}", file.display()))?
        }
        (None, None) => TriggerData::Raw(vec![]),
    };
    let bytes = read_component(&args.component)?;
    let engine = WasmEngine::new(cache_dir()).map_err(|e| format!("cannot start the WASM engine: {e}"))?;
    // Whoever runs `wavs exec` is the operator of this run: the hosts they grant on the
    // command line are allowed even when loopback or private (a local mock server).
    let granted = args
        .allow_http_hosts
        .iter()
        .map(|h| wavs_runtime::http_policy::HostEntry::parse(h).map_err(|why| format!("--allow-http-host {h:?}: {why}")))
        .collect::<Result<Vec<_>, _>>()?;
    let runner = ComponentRunner::new(engine)
        .map_err(|e| e.to_string())?
        .with_http_rules(wavs_runtime::HttpRules::trusting(granted));
    let load_started = std::time::Instant::now();
    let (digest, _) = runner.load(&bytes).map_err(|e| format!("{}: {e}{}", args.component.display(), hint(&e)))?;
    let load_ms = load_started.elapsed().as_millis() as u64;

    let limits = Limits {
        fuel: args.fuel.unwrap_or(Limits::COMPONENT_DEFAULT.fuel),
        time_ms: args.time_ms.unwrap_or(Limits::COMPONENT_DEFAULT.time_ms),
        ..Limits::COMPONENT_DEFAULT
    };
    let permissions = ExecPermissions { allowed_http_hosts: args.allow_http_hosts.clone(), config: args.config.clone(), secrets: Default::default(), determinism: None };
    let kv = ServiceKv::new(Arc::new(MemoryKv::new()), args.service_id.clone());
    let action = TriggerAction { service_id: args.service_id.clone(), workflow_id: args.workflow_id.clone(), data };
    let outcome = runner
        .execute(&digest, &action, &limits, &permissions, kv)
        .await
        .map_err(|e| format!("the component failed: {e}{}", hint(&e)))?;

    let time_ms = outcome.elapsed.as_millis() as u64;
    if json_out {
        let responses: Vec<Value> = outcome
            .responses
            .iter()
            .map(|r| {
                json!({
                    "payload": wavs_types::hex_bytes::encode(&r.payload),
                    "utf8": output::printable(&r.payload),
                    "ordering": r.ordering,
                })
            })
            .collect();
        output::json(&json!({
            "digest": digest,
            "responses": responses,
            "fuel-used": outcome.fuel_used,
            "fuel-limit": limits.fuel,
            "time-ms": time_ms,
            "load-ms": load_ms,
        }));
        return Ok(());
    }
    println!("component  {} (sha256 {digest}, loaded in {load_ms} ms)", args.component.display());
    if outcome.responses.is_empty() {
        println!("responses  none (the component returned an empty list: nothing would be submitted)");
    }
    for (i, r) in outcome.responses.iter().enumerate() {
        println!("response {}: {} bytes", i + 1, r.payload.len());
        println!("  hex      {}", wavs_types::hex_bytes::encode(&r.payload));
        if let Some(text) = output::printable(&r.payload) {
            println!("  utf-8    {text}");
        }
        if r.payload.len() == 32 {
            println!("  number   {}", output::unsigned_decimal(&r.payload));
        }
        if let Some(o) = r.ordering {
            println!("  ordering {o}");
        }
    }
    println!("fuel used  {} of {}", outcome.fuel_used, limits.fuel);
    println!("time       {time_ms} ms (limit {} ms)", limits.time_ms);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn triggers_parse_from_json() {
        assert!(matches!(parse_trigger(r#"{"raw": "0x0102"}"#).unwrap(), TriggerData::Raw(b) if b == [1, 2]));
        let TriggerData::ChainEvent(t) = parse_trigger(r#"{"chain-event": {"chain": "anvil", "topics": ["0x01", "0x0203"], "data": "0x2a"}}"#).unwrap() else {
            panic!("not a chain event")
        };
        assert_eq!((t.chain.as_str(), t.event.topics.clone(), t.event.data.clone()), ("anvil", vec![vec![1], vec![2, 3]], vec![0x2a]));
        assert_eq!(t.event.kind, "0x01", "kind defaults to topic 0");
        assert!(parse_trigger(r#"{"chain-event": {"topics": "0x01"}}"#).unwrap_err().contains("list of 0x-hex"));
        let TriggerData::ChainEvent(t) = parse_trigger(r#"{"chain-event": {"attributes": {"payload": "0x01"}}}"#).unwrap() else {
            panic!("not a chain event")
        };
        assert_eq!((t.event.attributes[0].key.as_str(), t.event.attributes[0].value.as_str()), ("payload", "0x01"));
        assert!(matches!(parse_trigger(r#"{"block-interval": {"height": 9}}"#).unwrap(), TriggerData::BlockInterval(b) if b.height == 9));
        assert!(matches!(parse_trigger(r#"{"cron": {"time-unix-s": 1700000040}}"#).unwrap(), TriggerData::Cron(c) if c.time_unix_s == 1_700_000_040));
        assert!(matches!(parse_trigger(r#"{"cron": {}}"#).unwrap(), TriggerData::Cron(c) if c.time_unix_s % 60 == 0));
        assert!(parse_trigger(r#"{"nope": 1}"#).unwrap_err().contains("unknown trigger kind"));
        assert!(parse_trigger(r#"{"raw": "0xz"}"#).is_err());
    }
}
