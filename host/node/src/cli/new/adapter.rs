//! The crate `wavs new adapter NAME` writes: the starter adapter (`adapters/starter`)
//! renamed after NAME, with the adapter kit and the WIT copied in.

use super::sources::{self, ADAPTER_WIT, KIT_FILES, KIT_MANIFEST, STARTER_FILES, STARTER_MANIFEST, TYPES_WIT};

const CARGO_TOML: &str = include_str!("../../../../../adapters/template/Cargo.toml.tmpl");
const README: &str = include_str!("../../../../../adapters/template/README.md.tmpl");
const CONFORMANCE_TOML: &str = include_str!("../../../../../adapters/template/conformance.toml.tmpl");
const GITIGNORE: &str = include_str!("../../../../../components/template/gitignore.tmpl");

/// Where the kit goes in the new crate.
const KIT_DIR: &str = "vendor/wavs-adapter-kit";

/// The family an adapter named `name` describes itself as: lowercase letters, digits
/// and `-`, as the host requires.
pub fn family(name: &str) -> String {
    name.to_ascii_lowercase().replace('_', "-")
}

/// `text` with `from` replaced by `to`, which must occur in it: if the starter changes,
/// `wavs new adapter` fails (and its unit test) rather than write a half-renamed crate.
fn rename(text: &str, from: &str, to: &str) -> Result<String, String> {
    if !text.contains(from) {
        return Err(format!("the embedded starter adapter has no {from:?}; update host/node/src/cli/new/adapter.rs"));
    }
    Ok(text.replace(from, to))
}

/// The starter's `src/lib.rs` for an adapter of `family`.
fn lib_rs(text: &str, name: &str, family: &str) -> Result<String, String> {
    let text = rename(text, "path: \"../../wit/adapter\"", "path: \"wit/adapter\"")?;
    let text = rename(&text, "family: \"starter\".into()", &format!("family: \"{family}\".into()"))?;
    let text = rename(&text, "name: \"WAVS starter adapter\".into()", &format!("name: \"{name} adapter\".into()"))?;
    let text = rename(&text, "rename the family", "keep or rename the family")?;
    rename(&text, "StarterAdapter", "Adapter")
}

/// Every file of the crate, relative to its folder.
pub fn files(name: &str) -> Result<Vec<(String, String)>, String> {
    let family = family(name);
    let crate_name = name.replace('-', "_");
    let starter = sources::standalone_manifest(STARTER_MANIFEST, &[("wavs-adapter-kit", KIT_DIR)])?;
    let edition = starter.get("package").and_then(|p| p.get("edition")).ok_or("the starter names no edition")?.to_string();
    let mut sections = starter.clone();
    sections.remove("package");
    let fill = |t: &str| -> Result<String, String> {
        Ok(t.replace("{{name}}", name)
            .replace("{{crate_name}}", &crate_name)
            .replace("{{family}}", &family)
            .replace("{{edition}}", &edition)
            .replace("{{starter_sections}}", &sources::manifest_text(&sections))
            .replace("{{release_profile}}", &sources::guest_profile()?))
    };
    let mut files = vec![("Cargo.toml".to_string(), fill(CARGO_TOML)?)];
    for file in STARTER_FILES {
        let text = if file.path == "src/lib.rs" { lib_rs(file.text, name, &family)? } else { file.text.to_string() };
        files.push((file.path.to_string(), text));
    }
    files.push(("README.md".into(), fill(README)?));
    files.push(("conformance.toml".into(), fill(CONFORMANCE_TOML)?));
    files.push((".gitignore".into(), GITIGNORE.into()));
    files.extend(ADAPTER_WIT.iter().map(|f| (format!("wit/adapter/{}", f.path), f.text.to_string())));
    files.push(("wit/adapter/deps/types/types.wit".into(), TYPES_WIT.into()));
    let kit = sources::standalone_manifest(KIT_MANIFEST, &[])?;
    files.push((format!("{KIT_DIR}/Cargo.toml"), sources::manifest_text(&kit)));
    files.extend(KIT_FILES.iter().map(|f| (format!("{KIT_DIR}/{}", f.path), f.text.to_string())));
    Ok(files)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_starter_is_renamed_throughout() {
        let files = files("My_Chain").unwrap();
        let file = |path: &str| &files.iter().find(|(p, _)| p == path).unwrap_or_else(|| panic!("{path}")).1;
        let lib = file("src/lib.rs");
        assert!(lib.contains("family: \"my-chain\".into()") && lib.contains("path: \"wit/adapter\""), "{lib}");
        assert!(!lib.contains("Starter") && !lib.contains("\"starter\""), "{lib}");
        let cargo = file("Cargo.toml");
        assert!(cargo.contains("name = \"My_Chain\"") && cargo.contains("wavs-adapter-kit = { path = \"vendor/wavs-adapter-kit\" }"), "{cargo}");
        assert!(cargo.contains("[profile.release]\n") && !cargo.contains("workspace ="), "{cargo}");
        assert!(file("conformance.toml").contains("family = \"my-chain\""));
        assert!(file("README.md").contains("target/wasm32-wasip2/release/My_Chain.wasm"));
    }
}
