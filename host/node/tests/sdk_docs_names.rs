//! Every SDK item that docs/COMPONENTS.md names in code exists in the SDK's source: a
//! renamed or misspelt item fails here rather than in a builder's first build (the docs
//! once sent builders to `AbiValue::Uint256`, which is `AbiValue::Uint`). The docs' whole
//! builder path is also built for real by conformance/devnet/tests/docs_walk. (Here,
//! not in the SDK crate: `wavs new` copies the SDK's files, and this test reads the docs.)

const DOC: &str = include_str!("../../../docs/COMPONENTS.md");
const SOURCES: [&str; 7] = [
    include_str!("../../../components/sdk/src/lib.rs"),
    include_str!("../../../components/sdk/src/abi.rs"),
    include_str!("../../../components/sdk/src/cosmos.rs"),
    include_str!("../../../components/sdk/src/event_id.rs"),
    include_str!("../../../components/sdk/src/evm.rs"),
    include_str!("../../../components/sdk/src/hex.rs"),
    include_str!("../../../components/sdk/src/host.rs"),
];

/// Where a path names an SDK item: the crate itself, its modules and its exported types.
const SDK_ROOTS: [&str; 11] =
    ["wavs_component_sdk", "abi", "evm", "cosmos", "hex", "host", "event_id", "U256", "AbiType", "AbiValue", "Trigger"];

/// The text of every inline code span and fenced block.
fn code(doc: &str) -> Vec<&str> {
    doc.split("```").enumerate().flat_map(|(i, part)| if i % 2 == 1 { vec![part] } else { part.split('`').skip(1).step_by(2).collect() }).collect()
}

/// `a::b::c` paths in `text` (identifiers joined by `::`).
fn paths(text: &str) -> Vec<Vec<&str>> {
    let mut out = Vec::new();
    for token in text.split(|c: char| !(c.is_alphanumeric() || c == '_' || c == ':')) {
        let parts: Vec<&str> = token.split("::").collect();
        if parts.len() > 1 && parts.iter().all(|p| !p.is_empty()) {
            out.push(parts);
        }
    }
    out
}

/// Whether `name` is defined in `text`: a function, type, module, variant or field.
fn defined_in(text: &str, name: &str) -> bool {
    let forms = [
        format!("fn {name}("),
        format!("fn {name}<"),
        format!("struct {name}"),
        format!("enum {name}"),
        format!("trait {name}"),
        format!("mod {name};"),
        format!("    {name}("),
        format!("    {name} {{"),
        format!("    {name},"),
    ];
    forms.iter().any(|f| text.contains(f.as_str()))
}

/// The bodies of type `owner`'s definition and impl blocks (up to each block's closing
/// brace at the start of a line), if the SDK defines it.
fn bodies_of(owner: &str) -> Option<String> {
    let mut out = String::new();
    for source in SOURCES {
        for opening in [format!("enum {owner} {{"), format!("struct {owner} {{"), format!("impl {owner} {{"), format!("trait {owner} {{")] {
            for (at, _) in source.match_indices(opening.as_str()) {
                let rest = &source[at..];
                out.push_str(&rest[..rest.find("\n}").unwrap_or(rest.len())]);
            }
        }
    }
    (!out.is_empty()).then_some(out)
}

/// Whether `name`, reached through `owner` (`AbiValue::Uint`, `evm::TriggerFired`), exists:
/// within the type when `owner` is an SDK type, else anywhere in the SDK.
fn defined(owner: &str, name: &str) -> bool {
    match bodies_of(owner) {
        Some(bodies) => defined_in(&bodies, name),
        None => SOURCES.iter().any(|s| defined_in(s, name)),
    }
}

#[test]
fn the_checker_tells_real_names_from_renamed_ones() {
    assert!(defined("AbiValue", "Uint") && defined("U256", "checked_add") && defined("evm", "TriggerFired"));
    assert!(defined("TriggerFired", "decode") && defined("cosmos", "hex_attribute") && defined("AbiType", "Uint256"));
    assert!(!defined("AbiValue", "Uint256"), "the docs' old mistake would be caught");
}

#[test]
fn every_sdk_item_the_builders_guide_names_exists() {
    let mut checked = 0;
    let mut missing = Vec::new();
    for span in code(DOC) {
        for path in paths(span) {
            // SDK paths start at the crate or one of its roots (`wavs::service::host` is
            // the generated bindings', not the SDK's `host`).
            if !SDK_ROOTS.contains(&path[0]) {
                continue;
            }
            let root = usize::from(path[0] == "wavs_component_sdk" && path.len() > 2);
            // Each segment must exist within the one before (`evm::TriggerFired::decode`).
            for pair in path[root..].windows(2) {
                let (owner, name) = (pair[0], pair[1]);
                checked += 1;
                if !defined(owner, name) {
                    missing.push(format!("{} (in `{}`)", name, path.join("::")));
                }
            }
        }
    }
    assert!(checked >= 8, "the guide names SDK items; found only {checked}");
    assert!(missing.is_empty(), "docs/COMPONENTS.md names SDK items that do not exist: {missing:?}");
}
