//! No module cycles in `host/` or `aggregator/`: within each module, its child modules
//! must form a layering (a use of `crate::a::x` from `b::y` is an edge `a <- b` between
//! the siblings `a` and `b`). A child using its ancestors is not counted: that is Rust's
//! usual shape. Paths are read with syn, so doc comments and strings do not count, and
//! `#[cfg(test)]` code is left out.
//!
//! `KNOWN` lists cycles being taken apart, which may shrink, never grow; it is empty
//! now, so any cycle fails.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use syn::visit::Visit;
use wavs_devnet::paths::repo_root;

/// Crates checked, by source folder.
const CRATES: [&str; 4] = ["host/types/src", "host/runtime/src", "host/node/src", "aggregator/src"];

/// Cycles being removed: (crate folder, parent module, the siblings in the cycle).
const KNOWN: [(&str, &str, &[&str]); 0] = [];

type Module = Vec<String>;

/// Every non-test module of the crate whose root is `src/lib.rs`: path → file.
fn modules(src: &Path) -> BTreeMap<Module, PathBuf> {
    let mut out = BTreeMap::new();
    let mut todo = vec![(Vec::new(), src.join("lib.rs"))];
    while let Some((module, file)) = todo.pop() {
        let text = std::fs::read_to_string(&file).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
        let parsed = syn::parse_file(&text).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
        // Children of `a.rs` or `a/mod.rs` live in `a/`; of lib.rs, beside it.
        let dir = match file.file_name().and_then(|n| n.to_str()) {
            Some("lib.rs" | "mod.rs") => file.parent().unwrap().to_path_buf(),
            _ => file.with_extension(""),
        };
        for item in &parsed.items {
            let syn::Item::Mod(m) = item else { continue };
            if m.content.is_some() || is_test(&m.attrs) {
                continue;
            }
            let name = m.ident.to_string();
            let explicit = m.attrs.iter().find(|a| a.path().is_ident("path")).and_then(|a| match &a.meta {
                syn::Meta::NameValue(nv) => match &nv.value {
                    syn::Expr::Lit(syn::ExprLit { lit: syn::Lit::Str(s), .. }) => Some(dir.join(s.value())),
                    _ => None,
                },
                _ => None,
            });
            let child = explicit.unwrap_or_else(|| {
                let flat = dir.join(format!("{name}.rs"));
                if flat.exists() { flat } else { dir.join(&name).join("mod.rs") }
            });
            let mut path = module.clone();
            path.push(name);
            todo.push((path, child));
        }
        out.insert(module, file);
    }
    out
}

/// `#[cfg(test)]`, also inside `all(..)`/`any(..)`.
fn is_test(attrs: &[syn::Attribute]) -> bool {
    attrs.iter().any(|a| a.path().is_ident("cfg") && quote::ToTokens::to_token_stream(&a.meta).to_string().contains("test"))
}

/// The `crate::`, `super::` and `self::` paths one file names, as absolute module paths.
struct Paths<'a> {
    here: &'a Module,
    found: Vec<Vec<String>>,
}

impl Paths<'_> {
    fn absolute(&mut self, segments: Vec<String>) {
        let Some(first) = segments.first() else { return };
        let mut base = match first.as_str() {
            "crate" => Vec::new(),
            "self" => self.here.clone(),
            "super" => self.here.clone(),
            _ => return,
        };
        let mut rest = &segments[1..];
        if first == "super" {
            base.pop();
            while rest.first().is_some_and(|s| s == "super") {
                base.pop();
                rest = &rest[1..];
            }
        }
        base.extend(rest.iter().cloned());
        self.found.push(base);
    }

    fn use_tree(&mut self, prefix: Vec<String>, tree: &syn::UseTree) {
        match tree {
            syn::UseTree::Path(p) => {
                let mut next = prefix;
                next.push(p.ident.to_string());
                self.use_tree(next, &p.tree);
            }
            syn::UseTree::Name(n) => self.absolute([prefix, vec![n.ident.to_string()]].concat()),
            syn::UseTree::Rename(r) => self.absolute([prefix, vec![r.ident.to_string()]].concat()),
            syn::UseTree::Glob(_) => self.absolute(prefix),
            syn::UseTree::Group(g) => g.items.iter().for_each(|t| self.use_tree(prefix.clone(), t)),
        }
    }
}

impl<'ast> Visit<'ast> for Paths<'_> {
    fn visit_item_use(&mut self, item: &'ast syn::ItemUse) {
        if !is_test(&item.attrs) {
            self.use_tree(Vec::new(), &item.tree);
        }
    }
    fn visit_item_mod(&mut self, item: &'ast syn::ItemMod) {
        if !is_test(&item.attrs) {
            syn::visit::visit_item_mod(self, item);
        }
    }
    fn visit_item_fn(&mut self, item: &'ast syn::ItemFn) {
        if !is_test(&item.attrs) {
            syn::visit::visit_item_fn(self, item);
        }
    }
    fn visit_path(&mut self, path: &'ast syn::Path) {
        self.absolute(path.segments.iter().map(|s| s.ident.to_string()).collect());
        syn::visit::visit_path(self, path);
    }
}

/// Edges between siblings: parent module → (from child, to child) → one file-level example.
fn sibling_edges(mods: &BTreeMap<Module, PathBuf>) -> BTreeMap<Module, BTreeMap<(String, String), String>> {
    let mut out: BTreeMap<Module, BTreeMap<(String, String), String>> = BTreeMap::new();
    for (here, file) in mods {
        let parsed = syn::parse_file(&std::fs::read_to_string(file).unwrap()).unwrap();
        let mut paths = Paths { here, found: Vec::new() };
        paths.visit_file(&parsed);
        for path in paths.found {
            // The module the path names: its longest prefix that is a module.
            let Some(target) = (0..=path.len()).rev().map(|n| path[..n].to_vec()).find(|p| mods.contains_key(p)) else { continue };
            let common = here.iter().zip(&target).take_while(|(a, b)| a == b).count();
            if common == here.len() || common == target.len() {
                continue; // an ancestor or a descendant
            }
            let (from, to) = (here[common].clone(), target[common].clone());
            let example = format!("{} uses {}", here.join("::"), path.join("::"));
            out.entry(here[..common].to_vec()).or_default().entry((from, to)).or_insert(example);
        }
    }
    out
}

/// Groups of more than one sibling that reach each other (the graphs are small).
fn cycles(edges: &BTreeMap<(String, String), String>) -> Vec<BTreeSet<String>> {
    let nodes: BTreeSet<&String> = edges.keys().flat_map(|(a, b)| [a, b]).collect();
    let reach = |from: &String| -> BTreeSet<String> {
        let (mut seen, mut todo) = (BTreeSet::new(), vec![from.clone()]);
        while let Some(n) = todo.pop() {
            for (_, b) in edges.keys().filter(|(a, _)| *a == n) {
                if seen.insert(b.clone()) {
                    todo.push(b.clone());
                }
            }
        }
        seen
    };
    let reachable: BTreeMap<&String, BTreeSet<String>> = nodes.iter().map(|n| (*n, reach(n))).collect();
    let mut groups: Vec<BTreeSet<String>> = Vec::new();
    for n in &nodes {
        if groups.iter().any(|g| g.contains(*n)) {
            continue;
        }
        let group: BTreeSet<String> = nodes.iter().filter(|m| reachable[*n].contains(**m) && reachable[*m].contains(*n)).map(|m| (*m).clone()).collect();
        if group.len() > 1 {
            groups.push(group);
        }
    }
    groups
}

#[test]
fn no_module_cycles_in_host_or_aggregator() {
    let mut problems = Vec::new();
    let mut known_seen = BTreeSet::new();
    for krate in CRATES {
        let mods = modules(&repo_root().join(krate));
        assert!(mods.len() > 3, "{krate}: {} modules found", mods.len());
        for (parent, edges) in sibling_edges(&mods) {
            let parent_name = if parent.is_empty() { "crate".to_string() } else { parent.join("::") };
            for group in cycles(&edges) {
                let known = KNOWN.iter().find(|(k, p, _)| *k == krate && *p == parent_name).map(|(_, _, m)| m.iter().map(|s| s.to_string()).collect::<BTreeSet<_>>());
                if known.as_ref().is_some_and(|k| group.is_subset(k)) {
                    known_seen.insert((krate, parent_name.clone(), group.clone()));
                    continue;
                }
                let how: Vec<&String> = edges.iter().filter(|((a, b), _)| group.contains(a) && group.contains(b)).map(|(_, e)| e).collect();
                problems.push(format!("{krate}: in {parent_name}, {group:?} use each other:\n    {}", how.iter().map(|s| s.as_str()).collect::<Vec<_>>().join("\n    ")));
            }
        }
    }
    assert!(problems.is_empty(), "module cycles (move what both sides need into a module both use, or pass it in):\n{}", problems.join("\n"));
    for (krate, parent, members) in KNOWN {
        let now = known_seen.iter().find(|(k, p, _)| *k == krate && p == parent).map(|(_, _, g)| g.clone()).unwrap_or_default();
        let listed: BTreeSet<String> = members.iter().map(|s| s.to_string()).collect();
        assert_eq!(now, listed, "{krate}: the known cycle in {parent} changed: shrink KNOWN to what is left (or remove it)");
    }
}
