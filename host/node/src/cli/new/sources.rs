//! What `wavs new` copies from this repository into a new crate: the WIT, the component
//! SDK's and the adapter kit's sources, the starter adapter. Embedded when `wavs` is
//! built (`include_str!` of the real files, so a copy cannot drift from its source), so
//! a new crate needs no checkout. Their Cargo.toml files inherit from the workspace;
//! [`standalone_manifest`] resolves that inheritance from the embedded root Cargo.toml.

/// One embedded file: its path in the crate it comes from, and its text.
pub struct Embedded {
    /// Relative to the crate's root (`src/lib.rs`).
    pub path: &'static str,
    /// The file as it was when `wavs` was built.
    pub text: &'static str,
}

/// Embeds `$file`s of the crate at `$base` (relative to the repository root).
macro_rules! embed {
    ($base:literal: $($file:literal),+ $(,)?) => {
        &[$(Embedded { path: $file, text: include_str!(concat!("../../../../../", $base, "/", $file)) }),+]
    };
}

/// The workspace's Cargo.toml: where members' `workspace = true` values and the guest
/// build profile come from.
pub const ROOT_MANIFEST: &str = include_str!("../../../../../Cargo.toml");

/// The `service` world and the shared types it imports.
pub const SERVICE_WIT: &str = include_str!("../../../../../wit/service/service.wit");
/// The `chain-adapter` world: every file of the `wavs:adapter` package.
pub const ADAPTER_WIT: &[Embedded] = embed!("wit/adapter": "adapter.wit", "blocks.wit", "curves.wit", "peers.wit", "services.wit", "signer.wit", "signing-keys.wit", "testing.wit", "worlds.wit");
/// `wavs:types`, a dependency of both worlds.
pub const TYPES_WIT: &str = include_str!("../../../../../wit/types/types.wit");

/// `components/sdk` (`wavs-component-sdk`).
pub const SDK_MANIFEST: &str = include_str!("../../../../../components/sdk/Cargo.toml");
/// Every source file of the SDK (the test below holds this list to the directory).
pub const SDK_FILES: &[Embedded] = embed!("components/sdk":
    "src/lib.rs", "src/abi.rs", "src/cosmos.rs", "src/event_id.rs", "src/evm.rs", "src/hex.rs", "src/host.rs",
    "examples/trigger-json.rs",
);

/// `adapters/kit` (`wavs-adapter-kit`).
pub const KIT_MANIFEST: &str = include_str!("../../../../../adapters/kit/Cargo.toml");
/// Every source file of the adapter kit.
pub const KIT_FILES: &[Embedded] = embed!("adapters/kit":
    "src/lib.rs", "src/http.rs", "src/interval.rs", "src/jsonrpc.rs", "src/options.rs",
);

/// `adapters/starter`, the adapter `wavs new adapter` starts from.
pub const STARTER_MANIFEST: &str = include_str!("../../../../../adapters/starter/Cargo.toml");
/// Every source file of the starter adapter.
pub const STARTER_FILES: &[Embedded] = embed!("adapters/starter": "src/lib.rs", "src/connection.rs");

fn parse(text: &str, what: &str) -> Result<toml::Table, String> {
    text.parse::<toml::Table>().map_err(|e| format!("{what}: {e}"))
}

/// `manifest`, a workspace member's Cargo.toml, with every `workspace = true` replaced by
/// the workspace's value, and its path dependencies renamed by `paths` (crate name → new
/// path). A path dependency not in `paths` is an error: it would point into the checkout.
pub fn standalone_manifest(manifest: &str, paths: &[(&str, &str)]) -> Result<toml::Table, String> {
    let root = parse(ROOT_MANIFEST, "workspace Cargo.toml")?;
    let workspace = root.get("workspace").and_then(|w| w.as_table()).ok_or("the workspace Cargo.toml has no [workspace]")?;
    let section = |name: &str| workspace.get(name).and_then(|t| t.as_table()).cloned().unwrap_or_default();
    let (ws_package, ws_deps) = (section("package"), section("dependencies"));
    let mut table = parse(manifest, "member Cargo.toml")?;
    if let Some(package) = table.get_mut("package").and_then(|p| p.as_table_mut()) {
        for (key, value) in package.iter_mut() {
            if inherits(value) {
                *value = ws_package.get(key).cloned().ok_or_else(|| format!("[workspace.package] has no {key}"))?;
            }
        }
    }
    for deps in ["dependencies", "dev-dependencies", "build-dependencies"] {
        let Some(deps) = table.get_mut(deps).and_then(|d| d.as_table_mut()) else { continue };
        for (name, value) in deps.iter_mut() {
            if inherits(value) {
                let mut resolved = match ws_deps.get(name) {
                    Some(toml::Value::String(version)) => toml::Table::from_iter([("version".to_string(), version.clone().into())]),
                    Some(toml::Value::Table(t)) => t.clone(),
                    _ => return Err(format!("[workspace.dependencies] has no {name}")),
                };
                // Keys next to `workspace = true` (features, optional) add to the workspace's.
                for (k, v) in value.as_table().into_iter().flatten().filter(|(k, _)| *k != "workspace") {
                    resolved.insert(k.clone(), v.clone());
                }
                *value = resolved.into();
            }
            if let Some(dep) = value.as_table_mut().filter(|t| t.contains_key("path")) {
                let path = paths.iter().find(|(n, _)| n == name).ok_or_else(|| format!("{name} is a path dependency"))?.1;
                dep.insert("path".into(), path.into());
            }
        }
    }
    Ok(table)
}

fn inherits(value: &toml::Value) -> bool {
    value.as_table().is_some_and(|t| t.get("workspace").and_then(|w| w.as_bool()) == Some(true))
}

/// A `[workspace.dependencies]` entry as an inline TOML value (`"0.63"`), for templates.
pub fn workspace_dependency(name: &str) -> Result<String, String> {
    let root = parse(ROOT_MANIFEST, "workspace Cargo.toml")?;
    let dep = root.get("workspace").and_then(|w| w.get("dependencies")).and_then(|d| d.get(name));
    dep.map(|v| v.to_string()).ok_or_else(|| format!("[workspace.dependencies] has no {name}"))
}

/// The workspace's `guest` profile as a standalone crate's `release` profile (what
/// `scripts/build-guests.sh` builds guests with), as `key = value` lines.
pub fn guest_profile() -> Result<String, String> {
    let root = parse(ROOT_MANIFEST, "workspace Cargo.toml")?;
    let guest = root.get("profile").and_then(|p| p.get("guest")).and_then(|g| g.as_table()).ok_or("no [profile.guest]")?;
    Ok(lines(guest.iter().filter(|(k, _)| *k != "inherits")))
}

/// `key = value` lines, values inline.
pub fn lines<'a>(entries: impl Iterator<Item = (&'a String, &'a toml::Value)>) -> String {
    entries.map(|(k, v)| format!("{k} = {v}\n")).collect()
}

/// A Cargo.toml's text: `[package]` first, then every other section.
pub fn manifest_text(table: &toml::Table) -> String {
    let package = table.get_key_value("package").into_iter();
    let mut out = String::new();
    for (section, value) in package.chain(table.iter().filter(|(k, _)| *k != "package")) {
        match value.as_table() {
            // `name` first, as people write it; toml::Table keeps no order.
            Some(t) => {
                let name = t.get_key_value("name").into_iter();
                out += &format!("\n[{section}]\n{}", lines(name.chain(t.iter().filter(|(k, _)| *k != "name"))));
            }
            None => out += &format!("{section} = {value}\n"),
        }
    }
    out.trim_start().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    /// Every `.rs` file under `dir`, relative to it.
    fn rust_files(root: &Path, dir: &Path, out: &mut Vec<String>) {
        for entry in std::fs::read_dir(dir).unwrap().map(Result::unwrap) {
            let path = entry.path();
            if path.is_dir() {
                rust_files(root, &path, out);
            } else if path.extension().is_some_and(|e| e == "rs") {
                out.push(path.strip_prefix(root).unwrap().to_string_lossy().into_owned());
            }
        }
    }

    #[test]
    fn every_source_file_is_embedded() {
        let repo = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
        for (dir, embedded) in [("components/sdk", SDK_FILES), ("adapters/kit", KIT_FILES), ("adapters/starter", STARTER_FILES)] {
            let root = repo.join(dir);
            let mut on_disk = Vec::new();
            for sub in ["src", "examples", "tests", "benches"].map(|s| root.join(s)).iter().filter(|p| p.exists()) {
                rust_files(&root, sub, &mut on_disk);
            }
            let mut listed: Vec<String> = embedded.iter().map(|e| e.path.to_string()).collect();
            on_disk.sort();
            listed.sort();
            assert_eq!(listed, on_disk, "{dir}: add new files to sources.rs");
        }
    }

    #[test]
    fn every_wit_file_is_embedded() {
        let wit = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../wit");
        let mut on_disk = Vec::new();
        for package in ["service", "adapter", "types"] {
            for entry in std::fs::read_dir(wit.join(package)).unwrap().map(Result::unwrap) {
                if entry.path().extension().is_some_and(|e| e == "wit") {
                    on_disk.push(format!("{package}/{}", entry.file_name().to_string_lossy()));
                }
            }
        }
        on_disk.sort();
        // SERVICE_WIT, ADAPTER_WIT (a list) and TYPES_WIT; a new service or types file
        // needs a constant and a line in new.rs and new/adapter.rs.
        let mut embedded: Vec<String> = ADAPTER_WIT.iter().map(|f| format!("adapter/{}", f.path)).collect();
        embedded.extend(["service/service.wit".to_string(), "types/types.wit".to_string()]);
        embedded.sort();
        assert_eq!(on_disk, embedded);
    }

    #[test]
    fn manifests_stand_alone() {
        for (manifest, paths) in [(SDK_MANIFEST, &[][..]), (KIT_MANIFEST, &[]), (STARTER_MANIFEST, &[("wavs-adapter-kit", "vendor/kit")][..])] {
            let text = manifest_text(&standalone_manifest(manifest, paths).unwrap());
            assert!(!text.contains("workspace"), "{text}");
            assert!(text.starts_with("[package]\nname = "), "{text}");
            let reparsed: toml::Table = text.parse().unwrap();
            assert!(reparsed["package"]["edition"].as_str().is_some(), "{text}");
        }
        let starter = manifest_text(&standalone_manifest(STARTER_MANIFEST, &[("wavs-adapter-kit", "vendor/kit")]).unwrap());
        assert!(starter.contains("wavs-adapter-kit = { path = \"vendor/kit\" }"), "{starter}");
        assert!(starter.contains("hex = { version = \"0.4\" }"), "{starter}");
        let refused = standalone_manifest(STARTER_MANIFEST, &[]).unwrap_err();
        assert!(refused.contains("wavs-adapter-kit is a path dependency"), "{refused}");
        assert!(guest_profile().unwrap().contains("opt-level = \"s\"\n"));
    }
}
