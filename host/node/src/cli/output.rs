//! Printing: JSON for machines, aligned text for people.

use serde_json::Value;

/// Prints `value` (JSON, or an API type) as pretty JSON on stdout.
pub fn json(value: &impl serde::Serialize) {
    println!("{}", serde_json::to_string_pretty(value).unwrap_or_default());
}

/// Prints rows as a table with a header, columns padded to their widest cell.
pub fn table(header: &[&str], rows: &[Vec<String>]) {
    println!("{}", render_table(header, rows));
}

/// The text of [`table`]: headers in capitals, columns two spaces apart, no borders, no
/// trailing spaces.
fn render_table(header: &[&str], rows: &[Vec<String>]) -> String {
    let mut table = comfy_table::Table::new();
    table.load_style(comfy_table::presets::NOTHING).set_header(header.iter().map(|h| h.to_uppercase())).add_rows(rows.iter().cloned());
    let last = header.len().saturating_sub(1);
    for (i, column) in table.column_iter_mut().enumerate() {
        column.set_padding((0, if i == last { 0 } else { 2 }));
    }
    table.trim_fmt()
}

/// A JSON value as a table cell: strings without quotes, null as `-`.
pub fn cell(value: &Value) -> String {
    match value {
        Value::Null => "-".into(),
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// An optional number as a table cell: `-` while unknown.
pub fn opt(value: Option<u64>) -> String {
    value.map_or_else(|| "-".into(), |v| v.to_string())
}

/// `bytes` as UTF-8 if every character is printable (or common whitespace).
pub fn printable(bytes: &[u8]) -> Option<&str> {
    let text = std::str::from_utf8(bytes).ok()?;
    (!text.is_empty() && text.chars().all(|c| !c.is_control() || c == '\n' || c == '\t')).then_some(text)
}

/// `bytes` read as one big-endian unsigned integer, in decimal. Builders often return a
/// fixed-width number; showing it saves a trip through a converter.
pub fn unsigned_decimal(bytes: &[u8]) -> String {
    // Schoolbook division by 10 over base-256 digits: a few hundred bytes at most.
    let mut digits = bytes.to_vec();
    let mut out = Vec::new();
    while digits.iter().any(|&d| d != 0) {
        let mut rem = 0u32;
        for d in digits.iter_mut() {
            let cur = rem * 256 + u32::from(*d);
            *d = (cur / 10) as u8;
            rem = cur % 10;
        }
        out.push(b'0' + rem as u8);
    }
    if out.is_empty() {
        out.push(b'0');
    }
    out.reverse();
    String::from_utf8(out).expect("ASCII digits")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn big_endian_bytes_print_as_decimal() {
        assert_eq!(unsigned_decimal(&[0; 32]), "0");
        assert_eq!(unsigned_decimal(&[0x01, 0x00]), "256");
        let mut max = [0xff; 32];
        assert_eq!(unsigned_decimal(&max), "115792089237316195423570985008687907853269984665640564039457584007913129639935");
        max[0] = 0;
        assert!(unsigned_decimal(&max).starts_with("45231284858326638837332416019018714005183587760015845327913118753091066"));
    }

    #[test]
    fn a_table_is_aligned_without_borders_or_trailing_spaces() {
        let rows = vec![vec!["anvil".to_string(), "active".into(), "-".into()], vec!["wasmd-long".into(), "error".into(), "rpc down".into()]];
        let text = render_table(&["chain", "state", "error"], &rows);
        assert_eq!(text, "CHAIN       STATE   ERROR\nanvil       active  -\nwasmd-long  error   rpc down");
    }
}
