//! `wavs new component NAME` and `wavs new adapter NAME`: crates that build on their own,
//! anywhere. Everything they need from this repository (WIT, the component SDK, the
//! adapter kit, the guest build profile) is embedded in the `wavs` binary and written into
//! the crate; every other dependency is a crates.io version.

mod adapter;
mod sources;

use super::{CliResult, Ctx, output};
use serde_json::json;
use std::path::Path;

const CARGO_TOML: &str = include_str!("../../../../components/template/Cargo.toml.tmpl");
const LIB_RS: &str = include_str!("../../../../components/template/lib.rs.tmpl");
const README: &str = include_str!("../../../../components/template/README.md.tmpl");
const GITIGNORE: &str = include_str!("../../../../components/template/gitignore.tmpl");

/// Where the SDK goes in a new component crate.
const SDK_DIR: &str = "vendor/wavs-component-sdk";

/// The one build command of both kinds of crate.
const BUILD: &str = "cargo build --target wasm32-wasip2 --release";

fn valid_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic())
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        && name.len() <= 64
}

/// Every file of a component crate named `name`, relative to its folder.
fn component_files(name: &str) -> Result<Vec<(String, String)>, String> {
    let crate_name = name.replace('-', "_");
    let (profile, wit_bindgen) = (sources::guest_profile()?, sources::workspace_dependency("wit-bindgen")?);
    let fill = |t: &str| {
        let t = t.replace("{{name}}", name).replace("{{crate_name}}", &crate_name);
        t.replace("{{release_profile}}", &profile).replace("{{wit_bindgen}}", &wit_bindgen)
    };
    let mut files = vec![
        ("Cargo.toml".to_string(), fill(CARGO_TOML)),
        ("src/lib.rs".into(), fill(LIB_RS)),
        ("README.md".into(), fill(README)),
        (".gitignore".into(), GITIGNORE.into()),
        ("wit/service/service.wit".into(), sources::SERVICE_WIT.into()),
        ("wit/service/deps/types/types.wit".into(), sources::TYPES_WIT.into()),
    ];
    let sdk = sources::standalone_manifest(sources::SDK_MANIFEST, &[])?;
    files.push((format!("{SDK_DIR}/Cargo.toml"), sources::manifest_text(&sdk)));
    files.extend(sources::SDK_FILES.iter().map(|f| (format!("{SDK_DIR}/{}", f.path), f.text.to_string())));
    Ok(files)
}

/// `wavs new component NAME [--dir DIR]`: writes `DIR/NAME` (DIR defaults to `.`).
pub fn component(name: &str, dir: Option<&Path>, ctx: &Ctx) -> CliResult {
    check_name(name)?;
    let wasm = format!("target/wasm32-wasip2/release/{}.wasm", name.replace('-', "_"));
    let run = format!("wavs exec --component {wasm} --payload 0x15");
    create("component", name, dir, &component_files(name)?, &wasm, &run, ctx)
}

/// `wavs new adapter NAME [--dir DIR]`: writes `DIR/NAME`, the starter adapter of family
/// NAME (lowercased, `_` as `-`).
pub fn adapter(name: &str, dir: Option<&Path>, ctx: &Ctx) -> CliResult {
    check_name(name)?;
    let wasm = format!("target/wasm32-wasip2/release/{}.wasm", name.replace('-', "_"));
    let run = format!("wavs-conformance --adapter {wasm} --chain conformance.toml");
    create("adapter", name, dir, &adapter::files(name)?, &wasm, &run, ctx)
}

fn check_name(name: &str) -> CliResult {
    if valid_name(name) {
        return Ok(());
    }
    Err(format!("{name:?} is not a usable crate name: start with a letter, then letters, digits, '-' or '_'"))
}

/// Writes `files` into `DIR/NAME` (which must not exist) and says what to run next.
fn create(kind: &str, name: &str, dir: Option<&Path>, files: &[(String, String)], wasm: &str, run: &str, ctx: &Ctx) -> CliResult {
    let crate_dir = dir.unwrap_or(Path::new(".")).join(name);
    if crate_dir.exists() {
        return Err(format!("{} exists; pick another NAME or --dir", crate_dir.display()));
    }
    for (relative, text) in files {
        let path = crate_dir.join(relative);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(|e| format!("cannot create {}: {e}", parent.display()))?;
        }
        std::fs::write(&path, text).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    }
    if ctx.json {
        let names: Vec<&str> = files.iter().map(|(f, _)| f.as_str()).collect();
        output::json(&json!({ "dir": crate_dir, "files": names, "build": BUILD, "wasm": wasm, "run": run }));
        return Ok(());
    }
    println!("created {kind} {name} in {}", crate_dir.display());
    for (relative, _) in files {
        println!("  {relative}");
    }
    println!("next:");
    println!("  cd {}", crate_dir.display());
    println!("  {BUILD}");
    println!("  {run}");
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_component_carries_its_sdk() {
        let files = component_files("demo-x").unwrap();
        let file = |path: &str| &files.iter().find(|(p, _)| p == path).unwrap_or_else(|| panic!("{path}")).1;
        let cargo = file("Cargo.toml");
        assert!(cargo.contains("wavs-component-sdk = { path = \"vendor/wavs-component-sdk\" }"), "{cargo}");
        assert!(cargo.contains("\nwit-bindgen = \"0."), "the workspace's version: {cargo}");
        assert!(cargo.contains("[profile.release]\n") && cargo.contains("\nopt-level = \"s\"\n") && !cargo.contains("{{"), "{cargo}");
        let sdk = file("vendor/wavs-component-sdk/Cargo.toml");
        assert!(sdk.contains("name = \"wavs-component-sdk\"") && sdk.contains("sha2 = { version = "), "{sdk}");
    }
}
