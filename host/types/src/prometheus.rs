//! Writing the Prometheus text format (0.0.4), as the node's and the aggregator's
//! `/metrics` do: a few counters and gauges, so a small writer rather than a registry.

use std::fmt::Write;

/// The text format's content type.
pub const CONTENT_TYPE: &str = "text/plain; version=0.0.4; charset=utf-8";

/// Writes the `# HELP` and `# TYPE` lines of a metric.
pub fn header(out: &mut String, name: &str, kind: &str, help: &str) {
    let _ = writeln!(out, "# HELP {name} {help}");
    let _ = writeln!(out, "# TYPE {name} {kind}");
}

/// A label value, escaped as the text format wants.
pub fn label(value: &str) -> String {
    value.replace('\\', "\\\\").replace('"', "\\\"").replace('\n', "\\n")
}

#[cfg(test)]
mod tests {
    #[test]
    fn labels_are_escaped() {
        assert_eq!(super::label("a\"b\\c\nd"), "a\\\"b\\\\c\\nd");
        let mut out = String::new();
        super::header(&mut out, "x_total", "counter", "Xs.");
        assert_eq!(out, "# HELP x_total Xs.\n# TYPE x_total counter\n");
    }
}
