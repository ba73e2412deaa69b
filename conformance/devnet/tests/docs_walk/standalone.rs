//! What `wavs new` writes stands on its own: no file names the checkout, no manifest
//! inherits from a workspace, every path dependency stays inside the crate.

use std::path::{Path, PathBuf};
use wavs_devnet::paths::repo_root;

/// Every file under `dir`.
fn files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap().map(Result::unwrap) {
        let (path, kind) = (entry.path(), entry.file_type().unwrap());
        assert!(!kind.is_symlink(), "{} is a symlink: copies only", path.display());
        if kind.is_dir() { files(&path, out) } else { out.push(path) }
    }
}

pub fn assert_standalone(crate_dir: &Path) {
    let crate_dir = crate_dir.canonicalize().unwrap();
    let root = repo_root();
    assert!(!crate_dir.starts_with(&root), "{} is outside {}", crate_dir.display(), root.display());
    let mut all = Vec::new();
    files(&crate_dir, &mut all);
    assert!(all.len() > 10, "{all:?}");
    for file in &all {
        let text = std::fs::read_to_string(file).unwrap();
        assert!(!text.contains(root.to_str().unwrap()), "{} names the checkout {}", file.display(), root.display());
        if file.file_name().unwrap() != "Cargo.toml" {
            continue;
        }
        assert!(!text.contains("workspace = true") && !text.contains(".workspace"), "{}: {text}", file.display());
        for path in text.split("path = \"").skip(1).map(|rest| rest.split('"').next().unwrap()) {
            let target = file.parent().unwrap().join(path).canonicalize().unwrap_or_else(|e| panic!("{path}: {e}"));
            assert!(target.starts_with(&crate_dir), "{}: {path} leaves the crate", file.display());
        }
    }
}
