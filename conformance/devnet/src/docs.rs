//! The fenced code blocks of our guides, so tests can run, parse or compile each one:
//! a guide whose example no longer works fails CI, not a newcomer.

use crate::paths::repo_root;

/// One fenced block of a Markdown guide.
#[derive(Debug, Clone)]
pub struct Block {
    /// The guide, relative to the repository root (`docs/COMPONENTS.md`).
    pub doc: String,
    /// The line of the opening fence, 1-based.
    pub line: usize,
    /// The fence's info string (`bash`, `rust`, `toml`; empty for plain output).
    pub lang: String,
    /// What is between the fences, with a final newline.
    pub text: String,
    /// An HTML comment on the line just before the fence (`<!-- docs/examples/x.sh -->`):
    /// the source file the block is taken from.
    pub source: Option<String>,
}

impl Block {
    /// `docs/COMPONENTS.md:82` — how failures name the block.
    pub fn at(&self) -> String {
        format!("{}:{}", self.doc, self.line)
    }

    /// Its first line, for matching a block to what checks it.
    pub fn first_line(&self) -> &str {
        self.text.lines().next().unwrap_or_default()
    }
}

/// Every fenced block of `doc` (a path relative to the repository root), in order.
pub fn blocks(doc: &str) -> Vec<Block> {
    let text = std::fs::read_to_string(repo_root().join(doc)).unwrap_or_else(|e| panic!("{doc}: {e}"));
    blocks_in(doc, &text)
}

/// Every fenced block of `text`, named as `doc`.
pub fn blocks_in(doc: &str, text: &str) -> Vec<Block> {
    let lines: Vec<&str> = text.lines().collect();
    let (mut out, mut i) = (Vec::new(), 0);
    while i < lines.len() {
        let Some(lang) = lines[i].strip_prefix("```") else {
            i += 1;
            continue;
        };
        let source = i
            .checked_sub(1)
            .and_then(|before| lines[before].trim().strip_prefix("<!--"))
            .and_then(|c| c.strip_suffix("-->"))
            .map(|c| c.trim().to_string());
        let start = i;
        let mut body = String::new();
        i += 1;
        while i < lines.len() && !lines[i].starts_with("```") {
            body.push_str(lines[i]);
            body.push('\n');
            i += 1;
        }
        assert!(i < lines.len(), "{doc}:{}: a fence that is never closed", start + 1);
        out.push(Block { doc: doc.into(), line: start + 1, lang: lang.trim().into(), text: body, source });
        i += 1;
    }
    out
}

/// Placeholders a guide asks the reader to fill in: `<your handler>`, `<node1>`.
/// Returns the ones left in `text`.
pub fn placeholders(text: &str) -> Vec<String> {
    let mut found = Vec::new();
    let mut rest = text;
    while let Some(open) = rest.find('<') {
        // `Vec<u8>` is a type, not a blank to fill.
        let generic = rest[..open].chars().next_back().is_some_and(|c| c.is_ascii_alphanumeric());
        let after = &rest[open + 1..];
        let Some(close) = after.find('>') else { break };
        let inner = &after[..close];
        let word = inner.chars().next().is_some_and(|c| c.is_ascii_lowercase());
        if !generic && word && inner.chars().all(|c| c.is_ascii_alphanumeric() || c == ' ' || c == '-') {
            found.push(format!("<{inner}>"));
        }
        rest = after;
    }
    found
}

/// Checks that `block`, which names its source file, shows that file as it is: the whole
/// file, or (for an excerpt) each paragraph of the block found verbatim in the file.
pub fn check_excerpt(block: &Block) -> Result<(), String> {
    let source = block.source.as_deref().ok_or_else(|| format!("{}: names no source file", block.at()))?;
    let file = std::fs::read_to_string(repo_root().join(source)).map_err(|e| format!("{}: {source}: {e}", block.at()))?;
    if file == block.text {
        return Ok(());
    }
    for paragraph in block.text.split("\n\n").map(|p| p.trim_matches('\n')).filter(|p| !p.is_empty()) {
        if !file.contains(paragraph) {
            return Err(format!("{}: this part is not in {source} as shown:\n{paragraph}", block.at()));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_blocks_their_language_and_source() {
        let doc = "intro\n```bash\nls\n```\n<!-- a/b.rs -->\n```rust\nfn x() {}\n\nfn y() {}\n```\n```\nout\n```\n";
        let b = blocks_in("d.md", doc);
        assert_eq!(b.len(), 3);
        assert_eq!((b[0].line, b[0].lang.as_str(), b[0].text.as_str(), b[0].source.as_deref()), (2, "bash", "ls\n", None));
        assert_eq!((b[1].lang.as_str(), b[1].source.as_deref()), ("rust", Some("a/b.rs")));
        assert_eq!(b[1].text, "fn x() {}\n\nfn y() {}\n");
        assert_eq!((b[2].lang.as_str(), b[2].text.as_str()), ("", "out\n"));
    }

    /// Fast feedback for what the docs walk checks with a devnet: every block that names
    /// its source shows it as it is, and Rust is only ever shown from compiled sources.
    #[test]
    fn code_the_guides_show_is_the_code_we_build() {
        for doc in ["docs/COMPONENTS.md", "adapters/README.md", "wit/README.md", "README.md"] {
            for block in blocks(doc) {
                if block.lang == "rust" {
                    assert!(block.source.is_some(), "{}: Rust in a guide is an excerpt of a built file: put `<!-- path -->` before it", block.at());
                }
                if block.source.is_some() {
                    check_excerpt(&block).unwrap_or_else(|e| panic!("{e}"));
                }
            }
        }
    }

    #[test]
    fn finds_placeholders_but_not_redirections_or_generics() {
        let text = "wavs --node <node1> executions > out.txt; HANDLER=<your handler>; Vec<u8>; a < b > c; <event-id without 0x>";
        assert_eq!(placeholders(text), ["<node1>", "<your handler>", "<event-id without 0x>"]);
    }
}
