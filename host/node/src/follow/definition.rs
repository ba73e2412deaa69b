//! What a followed manager's definition must be before this node runs it. Whoever sets
//! the service URI chooses what operators run and sign, so a definition may only make
//! this node sign for the manager it follows: every workflow that submits names that
//! manager on that chain, through a handler the chain says validates with it. It keeps
//! the service id the first accepted definition had, so no URI can replace another
//! service deployed here.

use wavs_types::{ServiceManifest, SubmitSpec};

/// The largest definition fetched, in bytes: a manifest is a few KiB; the cap keeps a
/// hostile URI from filling memory.
pub const MAX_DEFINITION_BYTES: u64 = 1 << 20;

/// The followed manager a definition is checked against.
pub(crate) struct Followed<'a> {
    /// Whether a manifest's chain name means the followed chain (its local name or
    /// `family:chain-id`).
    pub(crate) is_chain: &'a (dyn Fn(&str) -> bool + Sync),
    /// The chain as the operator named it, for messages.
    pub(crate) chain: &'a str,
    pub(crate) manager: &'a str,
    /// The service id of the running definition, once one was accepted.
    pub(crate) service: Option<&'a str>,
}

/// Two addresses of one chain in text form name the same account when they differ only
/// in letter case: checksummed hex and lower-case hex, or bech32 (which is one case).
pub(crate) fn same_address(a: &str, b: &str) -> bool {
    a.trim().eq_ignore_ascii_case(b.trim())
}

/// Parses `bytes` as a service manifest and checks it against `followed`. Returns it
/// with the handlers whose manager the chain must confirm.
pub(crate) fn check(bytes: &[u8], followed: &Followed<'_>) -> Result<(ServiceManifest, Vec<String>), String> {
    let text = std::str::from_utf8(bytes).map_err(|_| "the definition is not UTF-8 text: it must be a service manifest (JSON)".to_string())?;
    let manifest = ServiceManifest::from_json(text)?;
    if let Some(bound) = followed.service {
        if manifest.id != bound {
            return Err(format!(
                "the definition's id is {:?}, but this manager's service runs here as {bound:?}: a new definition keeps the id",
                manifest.id
            ));
        }
    }
    let mut handlers = Vec::new();
    for (id, workflow) in &manifest.workflows {
        let SubmitSpec::Aggregator { chain, handler, manager } = &workflow.submit else { continue };
        if !(followed.is_chain)(chain) || !same_address(manager, followed.manager) {
            return Err(format!(
                "workflow {id:?} submits for manager {manager} on chain {chain}; a definition followed from manager {} on {} may \
                 only submit for that manager on that chain",
                followed.manager, followed.chain
            ));
        }
        if !handlers.contains(handler) {
            handlers.push(handler.clone());
        }
    }
    if handlers.is_empty() {
        return Err(format!(
            "no workflow submits for manager {} on {}: a definition followed from a manager submits its results there",
            followed.manager, followed.chain
        ));
    }
    Ok((manifest, handlers))
}

#[cfg(test)]
mod tests {
    use super::*;

    const MANAGER: &str = "0xAbCd000000000000000000000000000000000001";

    fn manifest(id: &str, manager: &str, chain: &str) -> Vec<u8> {
        serde_json::json!({
            "id": id,
            "components": { "c": { "digest": "aa".repeat(32) } },
            "workflows": {
                "w": { "trigger": "manual", "component": "c",
                       "submit": { "aggregator": { "chain": chain, "handler": "0xh", "manager": manager } } }
            }
        })
        .to_string()
        .into_bytes()
    }

    fn followed(service: Option<&str>) -> Followed<'_> {
        static IS_CHAIN: fn(&str) -> bool = |c| c == "anvil" || c == "evm:31337";
        Followed { is_chain: &IS_CHAIN, chain: "anvil", manager: MANAGER, service }
    }

    #[test]
    fn a_definition_for_the_followed_manager_passes_whatever_the_address_case() {
        let (m, handlers) = check(&manifest("svc", &MANAGER.to_lowercase(), "evm:31337"), &followed(None)).unwrap();
        assert_eq!((m.id.as_str(), handlers), ("svc", vec!["0xh".to_string()]));
    }

    #[test]
    fn another_manager_another_chain_or_another_id_is_refused() {
        let other = check(&manifest("svc", "0x0000000000000000000000000000000000000002", "anvil"), &followed(None)).unwrap_err();
        assert!(other.contains("submits for manager 0x0000000000000000000000000000000000000002"), "{other}");
        let chain = check(&manifest("svc", MANAGER, "evm:1"), &followed(None)).unwrap_err();
        assert!(chain.contains("on chain evm:1"), "{chain}");
        let id = check(&manifest("other", MANAGER, "anvil"), &followed(Some("svc"))).unwrap_err();
        assert!(id.contains("runs here as \"svc\""), "{id}");
    }

    #[test]
    fn junk_and_definitions_that_submit_nowhere_are_refused() {
        assert!(check(b"\xff\xfe", &followed(None)).unwrap_err().contains("not UTF-8"));
        assert!(check(b"{\"id\": 1}", &followed(None)).unwrap_err().contains("invalid service manifest"));
        let local = serde_json::json!({ "id": "svc", "components": {}, "workflows": {} }).to_string();
        assert!(check(local.as_bytes(), &followed(None)).unwrap_err().contains("no workflow submits"));
    }
}
