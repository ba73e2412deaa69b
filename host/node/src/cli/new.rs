//! `wavs new component NAME`: a service component crate that builds out of the box.

use super::{CliResult, Ctx, output};
use serde_json::json;
use std::path::{Path, PathBuf};

const CARGO_TOML: &str = include_str!("../../../../components/template/Cargo.toml.tmpl");
const LIB_RS: &str = include_str!("../../../../components/template/lib.rs.tmpl");
const README: &str = include_str!("../../../../components/template/README.md.tmpl");
const GITIGNORE: &str = include_str!("../../../../components/template/gitignore.tmpl");
const SERVICE_WIT: &str = include_str!("../../../../wit/service/service.wit");
const TYPES_WIT: &str = include_str!("../../../../wit/types/types.wit");

/// The SDK in the source tree this binary was built from.
const BUILT_FROM_SDK: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../components/sdk");

fn is_sdk(dir: &Path) -> bool {
    std::fs::read_to_string(dir.join("Cargo.toml")).is_ok_and(|t| t.contains("name = \"wavs-component-sdk\""))
}

/// The `wavs-component-sdk` dependency line for a crate in `crate_dir` (which exists):
/// a relative path when the crate is inside a WAVS checkout, else the checkout this
/// binary was built from, else a commented line to fill in.
fn sdk_dependency(crate_dir: &Path) -> (String, Option<String>) {
    let crate_dir = crate_dir.canonicalize().unwrap_or_else(|_| crate_dir.to_path_buf());
    for root in crate_dir.ancestors().skip(1) {
        if is_sdk(&root.join("components/sdk")) {
            let depth = crate_dir.strip_prefix(root).map(|p| p.components().count()).unwrap_or(0);
            let path = format!("{}components/sdk", "../".repeat(depth));
            return (format!("wavs-component-sdk = {{ path = \"{path}\" }}"), None);
        }
    }
    let built_from = PathBuf::from(BUILT_FROM_SDK);
    if is_sdk(&built_from) {
        let path = built_from.canonicalize().unwrap_or(built_from);
        let line = format!(
            "# The WAVS source tree `wavs` was built from; point this at your checkout if it moves.\nwavs-component-sdk = {{ path = {:?} }}",
            path.display().to_string()
        );
        return (line, None);
    }
    let line = "# Set this to components/sdk in a checkout of the WAVS repository:\n# wavs-component-sdk = { path = \"/path/to/wavs/components/sdk\" }".to_string();
    (line, Some("no WAVS checkout found: edit Cargo.toml to point wavs-component-sdk at components/sdk of a WAVS checkout".into()))
}

fn valid_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic())
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        && name.len() <= 64
}

/// `wavs new component NAME [--dir DIR]`: writes `DIR/NAME` (DIR defaults to `.`).
pub fn component(name: &str, dir: Option<&Path>, ctx: &Ctx) -> CliResult {
    if !valid_name(name) {
        return Err(format!("{name:?} is not a usable crate name: start with a letter, then letters, digits, '-' or '_'"));
    }
    let crate_dir = dir.unwrap_or(Path::new(".")).join(name);
    if crate_dir.exists() {
        return Err(format!("{} exists; pick another NAME or --dir", crate_dir.display()));
    }
    let write = |relative: &str, text: &str| -> CliResult {
        let path = crate_dir.join(relative);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(|e| format!("cannot create {}: {e}", parent.display()))?;
        }
        std::fs::write(&path, text).map_err(|e| format!("cannot write {}: {e}", path.display()))
    };
    std::fs::create_dir_all(&crate_dir).map_err(|e| format!("cannot create {}: {e}", crate_dir.display()))?;
    let (sdk_line, warning) = sdk_dependency(&crate_dir);
    let crate_name = name.replace('-', "_");
    let fill = |t: &str| t.replace("{{name}}", name).replace("{{crate_name}}", &crate_name).replace("{{sdk_dependency}}", &sdk_line);
    let files = [
        ("Cargo.toml", fill(CARGO_TOML)),
        ("src/lib.rs", fill(LIB_RS)),
        ("README.md", fill(README)),
        (".gitignore", GITIGNORE.to_string()),
        ("wit/service/service.wit", SERVICE_WIT.to_string()),
        ("wit/service/deps/types/types.wit", TYPES_WIT.to_string()),
    ];
    for (relative, text) in &files {
        write(relative, text)?;
    }
    let wasm = format!("target/wasm32-wasip2/release/{crate_name}.wasm");
    if let Some(w) = &warning {
        eprintln!("warning: {w}");
    }
    if ctx.json {
        output::json(&json!({
            "dir": crate_dir,
            "files": files.iter().map(|(f, _)| *f).collect::<Vec<_>>(),
            "build": "cargo build --target wasm32-wasip2 --release",
            "wasm": wasm,
            "warning": warning,
        }));
        return Ok(());
    }
    println!("created component {name} in {}", crate_dir.display());
    for (relative, _) in &files {
        println!("  {relative}");
    }
    println!("next:");
    println!("  cd {}", crate_dir.display());
    println!("  cargo build --target wasm32-wasip2 --release");
    println!("  wavs exec --component {wasm} --payload 0x15");
    Ok(())
}
