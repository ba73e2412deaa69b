//! `wavs adapters`: what a node has loaded, and what a `.wasm` file is.

use super::{CliResult, Ctx, output};
use serde_json::{Value, json};
use std::path::Path;
use wasmtime::component::types::ComponentItem;
use wavs_types::node_api::AdapterFileState;
use wavs_runtime::{AdapterRegistry, ComponentRunner, WasmEngine};

/// `wavs adapters list`: GET /adapters.
pub async fn list(ctx: &Ctx) -> CliResult {
    let answer = ctx.client().adapters().await.map_err(|e| e.to_string())?;
    if ctx.json {
        output::json(&answer);
        return Ok(());
    }
    if answer.loaded.is_empty() {
        println!("no adapters loaded (drop <family>.wasm files into the node's adapters-dir)");
    } else {
        let rows: Vec<Vec<String>> = answer
            .loaded
            .iter()
            .map(|a| {
                let digest: String = a.digest.chars().take(12).collect();
                vec![a.family.clone(), a.name.clone(), a.version.clone(), digest, a.path.display().to_string()]
            })
            .collect();
        output::table(&["family", "name", "version", "digest", "file"], &rows);
    }
    for (path, state) in &answer.files {
        if let AdapterFileState::Refused { reason } = state {
            println!("refused {}: {reason}", path.display());
        }
    }
    Ok(())
}

fn kind(item: &ComponentItem) -> &'static str {
    match item {
        ComponentItem::ComponentFunc(_) => "func",
        ComponentItem::CoreFunc(_) => "core func",
        ComponentItem::Module(_) => "module",
        ComponentItem::Component(_) => "component",
        ComponentItem::ComponentInstance(_) => "instance",
        ComponentItem::Type(_) => "type",
        ComponentItem::Resource(_) => "resource",
    }
}

/// `wavs adapters inspect FILE`: loads the file locally (no node), says whether it is
/// a chain adapter (and which) or a service component, and lists its imports,
/// exports and sha256 digest.
pub async fn inspect(file: &Path, ctx: &Ctx) -> CliResult {
    let bytes = std::fs::read(file).map_err(|e| format!("cannot read {}: {e}", file.display()))?;
    let digest = WasmEngine::digest(&bytes);
    let scratch = tempfile::tempdir().map_err(|e| format!("cannot make a temporary directory: {e}"))?;
    let engine = WasmEngine::new(scratch.path().join("cache")).map_err(|e| format!("cannot start the WASM engine: {e}"))?;
    let (component, _, _) = engine.load(&bytes).map_err(|e| {
        format!("{} is not a WebAssembly component: {e} (components are built for wasm32-wasip2)", file.display())
    })?;
    let ty = component.component_type();
    let imports: Vec<(String, &str)> = ty.imports(engine.engine()).map(|(n, e)| (n.to_string(), kind(&e.ty))).collect();
    let exports: Vec<(String, &str)> = ty.exports(engine.engine()).map(|(n, e)| (n.to_string(), kind(&e.ty))).collect();

    // As an adapter: the registry loads it from a directory of its own.
    let dir = scratch.path().join("adapters");
    std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
    let name = file.file_name().map(|n| n.to_string_lossy().to_string()).unwrap_or_else(|| "adapter.wasm".into());
    let name = if name.ends_with(".wasm") { name } else { format!("{name}.wasm") };
    std::fs::copy(file, dir.join(&name)).map_err(|e| e.to_string())?;
    let registry = AdapterRegistry::new(engine.clone(), &dir).map_err(|e| e.to_string())?;
    registry.scan().await.map_err(|e| e.to_string())?;
    let adapter = registry.loaded().into_iter().next();
    let refusal = registry.files().into_iter().find_map(|(_, s)| match s {
        AdapterFileState::Refused { reason } => Some(reason),
        AdapterFileState::Loaded { .. } => None,
    });
    let service = ComponentRunner::new(engine).map_err(|e| e.to_string())?.load(&bytes);

    let what = match (&adapter, &service) {
        (Some(_), _) => "chain adapter",
        (None, Ok(_)) => "service component",
        (None, Err(_)) => "neither a chain adapter nor a service component",
    };
    if ctx.json {
        let list = |items: &[(String, &str)]| items.iter().map(|(n, k)| json!({ "name": n, "kind": k })).collect::<Vec<Value>>();
        output::json(&json!({
            "file": file,
            "sha256": digest,
            "bytes": bytes.len(),
            "kind": what,
            "adapter": adapter,
            "adapter-refusal": if adapter.is_none() { refusal.clone() } else { None },
            "service-refusal": service.as_ref().err().map(|e| e.to_string()),
            "imports": list(&imports),
            "exports": list(&exports),
        }));
        return Ok(());
    }
    println!("file     {} ({} bytes)", file.display(), bytes.len());
    println!("sha256   {digest}");
    println!("kind     {what}");
    if let Some(a) = &adapter {
        println!("family   {}", a.family);
        println!("name     {}", a.name);
        println!("version  {}", a.version);
        println!("triggers {}", a.trigger_kinds.join(", "));
        println!("testing  {}", if a.has_testing { "yes (can deploy contracts and fire triggers on devnets)" } else { "no" });
    } else {
        if let Some(reason) = &refusal {
            println!("as an adapter: refused: {reason}");
        }
        if let Err(e) = &service {
            println!("as a service component: refused: {e}");
        }
    }
    println!("imports ({}):", imports.len());
    for (n, k) in &imports {
        println!("  {n} ({k})");
    }
    println!("exports ({}):", exports.len());
    for (n, k) in &exports {
        println!("  {n} ({k})");
    }
    Ok(())
}
