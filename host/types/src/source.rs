//! Where a component (or a service definition) can be fetched from: an `http(s)://` URL,
//! an `ipfs://CID[/path]` through the operator's IPFS gateway, or an
//! `oci://registry/repository:tag` (or `@sha256:…`) artifact. The bytes are always checked
//! against a digest named elsewhere, so a source is where to look, never what to trust.

/// The kinds of source a node can fetch from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SourceScheme {
    /// `http://` or `https://`: a plain GET.
    Http,
    /// `ipfs://CID[/path]`: through the node's configured IPFS gateway.
    Ipfs,
    /// `oci://registry[:port]/repository(:tag|@sha256:digest)`: an OCI artifact.
    Oci,
}

/// A source URI split into its scheme and what follows `scheme://` (the whole URL for
/// http(s)).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceUri<'a> {
    /// How to fetch it.
    pub scheme: SourceScheme,
    /// `ipfs://` and `oci://`: the part after the scheme; http(s): the whole URL.
    pub rest: &'a str,
}

/// Splits `uri`, refusing schemes the node cannot fetch and empty locations.
pub fn parse_source(uri: &str) -> Result<SourceUri<'_>, String> {
    let (name, rest) = uri
        .split_once("://")
        .ok_or_else(|| format!("{uri:?} is not a URI: use https://…, http://…, ipfs://CID or oci://registry/repository:tag"))?;
    let scheme = match name {
        "http" | "https" => SourceScheme::Http,
        "ipfs" => SourceScheme::Ipfs,
        "oci" => SourceScheme::Oci,
        other => {
            return Err(format!(
                "{uri:?}: scheme {other:?} is not supported: use https://…, http://…, ipfs://CID or oci://registry/repository:tag"
            ));
        }
    };
    if rest.is_empty() || rest.chars().any(char::is_whitespace) {
        return Err(format!("{uri:?}: nothing (or whitespace) after {name}://, name what to fetch"));
    }
    if scheme == SourceScheme::Oci && !rest.contains('/') {
        return Err(format!("{uri:?}: name the registry and the repository, as oci://registry[:port]/repository:tag"));
    }
    Ok(SourceUri { scheme, rest: if scheme == SourceScheme::Http { uri } else { rest } })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_schemes_parse_and_others_say_which_are_supported() {
        assert_eq!(parse_source("ipfs://bafyabc").unwrap(), SourceUri { scheme: SourceScheme::Ipfs, rest: "bafyabc" });
        assert_eq!(parse_source("https://h/c.wasm").unwrap().rest, "https://h/c.wasm");
        assert_eq!(parse_source("oci://127.0.0.1:5000/c:1").unwrap().rest, "127.0.0.1:5000/c:1");
        let err = parse_source("ftp://h/c.wasm").unwrap_err();
        assert!(err.contains("scheme \"ftp\" is not supported") && err.contains("ipfs://CID"), "{err}");
        assert!(parse_source("c.wasm").unwrap_err().contains("is not a URI"));
        assert!(parse_source("oci://registry-only").unwrap_err().contains("repository"));
        assert!(parse_source("ipfs://").unwrap_err().contains("nothing"));
    }
}
