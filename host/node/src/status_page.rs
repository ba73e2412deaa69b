//! The status page: one self-contained HTML file (no external resources) that polls the
//! JSON API (`/health`, `/services`, `/adapters`, `/executions`) every two seconds and
//! shows chains, adapters, services and recent executions. Served at `GET /` and
//! `GET /status`; it only reads.

use axum::http::header;
use axum::response::IntoResponse;

/// The page, embedded in the binary.
pub const PAGE: &str = include_str!("status_page.html");

/// Inline script and style only; data from the node's own API; nothing else.
const CSP: &str = "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; \
                   connect-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/// The status page: self-contained HTML that polls /health, /services, /adapters and
/// /executions.
#[utoipa::path(get, path = "/", tag = "status", operation_id = "statusPageRoot",
    responses((status = 200, description = "The page.", content_type = "text/html", body = String)))]
pub async fn root() -> impl IntoResponse {
    page().await
}

/// The status page: self-contained HTML that polls /health, /services, /adapters and
/// /executions.
#[utoipa::path(get, path = "/status", tag = "status", operation_id = "statusPage",
    responses((status = 200, description = "The page.", content_type = "text/html", body = String)))]
pub async fn page() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/html; charset=utf-8"),
            (header::CACHE_CONTROL, "no-cache"),
            (header::CONTENT_SECURITY_POLICY, CSP),
            (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        ],
        PAGE,
    )
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;
    use wavs_types::health::{ChainHealth, CompileEntry, CompileState, CronHealth, NodeHealth};

    /// Every key anywhere in `value`.
    fn keys(value: &serde_json::Value, out: &mut BTreeSet<String>) {
        match value {
            serde_json::Value::Object(map) => map.iter().for_each(|(k, v)| {
                out.insert(k.clone());
                keys(v, out);
            }),
            serde_json::Value::Array(items) => items.iter().for_each(|v| keys(v, out)),
            _ => {}
        }
    }

    /// The keys read through `h` and `c` in `js`: `x.key` (not a method call) and
    /// `x["key"]`, along each chain of accesses (`c.compile["elapsed-ms"]`).
    fn read_keys(js: &str) -> BTreeSet<String> {
        let bytes = js.as_bytes();
        let ident = |b: u8| b.is_ascii_alphanumeric() || b == b'_';
        let mut found = BTreeSet::new();
        for start in 0..bytes.len() {
            let root = matches!(bytes[start], b'h' | b'c') && (start == 0 || !ident(bytes[start - 1]) && bytes[start - 1] != b'.');
            if !root || !matches!(bytes.get(start + 1), Some(b'.' | b'[')) {
                continue;
            }
            let mut i = start + 1;
            loop {
                if js[i..].starts_with("[\"") {
                    let Some(end) = js[i + 2..].find('"') else { break };
                    found.insert(js[i + 2..i + 2 + end].to_string());
                    i += end + 4;
                } else if bytes.get(i) == Some(&b'.') {
                    let len = bytes[i + 1..].iter().take_while(|&&b| ident(b)).count();
                    if len == 0 || bytes.get(i + 1 + len) == Some(&b'(') {
                        break;
                    }
                    found.insert(js[i + 1..i + 1 + len].to_string());
                    i += 1 + len;
                } else {
                    break;
                }
            }
        }
        found
    }

    /// The page's health section reads only keys `NodeHealth` has: a field renamed in
    /// the type fails here, not on an operator's screen.
    #[test]
    fn the_page_reads_health_keys_the_types_have() {
        let section = super::PAGE.split("(GET /health)").nth(1).unwrap().split("// ---- adapters").next().unwrap();
        let mut read = read_keys(section);
        let known = section.split("CHAIN_KNOWN = new Set([").nth(1).unwrap().split("])").next().unwrap();
        read.extend(known.split(',').map(|k| k.trim().trim_matches('"').to_string()));
        let mut health = NodeHealth::default();
        health.chains.insert("anvil".into(), ChainHealth::default());
        health.compiling.push(CompileEntry { digest: "ab".into(), compile: CompileState::Compiling { bytes: 1, elapsed_ms: 2 } });
        let cron = CronHealth { service: "s".into(), workflow: "w".into(), schedule: "* * * * *".into(), next_tick: None, last_queued_tick: None };
        health.cron.push(cron);
        let mut offered = BTreeSet::new();
        keys(&serde_json::to_value(&health).unwrap(), &mut offered);
        let missing: Vec<_> = read.difference(&offered).collect();
        assert!(read.len() >= 15 && missing.is_empty(), "the status page reads {missing:?}, which /health does not have (read: {read:?})");
    }
}
