//! `ipfs://CID[/path]` sources, fetched through the operator's IPFS HTTP gateway. The
//! gateway is not trusted: what it serves is checked against the manifest's digest.

use crate::error::{NodeError, Result};

/// `<gateway>/ipfs/<CID[/path]>`, or why `ipfs://` cannot be fetched here.
pub(super) fn gateway_url(gateway: Option<&str>, cid_and_path: &str) -> Result<String> {
    let gateway = gateway.ok_or_else(|| {
        NodeError::Invalid(
            "this node has no IPFS gateway configured: set [sources] ipfs-gateway (e.g. \"http://127.0.0.1:8080\" for a \
             local kubo) in the node config, or give the component an https:// or oci:// source"
                .into(),
        )
    })?;
    if !cid_and_path.chars().all(|c| c.is_ascii_alphanumeric() || "/-_.".contains(c)) {
        return Err(NodeError::Invalid(format!("ipfs://{cid_and_path}: expected a CID, optionally followed by /path")));
    }
    Ok(format!("{}/ipfs/{cid_and_path}", gateway.trim_end_matches('/')))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cid_goes_under_the_gateway_and_no_gateway_says_what_to_set() {
        let url = gateway_url(Some("http://127.0.0.1:8080/"), "bafkqaaa/c.wasm").unwrap();
        assert_eq!(url, "http://127.0.0.1:8080/ipfs/bafkqaaa/c.wasm");
        assert!(gateway_url(None, "bafkqaaa").unwrap_err().to_string().contains("[sources] ipfs-gateway"));
        assert!(gateway_url(Some("http://g"), "bafk?x=1").unwrap_err().to_string().contains("expected a CID"));
    }
}
