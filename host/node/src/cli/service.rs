//! `wavs service`: write an example manifest, check one locally, deploy, list, remove.

use super::{CliResult, Ctx, output};
use serde_json::{Value, json};
use std::path::{Path, PathBuf};
use wavs_types::{ServiceManifest, SubmitSpec, TriggerSpec};

/// The example `wavs service init` writes: one manual workflow running component
/// `main`, results kept on the node.
pub fn example_manifest(id: &str) -> Value {
    json!({
        "id": id,
        "name": "My service",
        "components": {
            "main": {
                "digest": "",
                "limits": { "fuel": 1_000_000_000u64, "time-ms": 10_000 },
                "permissions": { "allowed-http-hosts": [] },
                "config": { "greeting": "hello" }
            }
        },
        "workflows": {
            "main": { "trigger": "manual", "component": "main", "submit": "none" }
        }
    })
}

const EXPLANATION: &str = "\
What the fields mean (JSON has no comments, so here):
  id          the service's id on the node: 1-64 letters, digits, '-' or '_'
  components  name -> component. digest: sha256 of the .wasm; leave it empty and deploy
              with `wavs service deploy FILE --component main=path/to/component.wasm`,
              which uploads the file and fills it in. source (optional): where nodes fetch
              it by that digest, https://…, ipfs://CID or oci://registry/repo:tag (`wavs
              push FILE oci://…` publishes one). limits: fuel, time-ms, memory-bytes,
              output-bytes per execution (unset: the operator's defaults).
              permissions.allowed-http-hosts: \"host\" or \"host:port\" the component may
              reach (no port: 80 for http, 443 for https; no \"*\"; loopback and private
              hosts only where the node's operator allows them in http-allow-private).
              config: variables read with `config-var` (public: every node shows them).
              secrets: names of API keys and the like read with `secret`; each operator
              sets the values with `wavs secrets set SERVICE NAME` before deploying.
  workflows   id -> { trigger, component, submit }.
              trigger: \"manual\" (tasks from `wavs add-task`), or
                {\"chain-event\": {\"chain\": NAME, \"contract\": ADDRESS, \"event\": EVENT}}, or
                {\"block-interval\": {\"chain\": NAME, \"every\": N, \"start\": H}}, or
                {\"cron\": {\"schedule\": \"*/5 * * * *\"}} (five fields, UTC; each tick runs once
                on every operator, named by its scheduled time)
              submit: \"none\" (keep results on the node), or
                {\"aggregator\": {\"chain\": NAME, \"handler\": ADDRESS, \"manager\": ADDRESS}}
              NAME: a chain's local name (`wavs chains list`), or its shared id
              family:chain-id (e.g. evm:31337), which every operator's node resolves.
Check it with `wavs service validate FILE`.";

/// `wavs service init`.
pub fn init(id: &str, out: Option<&Path>, ctx: &Ctx) -> CliResult {
    let manifest = example_manifest(id);
    let text = serde_json::to_string_pretty(&manifest).expect("serializable") + "\n";
    match out {
        Some(path) => {
            if path.exists() {
                return Err(format!("{} exists; choose another --out or remove it", path.display()));
            }
            std::fs::write(path, &text).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
            if ctx.json {
                output::json(&json!({ "written": path, "manifest": manifest }));
            } else {
                println!("wrote {}", path.display());
            }
        }
        None => print!("{text}"),
    }
    eprintln!("{EXPLANATION}");
    Ok(())
}

/// Fills in the digest of each `(name, file)` as deploy would, without uploading.
fn fill_digests(json: &mut Value, components: &[(String, PathBuf)]) -> CliResult {
    for (name, file) in components {
        let bytes = std::fs::read(file).map_err(|e| format!("cannot read component {}: {e}", file.display()))?;
        let slot = json
            .pointer_mut(&format!("/components/{name}"))
            .and_then(Value::as_object_mut)
            .ok_or_else(|| format!("the manifest has no component named {name:?}"))?;
        slot.insert("digest".into(), Value::String(wavs_runtime::WasmEngine::digest(&bytes)));
    }
    Ok(())
}

fn valid_id(id: &str) -> bool {
    !id.is_empty() && id.len() <= 64 && id.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
}

/// Every problem found in `m` (errors), and things that work but look unintended
/// (warnings). Chain names are checked by the node at deploy.
pub fn problems(m: &ServiceManifest) -> (Vec<String>, Vec<String>) {
    let (mut errors, mut warnings) = (Vec::new(), Vec::new());
    if !valid_id(&m.id) {
        errors.push(format!("id {:?}: use 1-64 letters, digits, '-' or '_'", m.id));
    }
    if m.workflows.is_empty() {
        errors.push("workflows: a service needs at least one workflow".into());
    }
    for (name, c) in &m.components {
        if c.digest.is_empty() {
            errors.push(format!(
                "components.{name}.digest: empty; pass --component {name}=FILE.wasm (to validate and to deploy) to fill it in"
            ));
        } else if c.digest.len() != 64 || !c.digest.chars().all(|ch| ch.is_ascii_hexdigit()) {
            errors.push(format!("components.{name}.digest: expected 64 hex characters (sha256), got {:?}", c.digest));
        }
        let l = &c.limits;
        for (field, value) in [("fuel", l.fuel), ("time-ms", l.time_ms), ("memory-bytes", l.memory_bytes), ("output-bytes", l.output_bytes)] {
            if value == Some(0) {
                errors.push(format!("components.{name}.limits.{field}: must be greater than 0"));
            }
        }
        for host in &c.permissions.allowed_http_hosts {
            let at = format!("components.{name}.permissions.allowed-http-hosts: {host:?}");
            if let Err(why) = wavs_runtime::http_policy::HostEntry::parse(host) {
                errors.push(format!("{at}: {why}"));
            } else if let Err(why) = wavs_runtime::HttpRules::default().check_grant(host) {
                // Only the node knows what its operator allows: a warning here.
                warnings.push(format!("{at}: a node refuses it unless its operator allows it: {why}"));
            }
        }
        if !m.workflows.values().any(|w| &w.component == name) {
            warnings.push(format!("components.{name}: no workflow uses it"));
        }
    }
    for (id, wf) in &m.workflows {
        let at = format!("workflows.{id}");
        if !valid_id(id) {
            errors.push(format!("{at}: use 1-64 letters, digits, '-' or '_' for workflow ids"));
        }
        if !m.components.contains_key(&wf.component) {
            errors.push(format!("{at}.component: no component named {:?} in `components`", wf.component));
        }
        if let TriggerSpec::BlockInterval { every: 0, .. } = wf.trigger {
            errors.push(format!("{at}.trigger.block-interval.every: must be at least 1"));
        }
        if let TriggerSpec::Cron { schedule } = &wf.trigger {
            if let Err(e) = wavs_types::cron::Schedule::parse(schedule) {
                errors.push(format!("{at}.trigger.cron.schedule: {e}"));
            }
        }
        if let TriggerSpec::Custom { kind, .. } = &wf.trigger
            && kind.is_empty()
        {
            errors.push(format!("{at}.trigger.custom.kind: name one of the chain adapter's trigger kinds"));
        }
        if let TriggerSpec::ChainEvent { contract, event, .. } = &wf.trigger {
            if contract.is_empty() || event.is_empty() {
                errors.push(format!("{at}.trigger.chain-event: contract and event are required"));
            }
        }
        if let SubmitSpec::Aggregator { handler, manager, chain } = &wf.submit {
            if handler.is_empty() || manager.is_empty() || chain.is_empty() {
                errors.push(format!("{at}.submit.aggregator: chain, handler and manager are required"));
            }
        }
    }
    // The node's own check has the last word: if it finds something the list above
    // misses, that is a problem too.
    if errors.is_empty() {
        if let Err(e) = m.validate(|_| true) {
            errors.push(e);
        }
    }
    (errors, warnings)
}

/// `wavs service validate`.
pub fn validate(file: &Path, components: &[(String, PathBuf)], ctx: &Ctx) -> CliResult {
    let text = std::fs::read_to_string(file).map_err(|e| format!("cannot read {}: {e}", file.display()))?;
    let mut json: Value = serde_json::from_str(&text).map_err(|e| format!("{} is not JSON: {e}", file.display()))?;
    fill_digests(&mut json, components)?;
    let (errors, warnings) = match ServiceManifest::from_json(&json.to_string()) {
        Ok(m) => problems(&m),
        // Re-parse the original text so the position points into the file.
        Err(_) => (vec![ServiceManifest::from_json(&text).err().unwrap_or_else(|| "invalid service manifest".into())], vec![]),
    };
    if ctx.json {
        output::json(&json!({ "file": file, "valid": errors.is_empty(), "errors": errors, "warnings": warnings }));
    } else {
        for e in &errors {
            println!("error: {e}");
        }
        for w in &warnings {
            println!("warning: {w}");
        }
        if errors.is_empty() {
            println!("{}: valid (chain names are checked by the node at deploy)", file.display());
        }
    }
    if errors.is_empty() { Ok(()) } else { Err(format!("{}: {} problem(s)", file.display(), errors.len())) }
}

/// `wavs service list`.
pub async fn list(ctx: &Ctx) -> CliResult {
    let list = ctx.client().services().await.map_err(|e| e.to_string())?;
    if ctx.json {
        output::json(&list);
        return Ok(());
    }
    if list.is_empty() {
        println!("no services deployed (deploy one with `wavs service deploy FILE --component NAME=FILE.wasm`)");
        return Ok(());
    }
    // Paused services are listed by /health; an older node without the field shows none.
    let paused = ctx.client().health().await.map(|h| h.paused_services).unwrap_or_default();
    let mut rows = Vec::new();
    for s in &list {
        let state = if paused.contains(&s.id) { "paused" } else { "running" };
        for (wf, spec) in &s.workflows {
            let submit = match &spec.submit {
                SubmitSpec::None => "none".to_string(),
                SubmitSpec::Aggregator { chain, .. } => format!("aggregator {chain}"),
            };
            let digest = s.components.get(&spec.component).map(|c| c.digest.chars().take(12).collect()).unwrap_or_default();
            rows.push(vec![s.id.clone(), state.into(), wf.clone(), spec.trigger.kind().into(), spec.component.clone(), digest, submit]);
        }
    }
    output::table(&["service", "state", "workflow", "trigger", "component", "digest", "submit"], &rows);
    Ok(())
}

/// `wavs service remove`.
pub async fn remove(id: &str, ctx: &Ctx) -> CliResult {
    ctx.client().remove(id).await.map_err(|e| e.to_string())?;
    if ctx.json {
        output::json(&json!({ "removed": id }));
    } else {
        println!("removed {id}");
    }
    Ok(())
}

/// `wavs service pause|resume`.
pub async fn pause_or_resume(verb: &str, id: &str, ctx: &Ctx) -> CliResult {
    let answer = ctx.client().set_paused(id, verb).await.map_err(|e| e.to_string())?;
    if ctx.json {
        output::json(&answer);
    } else if verb == "pause" {
        let waiting = answer.waiting_jobs.unwrap_or_default();
        println!("paused {id}: triggers are still read and kept ({waiting} waiting); `wavs service resume {id}` runs them");
    } else {
        println!("resumed {id}: {} waiting job(s) released", answer.released_jobs.unwrap_or_default());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn http_grants_that_never_parse_are_errors_and_restricted_ones_warnings() {
        let mut m: ServiceManifest = serde_json::from_value(example_manifest("demo")).unwrap();
        m.components.get_mut("main").unwrap().digest = "ab".repeat(32);
        let hosts = ["*", "http://api.example.com", "api.example.com", "localhost:3000", "10.0.0.1"];
        m.components.get_mut("main").unwrap().permissions.allowed_http_hosts = hosts.map(String::from).to_vec();
        let (errors, warnings) = problems(&m);
        assert_eq!(errors.len(), 2, "{errors:?}");
        assert!(errors[0].contains("\"*\"") && errors[0].contains("wildcards"), "{errors:?}");
        assert!(errors[1].contains("no scheme"), "{errors:?}");
        assert_eq!(warnings.len(), 2, "{warnings:?}");
        assert!(warnings[0].contains("localhost:3000") && warnings[0].contains("http-allow-private"), "{warnings:?}");
        assert!(warnings[1].contains("private-network"), "{warnings:?}");
    }
}
