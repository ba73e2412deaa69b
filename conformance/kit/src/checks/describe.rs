//! Checks that need no chain: the adapter loads, describes itself well, and imports
//! nothing beyond the adapter world.

use crate::kit::{Kit, ensure};
use crate::report::{Outcome, fail};
use std::path::Path;
use wasmtime::component::Component;

/// Trigger kinds the host knows how to schedule.
const KNOWN_TRIGGER_KINDS: [&str; 2] = ["contract-event", "block-interval"];

/// `describe()` answers a family, a name, a semver version and known trigger kinds.
pub fn describe(kit: &Kit) -> Result<String, Outcome> {
    let Some(info) = &kit.info else { return fail("the adapter did not load, so describe() could not be called") };
    ensure(!info.family.trim().is_empty(), "family is empty")?;
    ensure(info.family == kit.spec.family, format!("family {:?} is not the chain file's family {:?}", info.family, kit.spec.family))?;
    ensure(!info.name.trim().is_empty(), "name is empty")?;
    let parts: Vec<&str> = info.version.split(['.', '-', '+']).collect();
    let semver = parts.len() >= 3 && parts[..3].iter().all(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_digit()));
    ensure(semver, format!("version {:?} is not semver (MAJOR.MINOR.PATCH)", info.version))?;
    ensure(!info.trigger_kinds.is_empty(), "trigger-kinds is empty: the adapter can deliver no trigger")?;
    if let Some(bad) = info.trigger_kinds.iter().find(|k| !KNOWN_TRIGGER_KINDS.contains(&k.as_str())) {
        return fail(format!("trigger kind {bad:?} is not one the host knows ({KNOWN_TRIGGER_KINDS:?})"));
    }
    Ok(format!("{} {} ({}), triggers {:?}", info.name, info.version, info.family, info.trigger_kinds))
}

/// Interfaces of ours an adapter may import: the signer, the log, and the shared types.
const WORLD_IMPORTS: [&str; 3] = ["wavs:adapter/signer", "wavs:types/log", "wavs:types/types"];

/// Whether an import is part of the adapter world: WASI 0.2 and our interfaces.
pub fn allowed_import(name: &str) -> bool {
    let interface = name.split('@').next().unwrap_or(name);
    name.starts_with("wasi:") || WORLD_IMPORTS.contains(&interface)
}

/// The component imports nothing the adapter world does not offer.
pub fn imports(kit: &Kit, adapter: &Path) -> Result<String, Outcome> {
    let engine = kit.registry.engine().engine();
    let bytes = std::fs::read(adapter).map_err(|e| Outcome::Fail(format!("cannot read {}: {e}", adapter.display())))?;
    let component = Component::new(engine, &bytes).map_err(|e| Outcome::Fail(format!("not a component: {e}")))?;
    let names: Vec<String> = component.component_type().imports(engine).map(|(name, _)| name.to_string()).collect();
    let extra: Vec<&String> = names.iter().filter(|n| !allowed_import(n)).collect();
    if !extra.is_empty() {
        return fail(format!("imports outside the adapter world: {extra:?}"));
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
        assert!(allowed_import("wavs:types/log@0.1.0"));
        assert!(allowed_import("wavs:types/types@0.1.0"));
        assert!(!allowed_import("wavs:adapter/adapter@0.1.0"));
        assert!(!allowed_import("evil:net/sockets@1.0.0"));
        assert!(!allowed_import("wavs:host/keys@0.1.0"));
    }
}
