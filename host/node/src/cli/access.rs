//! Which node the CLI talks to and which API token it sends, with no setup beyond the
//! node's own configuration file.
//!
//! The configuration is `--config FILE` (or `WAVS_CONFIG`), else `./wavs.toml` when it
//! exists: an operator who runs `wavs node` in a directory runs `wavs service list` there
//! too. From it: the node URL (`api-addr`) and the token (`api-token`, else the file the
//! node generated, `<data-dir>/api-token`; `WAVS_DATA_DIR` and `WAVS_API_ADDR` apply as
//! they do to the node). `--node`/`WAVS_NODE` and `WAVS_API_TOKEN` win over the file.
//!
//! A token found through `./wavs.toml` alone is sent only to that configuration's own
//! node, never to a URL given with `--node`: it would hand the token to whoever runs
//! that URL. Passing `--config` says the two go together.

use crate::api::token::{ApiToken, TOKEN_FILE, read_token_file};
use std::path::{Path, PathBuf};

/// The configuration file used when `--config` is not given, if it exists.
pub const DEFAULT_CONFIG: &str = "wavs.toml";

/// A token and where it came from (for messages; the value never prints).
#[derive(Clone)]
pub struct Token {
    /// The bearer token.
    pub value: String,
    /// Where it was found: `WAVS_API_TOKEN`, `api-token in FILE`, or the token file.
    pub source: String,
}

impl std::fmt::Debug for Token {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Token(<redacted> from {})", self.source)
    }
}

/// What the CLI sends where.
#[derive(Debug, Clone, Default)]
pub struct Access {
    /// Node API base URLs, first one first.
    pub nodes: Vec<String>,
    /// The token sent to them, if any.
    pub token: Option<Token>,
    /// Said after a 401 when no token was sent: how to send one.
    pub hint: String,
}

/// The parts of a node configuration the CLI uses.
struct NodeFile {
    path: PathBuf,
    api_addr: Option<String>,
    data_dir: Option<PathBuf>,
    api_token: Option<ApiToken>,
}

/// Reads `path` leniently: only `api-addr`, `data-dir` and `api-token` matter here, so a
/// configuration the CLI does not fully understand still gives them.
fn read_node_file(path: &Path, var: &dyn Fn(&str) -> Option<String>) -> Result<NodeFile, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("cannot read the node configuration {}: {e}", path.display()))?;
    let table: toml::Table = toml::from_str(&text).map_err(|e| format!("{}: invalid TOML: {e}", path.display()))?;
    let text_of = |key: &str| table.get(key).and_then(toml::Value::as_str).map(str::to_string);
    let api_token = text_of("api-token").map(|t| if t == crate::api::token::OPEN { ApiToken::Open } else { ApiToken::secret_of(t) });
    Ok(NodeFile {
        path: path.to_path_buf(),
        api_addr: var("WAVS_API_ADDR").or_else(|| text_of("api-addr")),
        data_dir: var("WAVS_DATA_DIR").or_else(|| text_of("data-dir")).map(PathBuf::from),
        api_token,
    })
}

/// The URL the CLI uses for a node listening on `api_addr` (default `127.0.0.1:8000`):
/// a wildcard address is reached on loopback; port 0 cannot be reached.
fn url_of(api_addr: Option<&str>) -> Option<String> {
    let addr: std::net::SocketAddr = api_addr.unwrap_or("127.0.0.1:8000").parse().ok()?;
    if addr.port() == 0 {
        return None;
    }
    let ip = match addr.ip() {
        ip if ip.is_unspecified() && ip.is_ipv4() => "127.0.0.1".to_string(),
        ip if ip.is_unspecified() => "[::1]".to_string(),
        std::net::IpAddr::V6(v6) => format!("[{v6}]"),
        ip => ip.to_string(),
    };
    Some(format!("http://{ip}:{}", addr.port()))
}

/// Candidates for the token file: `data-dir` as the node reads it (from the directory
/// it was started in, which is most often this one), then relative to the config file.
fn token_file_candidates(file: &NodeFile) -> Vec<PathBuf> {
    let Some(data_dir) = &file.data_dir else { return vec![] };
    let mut out = vec![data_dir.join(TOKEN_FILE)];
    if data_dir.is_relative()
        && let Some(dir) = file.path.parent().filter(|d| !d.as_os_str().is_empty())
    {
        out.push(dir.join(data_dir).join(TOKEN_FILE));
    }
    out
}

/// The token a node configuration leads to, or why there is none.
fn token_of(file: &NodeFile) -> Result<Option<Token>, String> {
    match &file.api_token {
        Some(ApiToken::Open) => return Ok(None),
        Some(token @ ApiToken::Secret(_)) => {
            let value = token.secret().unwrap_or_default().to_string();
            return Ok(Some(Token { value, source: format!("api-token in {}", file.path.display()) }));
        }
        None => {}
    }
    let candidates = token_file_candidates(file);
    for path in &candidates {
        match read_token_file(path) {
            Ok(value) => return Ok(Some(Token { value, source: path.display().to_string() })),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
            Err(e) => return Err(e.to_string()),
        }
    }
    match candidates.first() {
        Some(path) => Err(format!(
            "{} names no api-token and there is no token file at {} yet (a node writes it at its first start)",
            file.path.display(),
            path.display()
        )),
        None => Err(format!("{} has no data-dir", file.path.display())),
    }
}

/// Works out the nodes and the token from the flags (`--node`, `--config`) and the
/// environment (`var`).
pub fn resolve(flag_nodes: Vec<String>, flag_config: Option<PathBuf>, var: &dyn Fn(&str) -> Option<String>) -> Result<Access, String> {
    let explicit = flag_config.is_some();
    let config = flag_config.or_else(|| Some(PathBuf::from(DEFAULT_CONFIG)).filter(|p| p.is_file()));
    let file = match &config {
        Some(path) => match read_node_file(path, var) {
            Ok(file) => Some(file),
            Err(e) if explicit => return Err(e),
            // ./wavs.toml may be something else: commands that need no node still work.
            Err(_) => None,
        },
        None => None,
    };
    let mut nodes = flag_nodes;
    if nodes.is_empty() {
        // WAVS_NODE_URL: the variable earlier versions read.
        nodes.extend(var("WAVS_NODE_URL").filter(|v| !v.is_empty()));
    }
    let url_given = !nodes.is_empty();
    if nodes.is_empty() {
        let from_file = file.as_ref().and_then(|f| url_of(f.api_addr.as_deref()));
        nodes.push(from_file.unwrap_or_else(|| super::DEFAULT_NODE.to_string()));
    }

    const WAYS: &str = "run the CLI with --config <the node's configuration file> (or from the directory holding its \
                        wavs.toml), or set WAVS_API_TOKEN";
    if let Some(value) = var("WAVS_API_TOKEN").filter(|v| !v.trim().is_empty()) {
        let hint = format!("the CLI sent WAVS_API_TOKEN; {WAYS}");
        return Ok(Access { nodes, token: Some(Token { value, source: "WAVS_API_TOKEN".into() }), hint });
    }
    let Some(file) = file else {
        let hint = match &config {
            Some(path) => format!("the CLI sent no API token ({} could not be read as a node configuration); {WAYS}", path.display()),
            None => format!("the CLI sent no API token (no --config given and no ./{DEFAULT_CONFIG} here); {WAYS}"),
        };
        return Ok(Access { nodes, token: None, hint });
    };
    if url_given && !explicit {
        let hint = format!(
            "the CLI sent no API token: ./{DEFAULT_CONFIG} is not used for a node given with --node; pass \
             --config {DEFAULT_CONFIG} if it is that node's configuration, or set WAVS_API_TOKEN"
        );
        return Ok(Access { nodes, token: None, hint });
    }
    match token_of(&file) {
        Ok(token) => {
            let hint = format!("the configuration {} opens the API (api-token = \"none\"), but this node asks for a token; {WAYS}", file.path.display());
            Ok(Access { nodes, token, hint })
        }
        Err(why) if explicit => Err(format!("--config {}: {why}; or set WAVS_API_TOKEN", file.path.display())),
        Err(why) => Ok(Access { nodes, token: None, hint: format!("the CLI sent no API token: {why}; {WAYS}") }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(pairs: &'static [(&'static str, &'static str)]) -> impl Fn(&str) -> Option<String> {
        move |k| pairs.iter().find(|(n, _)| *n == k).map(|(_, v)| v.to_string())
    }

    fn write(dir: &Path, text: &str) -> PathBuf {
        let path = dir.join("node.toml");
        std::fs::write(&path, text).unwrap();
        path
    }

    #[test]
    fn the_config_gives_the_url_and_the_generated_token() {
        let dir = tempfile::tempdir().unwrap();
        let data = dir.path().join("data");
        let config = write(dir.path(), &format!("data-dir = {data:?}\napi-addr = \"0.0.0.0:8123\"\n[operator]\nx = 1\n"));
        let (token, _) = crate::api::token::load_or_create(&data).unwrap();
        let a = resolve(vec![], Some(config.clone()), &env(&[])).unwrap();
        assert_eq!(a.nodes, ["http://127.0.0.1:8123"]);
        assert_eq!(a.token.as_ref().map(|t| t.value.as_str()), Some(token.as_str()));
        assert!(!format!("{a:?}").contains(&token), "never printed");
        // WAVS_API_TOKEN and --node win.
        let a = resolve(vec!["http://h:1".into()], Some(config.clone()), &env(&[("WAVS_API_TOKEN", "t")])).unwrap();
        assert_eq!((a.nodes[0].as_str(), a.token.unwrap().value.as_str()), ("http://h:1", "t"));
        // WAVS_DATA_DIR moves the token file, as it moves the node's data.
        let a = resolve(vec![], Some(config.clone()), &env(&[("WAVS_DATA_DIR", "/nonexistent")])).unwrap_err();
        assert!(a.contains("/nonexistent/api-token"), "{a}");
    }

    #[test]
    fn a_configured_token_or_none_and_relative_data_dirs() {
        let dir = tempfile::tempdir().unwrap();
        let config = write(dir.path(), "data-dir = \"rel\"\napi-token = \"s3cret\"\n");
        let a = resolve(vec![], Some(config), &env(&[])).unwrap();
        assert_eq!(a.token.unwrap().value, "s3cret");
        assert_eq!(a.nodes, [super::super::DEFAULT_NODE]);
        let config = write(dir.path(), "data-dir = \"rel\"\napi-token = \"none\"\n");
        assert!(resolve(vec![], Some(config), &env(&[])).unwrap().token.is_none());
        // A relative data-dir is also looked up next to the configuration file.
        let (token, _) = crate::api::token::load_or_create(&dir.path().join("rel")).unwrap();
        let config = write(dir.path(), "data-dir = \"rel\"\n");
        assert_eq!(resolve(vec![], Some(config), &env(&[])).unwrap().token.unwrap().value, token);
        let err = resolve(vec![], Some(dir.path().join("missing.toml")), &env(&[])).unwrap_err();
        assert!(err.contains("cannot read the node configuration"), "{err}");
    }
}
