//! Checks that a signature names its destination: the handler reports its manager, a
//! signature made for one handler is refused by another (on the same manager), and one
//! made for one chain is refused on another chain (at the same address). Each refusal
//! is paired with the honest case landing, so an adapter that refuses everything fails.

use super::envelopes::sign_for;
use crate::kit::{Kit, ensure, fresh_event_id};
use crate::report::{Outcome, fail, skip};
use std::sync::Arc;
use wavs_runtime::bindings::adapter_api::SignedEnvelope;
use wavs_runtime::bindings::wit_types::Envelope;
use wavs_runtime::bindings::curves_api::Scheme;
use wavs_runtime::{AdapterErrorKind, ChainAdapter, RuntimeError};

/// Submits `signed` to `handler` expecting a refusal for good that stores nothing.
async fn expect_refused(kit: &mut Kit, conn: &ChainAdapter, handler: &str, signed: &SignedEnvelope, what: &str) -> Result<String, Outcome> {
    match conn.submit(handler, std::slice::from_ref(signed)).await {
        Ok(receipt) => fail(
            format!("{what} refused (rejected)"),
            format!("it landed in tx 0x{}: a signature is valid beyond its destination", hex::encode(receipt.tx_hash)),
        ),
        Err(RuntimeError::Adapter { kind: AdapterErrorKind::Rejected, message }) => {
            let result = conn.handled_payload(handler, &signed.envelope.event_id).await;
            ensure(kit.check("handled-payload", result)?.is_none(), format!("{what} refused with nothing stored"), "refused, yet its payload is stored")?;
            Ok(message)
        }
        Err(e) => fail(format!("{what} refused as rejected"), e.to_string()),
    }
}

/// `handler-info` names the deployment's manager and scheme, and refuses what is no
/// handler.
pub async fn handler_info(kit: &mut Kit) -> Result<String, Outcome> {
    let d = kit.deployment()?;
    let result = kit.conn.handler_info(&d.handler).await;
    let info = kit.check("handler-info", result)?;
    let manager = info.manager;
    ensure(manager == d.manager, format!("handler-info({}).manager = {:?}, the manager it was deployed with", d.handler, d.manager), format!("{manager:?}"))?;
    ensure(
        matches!(info.scheme, Scheme::Secp256k1Ecdsa),
        format!("handler-info({}).scheme secp256k1-ecdsa, the scheme it was deployed with", d.handler),
        format!("{:?}", info.scheme),
    )?;
    match kit.conn.handler_info(&d.trigger).await {
        Err(RuntimeError::Adapter { kind: AdapterErrorKind::Rejected | AdapterErrorKind::InvalidConfig, .. }) => {}
        Ok(other) => return fail(format!("handler-info({}) (the trigger, no handler) rejected", d.trigger), format!("it answered {other:?}")),
        Err(e) => return fail(format!("handler-info({}) (the trigger, no handler) rejected", d.trigger), e.to_string()),
    }
    Ok(format!("handler {} -> manager {manager}, secp256k1-ecdsa; a non-handler is refused", d.handler))
}

/// An envelope signed for the deployment's handler is refused by a second handler on
/// the same manager; signed for the second handler, it lands there.
pub async fn bound_to_handler(kit: &mut Kit) -> Result<String, Outcome> {
    let d = kit.deployment()?;
    let result = kit.conn.deploy_handler(&d.manager).await;
    let second = kit.check("deploy-handler", result)?;
    ensure(second != d.handler, "deploy-handler to deploy a new handler", "it returned the first handler's address")?;
    let conn = kit.conn.clone();
    let envelope = Envelope { event_id: fresh_event_id(0xb1), ordering: vec![0; 12], payload: b"bound".to_vec() };
    let for_first = sign_for(kit, &conn, &d.handler, envelope.clone(), 2).await?;
    let refusal = expect_refused(kit, &conn, &second, &for_first, "an envelope signed for another handler on the same manager").await?;
    let for_second = sign_for(kit, &conn, &second, envelope.clone(), 2).await?;
    let result = conn.submit(&second, std::slice::from_ref(&for_second)).await;
    kit.check("submit (signed for the second handler)", result)?;
    let result = conn.handled_payload(&second, &envelope.event_id).await;
    let stored = kit.check("handled-payload", result)?;
    ensure(stored.as_deref() == Some(b"bound".as_slice()), "signed for the second handler, \"bound\" stored there", format!("{:?}", stored.map(hex::encode)))?;
    Ok(format!("replay to handler {second} refused ({refusal}); signed for it, it landed"))
}

/// An envelope signed for the first chain's handler is refused by the handler deployed
/// the same way on the second chain; signed for the second chain, it lands there.
pub async fn bound_to_chain(kit: &mut Kit) -> Result<String, Outcome> {
    let d = kit.deployment()?;
    let Some(second) = kit.second.clone() else {
        return skip("the chain file names no [second-chain] (same family, another chain-id) to replay on");
    };
    let operators = kit.test_operators();
    let result = second.deploy_service(Scheme::Secp256k1Ecdsa, &operators, crate::kit::TEST_THRESHOLD).await;
    let there = kit.check("deploy-service (second chain)", result)?;
    let first: Arc<ChainAdapter> = kit.conn.clone();
    let envelope = Envelope { event_id: fresh_event_id(0xc1), ordering: vec![0; 12], payload: b"chain".to_vec() };
    // Signed for this chain's handler, as a landed envelope's calldata would show it.
    let mut replay = sign_for(kit, &first, &d.handler, envelope.clone(), 2).await?;
    // The second chain names operators its own way; the signatures stay as signed.
    let honest = sign_for(kit, &second, &there.handler, envelope.clone(), 2).await?;
    for (r, h) in replay.signatures.iter_mut().zip(&honest.signatures) {
        r.operator = h.operator.clone();
    }
    let refusal = expect_refused(kit, &second, &there.handler, &replay, "an envelope signed for another chain").await?;
    let result = second.submit(&there.handler, std::slice::from_ref(&honest)).await;
    kit.check("submit (signed for the second chain)", result)?;
    let result = second.handled_payload(&there.handler, &envelope.event_id).await;
    let stored = kit.check("handled-payload", result)?;
    ensure(stored.as_deref() == Some(b"chain".as_slice()), "signed for the second chain, \"chain\" stored there", format!("{:?}", stored.map(hex::encode)))?;
    let same = if there.handler == d.handler { " (the same handler address on both chains)" } else { "" };
    Ok(format!("replay to the second chain{same} refused ({refusal}); signed for it, it landed"))
}
