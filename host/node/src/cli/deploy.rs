//! `wavs service deploy`: uploads each component to every node given (`--node`,
//! repeatable) at once, follows each node's compile with progress on stderr (a large
//! component takes tens of seconds), then deploys the manifest on each. Nodes work in
//! parallel; one node's failure does not stop the others, and each is reported.

use super::{CliResult, Client, Ctx, DEFAULT_NODE, output};
use serde_json::{Value, json};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};
use wavs_types::health::CompileState;
use wavs_types::node_api::ServiceDeployed;

/// How often a compile's state is read, and how often progress is printed.
const POLL: Duration = Duration::from_millis(500);
const REPORT_EVERY: Duration = Duration::from_secs(5);

/// Runs `wavs service deploy FILE --component NAME=FILE.wasm ...`.
pub async fn deploy(file: &Path, components: &[(String, PathBuf)], ctx: &Ctx) -> CliResult {
    let text = std::fs::read_to_string(file).map_err(|e| format!("cannot read manifest {}: {e}", file.display()))?;
    let manifest: Value = serde_json::from_str(&text).map_err(|e| format!("manifest {} is not JSON: {e}", file.display()))?;
    let mut uploads = Vec::new();
    for (name, path) in components {
        if manifest.pointer(&format!("/components/{name}")).and_then(Value::as_object).is_none() {
            return Err(format!("manifest has no component named {name:?}"));
        }
        let bytes = std::fs::read(path).map_err(|e| format!("cannot read component {}: {e}", path.display()))?;
        uploads.push((name.clone(), bytes));
    }
    let urls: Vec<String> = if ctx.nodes().is_empty() { vec![DEFAULT_NODE.to_string()] } else { ctx.nodes().to_vec() };
    let mut tasks = tokio::task::JoinSet::new();
    for url in urls.clone() {
        let (client, manifest, uploads) = (ctx.client_for(&url), manifest.clone(), uploads.clone());
        tasks.spawn(async move {
            let outcome = deploy_on(&client, manifest, &uploads).await;
            (url, outcome)
        });
    }
    let mut done = Vec::new();
    while let Some(joined) = tasks.join_next().await {
        done.push(joined.map_err(|e| format!("deploy task: {e}"))?);
    }
    done.sort_by_key(|(url, _)| urls.iter().position(|u| u == url));
    let failed: Vec<String> = done.iter().filter_map(|(url, o)| o.as_ref().err().map(|e| format!("{url}: {e}"))).collect();
    if ctx.json {
        let per_node: Vec<Value> = done
            .iter()
            .map(|(url, o)| match o {
                Ok(answer) => json!({ "node": url, "deployed": answer }),
                Err(e) => json!({ "node": url, "error": e }),
            })
            .collect();
        output::json(&if per_node.len() == 1 { per_node[0]["deployed"].clone() } else { json!(per_node) });
    } else {
        for (url, outcome) in &done {
            if let Ok(answer) = outcome {
                println!("deployed {} on {url}", answer.id);
            }
        }
    }
    match failed.as_slice() {
        [] => Ok(()),
        [one] if done.len() == 1 => Err(one.split_once(": ").map(|(_, e)| e.to_string()).unwrap_or_else(|| one.clone())),
        many => Err(format!("deploy failed on {} of {} nodes:\n  {}", many.len(), done.len(), many.join("\n  "))),
    }
}

/// Uploads, waits for the compiles, deploys: on one node.
async fn deploy_on(client: &Client, mut manifest: Value, uploads: &[(String, Vec<u8>)]) -> CliResult<ServiceDeployed> {
    for (name, bytes) in uploads {
        let digest = client.upload_in_background(bytes.clone()).await.map_err(|e| e.to_string())?;
        wait_compiled(client, name, &digest, bytes.len()).await?;
        manifest["components"][name]["digest"] = Value::String(digest);
    }
    client.deploy_manifest(&manifest).await.map_err(|e| e.to_string())
}

/// Follows `digest`'s compile on the node until it is ready, printing progress.
async fn wait_compiled(client: &Client, name: &str, digest: &str, bytes: usize) -> CliResult {
    let (started, mut reported) = (Instant::now(), Instant::now());
    loop {
        match client.component_status(digest).await.map_err(|e| e.to_string())?.compile {
            CompileState::Ready { ms, source, .. } => {
                if started.elapsed() > REPORT_EVERY || source == "compiled" {
                    eprintln!("{}: {name} compiled in {:.1} s", client.base(), ms as f64 / 1000.0);
                }
                return Ok(());
            }
            CompileState::Failed { reason, .. } => return Err(format!("component {name}: {reason}")),
            CompileState::Compiling { .. } => {}
        }
        if reported.elapsed() >= REPORT_EVERY {
            reported = Instant::now();
            eprintln!("{}: compiling {name} ({:.1} MB) … {} s", client.base(), bytes as f64 / 1e6, started.elapsed().as_secs());
        }
        tokio::time::sleep(POLL).await;
    }
}
