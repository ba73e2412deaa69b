//! Checks of bad conditions: each must give a classified error, never a trap. Each
//! needs the adapter to do the work in question first: a method that answers
//! `unsupported` without reading the chain proves nothing about how it reads one.

use wavs_runtime::bindings::curves_api::Scheme;
use crate::guide;
use crate::kit::{Kit, ensure};
use crate::report::{Outcome, fail, fail_at, skip};
use crate::stub;
use wavs_devnet::process::free_port;
use wavs_runtime::bindings::adapter_api::BlockTag;
use wavs_runtime::{AdapterErrorKind, RuntimeError};

fn kind(e: &RuntimeError) -> Option<AdapterErrorKind> {
    match e {
        RuntimeError::Adapter { kind, .. } => Some(*kind),
        _ => None,
    }
}

/// A dead endpoint is transient: the host retries with backoff.
pub async fn dead_rpc_transient(kit: &mut Kit) -> Result<String, Outcome> {
    // Only an adapter that reads the live chain has an RPC failure to classify.
    if let Err(e) = kit.conn.head(BlockTag::Latest).await {
        return skip(format!("head fails on the live chain too ({e}), so its error against a dead endpoint says nothing about RPC failures"));
    }
    let dead = kit.connection_to(vec![format!("http://127.0.0.1:{}", free_port())]);
    let expected = "head(latest) against a port nothing listens on to fail as transient";
    match dead.head(BlockTag::Latest).await {
        Ok(b) => fail(expected, format!("it answered height {}", b.height)),
        Err(e) if kind(&e) == Some(AdapterErrorKind::Transient) => Ok(e.to_string()),
        Err(e) => fail(expected, e.to_string()),
    }
}

/// An address with no handler (no contract, a contract of another kind, or no address
/// at all) is not transient.
pub async fn bad_contract_not_transient(kit: &mut Kit) -> Result<String, Outcome> {
    let result = kit.conn.operator_id(Scheme::Secp256k1Ecdsa, &kit.deployer.public_key()).await;
    let account = kit.check("operator-id", result)?;
    // The deployer's id is an account address on some chains only (EVM, not Cosmos); the
    // deployed trigger is a contract that is no handler on every chain.
    let mut addresses = vec!["not-an-address".to_string(), account];
    addresses.extend(kit.deployment.as_ref().map(|d| d.trigger.clone()));
    let mut seen = Vec::new();
    for address in &addresses {
        let expected = format!("is-handled({address:?}) to fail as rejected or invalid-config");
        match kit.conn.is_handled(address, &[0xbb; 20]).await {
            Ok(v) => return fail(expected, format!("it answered {v}, as if a handler were there")),
            Err(e) if matches!(kind(&e), Some(AdapterErrorKind::Rejected | AdapterErrorKind::InvalidConfig)) => {
                seen.push(format!("{address}: {e}"))
            }
            // Not done yet: the step that implements is-handled fixes it, not the error table.
            Err(e) if kind(&e) == Some(AdapterErrorKind::Unsupported) => return fail_at(guide::STEP9, expected, e.to_string()),
            Err(e) => return fail(expected, e.to_string()),
        }
    }
    Ok(seen.join("; "))
}

/// Malformed RPC answers give an error, never a trap nor a success.
pub async fn malformed_rpc_no_trap(kit: &mut Kit) -> Result<String, Outcome> {
    let bodies = ["{not json", "[]", r#"{"jsonrpc":"2.0","id":1,"result":{"unexpected":true}}"#, "null"];
    let mut unasked = Vec::new();
    for body in bodies {
        let stub = stub::serve(body).await;
        let broken = kit.connection_to(vec![stub.url()]);
        let head = broken.head(BlockTag::Latest).await;
        let hash = broken.block_hash(1).await;
        if broken.restarts() > 0 {
            return fail_at(guide::LIMITS, format!("an adapter error for the answer {body:?}"), "the adapter trapped");
        }
        for (call, result) in [("head", head.map(|_| ())), ("block-hash", hash.map(|_| ()))] {
            match result {
                Ok(()) => return fail_at(guide::ERRORS, format!("{call} to fail on the answer {body:?}"), "it succeeded"),
                Err(e) if kind(&e).is_some() || matches!(e, RuntimeError::Unavailable(_)) => {}
                Err(e) => return fail_at(guide::ERRORS, format!("{call} to fail with an adapter error on the answer {body:?}"), e.to_string()),
            }
        }
        if stub.requests() == 0 {
            unasked.push(body);
        }
    }
    if unasked.len() == bodies.len() {
        return skip("the adapter sent no request to the endpoint (head and block-hash answered without reading the chain), so no malformed answer was read");
    }
    Ok(format!("{} malformed answers read, each an adapter error", bodies.len() - unasked.len()))
}

/// No call of the run broke the host's default adapter limits or trapped.
pub fn within_limits(kit: &Kit) -> Result<String, Outcome> {
    if !kit.breaches.is_empty() {
        return fail("every call within the default adapter limits, without a trap", kit.breaches.join("; "));
    }
    let restarts = kit.conn.restarts();
    ensure(restarts == 0, "no restart of the adapter instance", format!("{restarts} restarts during the run"))?;
    if kit.chain_calls == 0 {
        return skip("no call that reads or writes the chain succeeded, so the run measured no work against the limits");
    }
    Ok(format!("{} calls to the chain, no limit breach, no trap, no restart", kit.chain_calls))
}
