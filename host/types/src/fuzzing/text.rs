//! Text-level edits of a serialized document: what JSON-level edits cannot produce
//! (syntax errors, duplicate keys, truncation, stray escapes).

use proptest::prelude::*;
use proptest::sample::Index;
use serde_json::Value;

/// One edit of a document's text.
#[derive(Debug, Clone)]
pub enum TextEdit {
    Truncate(Index),
    InsertChar(Index, char),
    Delete(Index, usize),
    /// Duplicates a `"key": value` pair right after the first `{`.
    DuplicateFirstMember,
    /// Inserts a raw snippet (unbalanced brackets, stray quotes, comments, ...).
    Snippet(Index, &'static str),
}

const SNIPPETS: &[&str] = &[
    "{", "}", "[", "]", "\"", ",", ":", "//", "/*", "\\", "\\u", "\\ud800", "null", "1e999", "-0", "NaN", "\u{0}",
    "\u{feff}", "\"id\":", ",,",
];

pub fn arb_text_edit() -> impl Strategy<Value = TextEdit> + Clone {
    prop_oneof![
        any::<Index>().prop_map(TextEdit::Truncate),
        (any::<Index>(), any::<char>()).prop_map(|(i, c)| TextEdit::InsertChar(i, c)),
        (any::<Index>(), 1usize..8).prop_map(|(i, n)| TextEdit::Delete(i, n)),
        Just(TextEdit::DuplicateFirstMember),
        (any::<Index>(), prop::sample::select(SNIPPETS)).prop_map(|(i, s)| TextEdit::Snippet(i, s)),
    ]
}

/// Applies one edit to `text` (positions count characters, so the result stays UTF-8).
pub fn edit_text(text: &str, e: &TextEdit) -> String {
    let mut chars: Vec<char> = text.chars().collect();
    let at = |i: &Index, len: usize| if len == 0 { 0 } else { i.index(len + 1) };
    match e {
        TextEdit::Truncate(i) => chars.truncate(at(i, chars.len())),
        TextEdit::InsertChar(i, c) => chars.insert(at(i, chars.len()), *c),
        TextEdit::Delete(i, n) => {
            let start = at(i, chars.len()).min(chars.len());
            let end = (start + n).min(chars.len());
            chars.drain(start..end);
        }
        TextEdit::DuplicateFirstMember => {
            if let Ok(Value::Object(map)) = serde_json::from_str::<Value>(text)
                && let Some((k, v)) = map.iter().next()
                && let Some(pos) = chars.iter().position(|&c| c == '{')
            {
                let pair = format!("{}: {},", Value::String(k.clone()), v);
                chars.splice(pos + 1..pos + 1, pair.chars());
            }
        }
        TextEdit::Snippet(i, snippet) => {
            let pos = at(i, chars.len());
            chars.splice(pos..pos, snippet.chars());
        }
    }
    chars.into_iter().collect()
}
