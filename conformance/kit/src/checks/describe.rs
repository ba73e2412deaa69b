//! Checks that need no chain: the adapter loads, describes itself well, and imports
//! nothing beyond the adapter world.

use crate::guide;
use crate::kit::{Kit, ensure};
use crate::report::{Outcome, fail, fail_at, skip};
use std::path::Path;
use wasmtime::component::Component;

/// Whether a trigger kind is a name a manifest can spell: lowercase letters, digits
/// and `-` (the built-in `contract-event` and `block-interval`, or the adapter's own).
fn valid_kind(kind: &str) -> bool {
    !kind.is_empty() && kind.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
}

/// `describe()` answers a family, a name, a semver version, trigger kinds a manifest
/// can name, and the signature schemes it verifies.
pub fn describe(kit: &Kit) -> Result<String, Outcome> {
    let Some(info) = &kit.info else {
        return skip("the adapter did not load (see loads), so describe() could not be called");
    };
    ensure(info.family == kit.spec.family, format!("family {:?}, as the chain file says", kit.spec.family), format!("{:?}", info.family))?;
    ensure(!info.name.trim().is_empty(), "a name", "an empty name")?;
    let parts: Vec<&str> = info.version.split(['.', '-', '+']).collect();
    let semver = parts.len() >= 3 && parts[..3].iter().all(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_digit()));
    ensure(semver, "a semver version (MAJOR.MINOR.PATCH)", format!("{:?}", info.version))?;
    ensure(!info.trigger_kinds.is_empty(), "at least one trigger kind", "trigger-kinds empty: the adapter can deliver no trigger")?;
    if let Some(bad) = info.trigger_kinds.iter().find(|k| !valid_kind(k)) {
        return fail_at(guide::STEP4, "trigger kinds of lowercase letters, digits and '-'", format!("{bad:?}"));
    }
    let schemes: Vec<&str> = info.schemes.iter().map(|s| s.as_str()).collect();
    Ok(format!("{} {} ({}), triggers {:?}, schemes {schemes:?}", info.name, info.version, info.family, info.trigger_kinds))
}

/// Interfaces of ours an adapter may import: the curves, the signer, the log, and the
/// shared types.
const WORLD_IMPORTS: [&str; 4] = ["wavs:adapter/curves", "wavs:adapter/signer", "wavs:types/log", "wavs:types/types"];

/// Whether an import is part of the adapter world: WASI 0.2 and our interfaces.
pub fn allowed_import(name: &str) -> bool {
    let interface = name.split('@').next().unwrap_or(name);
    name.starts_with("wasi:") || WORLD_IMPORTS.contains(&interface)
}

/// The component imports nothing the adapter world does not offer.
pub fn imports(kit: &Kit, adapter: &Path) -> Result<String, Outcome> {
    let engine = kit.registry.engine().engine();
    let bytes = match std::fs::read(adapter) {
        Ok(bytes) => bytes,
        Err(e) => return fail(format!("{} readable", adapter.display()), e.to_string()),
    };
    let component = match Component::new(engine, &bytes) {
        Ok(component) => component,
        Err(e) => return fail("a WASM component", format!("not a component: {e}")),
    };
    let names: Vec<String> = component.component_type().imports(engine).map(|(name, _)| name.to_string()).collect();
    let extra: Vec<&String> = names.iter().filter(|n| !allowed_import(n)).collect();
    if !extra.is_empty() {
        return fail(format!("imports from WASI 0.2 and {WORLD_IMPORTS:?} only"), format!("imports outside the adapter world: {extra:?}"));
    }
    Ok(format!("{} imports, all WASI 0.2 or {WORLD_IMPORTS:?}", names.len()))
}

#[cfg(test)]
mod tests {
    use super::allowed_import;

    #[test]
    fn only_wasi_and_the_adapter_world_are_allowed() {
        assert!(allowed_import("wasi:http/outgoing-handler@0.2.6"));
        assert!(allowed_import("wavs:adapter/signer@0.1.0"));
        assert!(allowed_import("wavs:adapter/curves@0.3.0"));
        assert!(allowed_import("wavs:types/log@0.1.0"));
        assert!(allowed_import("wavs:types/types@0.1.0"));
        assert!(!allowed_import("wavs:adapter/adapter@0.1.0"));
        assert!(!allowed_import("evil:net/sockets@1.0.0"));
        assert!(!allowed_import("wavs:host/keys@0.1.0"));
    }
}
