//! Seed documents the suites mutate.

/// A digest that looks real (64 hex digits).
pub const DIGEST: &str = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";

/// The manifest shown in README.md ("A service manifest"), read from the README itself so
/// the documented example stays parseable. Its digest is a placeholder, so it does not
/// validate.
pub fn readme_manifest() -> String {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../README.md");
    let readme = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{path}: {e}"));
    let at = readme.find("A service manifest").expect("README has a \"A service manifest\" section");
    let rest = &readme[at..];
    let start = rest.find("```json\n").expect("a ```json block follows") + "```json\n".len();
    let end = rest[start..].find("```").expect("the json block is closed");
    rest[start..start + end].to_string()
}

/// The README manifest with a real-looking digest: parses, and validates where the chain
/// `anvil` is known.
pub fn valid_manifest_json() -> String {
    readme_manifest().replace("<sha256 of the .wasm>", DIGEST)
}
