//! Checks of bad conditions: each must give a classified error, never a trap.

use crate::kit::{Kit, ensure};
use crate::report::{Outcome, fail};
use wavs_devnet::process::free_port;
use wavs_devnet::stub_http::serve;
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
    let dead = kit.connection_to(vec![format!("http://127.0.0.1:{}", free_port())]);
    match dead.head(BlockTag::Latest).await {
        Ok(_) => fail("head succeeded against a port nothing listens on"),
        Err(e) if kind(&e) == Some(AdapterErrorKind::Transient) => Ok(e.to_string()),
        Err(e) => fail(format!("expected a transient error, got: {e}")),
    }
}

/// An address with no contract (or no address at all) is not transient.
pub async fn bad_contract_not_transient(kit: &mut Kit) -> Result<String, Outcome> {
    let result = kit.conn.operator_id(&kit.deployer.public_key()).await;
    let account = kit.check("operator-id", result)?;
    let mut seen = Vec::new();
    for address in ["not-an-address", account.as_str()] {
        match kit.conn.is_handled(address, &[0xbb; 20]).await {
            Ok(v) => return fail(format!("is-handled({address:?}) answered {v} as if a handler were there")),
            Err(e) if matches!(kind(&e), Some(AdapterErrorKind::Rejected | AdapterErrorKind::InvalidConfig)) => {
                seen.push(format!("{address}: {e}"))
            }
            Err(e) => return fail(format!("is-handled({address:?}): expected rejected or invalid-config, got: {e}")),
        }
    }
    Ok(seen.join("; "))
}

/// Malformed RPC answers give an error, never a trap.
pub async fn malformed_rpc_no_trap(kit: &mut Kit) -> Result<String, Outcome> {
    let bodies = ["{not json", "[]", r#"{"jsonrpc":"2.0","id":1,"result":{"unexpected":true}}"#, "null"];
    for body in bodies {
        let port = serve(body).await;
        let broken = kit.connection_to(vec![format!("http://127.0.0.1:{port}")]);
        let head = broken.head(BlockTag::Latest).await;
        let events = broken.block_hash(1).await;
        ensure(broken.restarts() == 0, format!("the adapter trapped on the answer {body:?}"))?;
        for (call, result) in [("head", head.map(|_| ())), ("block-hash", events.map(|_| ()))] {
            match result {
                Ok(()) => return fail(format!("{call} succeeded on the answer {body:?}")),
                Err(e) if kind(&e).is_some() || matches!(e, RuntimeError::Unavailable(_)) => {}
                Err(e) => return fail(format!("{call} on the answer {body:?}: {e}")),
            }
        }
    }
    Ok(format!("{} malformed answers, each an adapter error", bodies.len()))
}

/// No call of the run broke the host's default adapter limits or trapped.
pub fn within_limits(kit: &Kit) -> Result<String, Outcome> {
    if !kit.breaches.is_empty() {
        return fail(kit.breaches.join("; "));
    }
    let restarts = kit.conn.restarts();
    ensure(restarts == 0, format!("the adapter was restarted {restarts} times during the run"))?;
    Ok("no limit breach, no trap, no restart".into())
}
