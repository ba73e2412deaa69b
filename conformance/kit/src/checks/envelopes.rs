//! Checks of the signing path: the digest, the operator set, batch submission.

use crate::guide;
use crate::kit::{Kit, TEST_THRESHOLD, ensure, fresh_event_id};
use crate::report::{Outcome, fail, fail_at};
use wavs_runtime::AdapterErrorKind;
use wavs_runtime::RuntimeError;
use wavs_runtime::bindings::adapter_api::{OperatorSignature, Signature, SignedEnvelope};
use wavs_runtime::bindings::curves_api::Scheme;
use wavs_runtime::bindings::wit_types::Envelope;

/// A signed envelope carrying `payload` for `handler`, signed by the first `signers`
/// test operators.
async fn signed(kit: &mut Kit, handler: &str, salt: u8, payload: Vec<u8>, signers: usize) -> Result<SignedEnvelope, Outcome> {
    let envelope = Envelope { event_id: fresh_event_id(salt), ordering: vec![0; 12], payload };
    let conn = kit.conn.clone();
    sign_for(kit, &conn, handler, envelope, signers).await
}

/// `envelope` signed by the first `signers` test operators for `handler` on the chain
/// of `conn` (the digest and the operator ids come from that connection).
pub(crate) async fn sign_for(
    kit: &mut Kit,
    conn: &wavs_runtime::ChainAdapter,
    handler: &str,
    envelope: Envelope,
    signers: usize,
) -> Result<SignedEnvelope, Outcome> {
    let result = conn.envelope_digest(handler, &envelope).await;
    let digest = kit.check("envelope-digest", result)?;
    let mut signatures = Vec::new();
    for signer in kit.operators.clone().iter().take(signers) {
        let result = conn.operator_id(Scheme::Secp256k1Ecdsa, &signer.public_key()).await;
        let operator = kit.check("operator-id", result)?;
        let bytes = match signer.sign_digest(&digest) {
            Ok(signature) => signature,
            Err(e) => return fail_at(guide::STEP5, "a 32-byte digest the kit can sign", format!("{} bytes: {e}", digest.len())),
        };
        let signature = Signature { scheme: Scheme::Secp256k1Ecdsa, public_key: signer.public_key(), bytes };
        signatures.push(OperatorSignature { operator, signature });
    }
    Ok(SignedEnvelope { envelope, signatures })
}

/// The digest is 32 bytes, the same for the same envelope and handler, different for
/// another payload and for another handler address.
pub async fn digest_deterministic(kit: &mut Kit) -> Result<String, Outcome> {
    let d = kit.deployment()?;
    let envelope = Envelope { event_id: vec![0xd1; 20], ordering: vec![0; 12], payload: b"wavs".to_vec() };
    let result = kit.conn.envelope_digest(&d.handler, &envelope).await;
    let one = kit.check("envelope-digest", result)?;
    let result = kit.conn.envelope_digest(&d.handler, &envelope).await;
    let two = kit.check("envelope-digest", result)?;
    ensure(one.len() == 32, "a 32-byte digest", format!("{} bytes", one.len()))?;
    ensure(one == two, "one digest for one envelope", format!("0x{} then 0x{}", hex::encode(&one), hex::encode(&two)))?;
    let other = Envelope { payload: b"wavS".to_vec(), ..envelope.clone() };
    let result = kit.conn.envelope_digest(&d.handler, &other).await;
    ensure(kit.check("envelope-digest", result)? != one, "another digest for another payload", "the same digest")?;
    // Any other address of the chain as the handler: the digest must name the handler.
    let result = kit.conn.envelope_digest(&d.trigger, &envelope).await;
    let other = kit.check("envelope-digest", result)?;
    ensure(other != one, "another digest for another handler address", "the same: a signature would be valid on every handler")
        .map_err(|o| o.at(guide::DIGEST_BINDS))?;
    Ok(format!("0x{}", hex::encode(one)))
}

/// The operator set read back is the one deployed.
pub async fn operator_set_matches(kit: &mut Kit) -> Result<String, Outcome> {
    let d = kit.deployment()?;
    let result = kit.conn.operator_set(&d.manager, None).await;
    let set = kit.check("operator-set", result)?;
    let mut expected = Vec::new();
    for signer in kit.operators.clone() {
        let result = kit.conn.operator_id(Scheme::Secp256k1Ecdsa, &signer.public_key()).await;
        expected.push((kit.check("operator-id", result)?, 1u64));
    }
    expected.sort();
    let mut got: Vec<(String, u64)> = set.operators.iter().map(|o| (o.id.clone(), o.weight)).collect();
    got.sort();
    ensure(got == expected, format!("the deployed operators {expected:?}"), format!("{got:?}"))?;
    ensure(set.threshold == TEST_THRESHOLD, format!("the deployed threshold {TEST_THRESHOLD}"), format!("{}", set.threshold))?;
    Ok(format!("{} operators, threshold {}", got.len(), set.threshold))
}

/// A batch signed with the adapter's digest lands in one tx (the handler accepts the
/// digest), `is-handled` turns true, and resubmitting the same id neither lands twice
/// nor fails as transient.
pub async fn submit_lands_once(kit: &mut Kit) -> Result<String, Outcome> {
    let d = kit.deployment()?;
    let a = signed(kit, &d.handler, 1, b"first".to_vec(), 2).await?;
    let b = signed(kit, &d.handler, 2, b"second".to_vec(), 3).await?;
    let result = kit.conn.is_handled(&d.handler, &a.envelope.event_id).await;
    ensure(!kit.check("is-handled", result)?, "is-handled false for a fresh event id", "true").map_err(|o| o.at(guide::STEP9))?;
    let result = kit.conn.submit(&d.handler, &[a.clone(), b.clone()]).await;
    let receipt = kit.check("submit", result)?;
    for (env, payload) in [(&a, b"first".as_slice()), (&b, b"second".as_slice())] {
        let result = kit.conn.is_handled(&d.handler, &env.envelope.event_id).await;
        ensure(kit.check("is-handled", result)?, "is-handled true once the batch landed", "false").map_err(|o| o.at(guide::STEP9))?;
        let result = kit.conn.handled_payload(&d.handler, &env.envelope.event_id).await;
        let stored = kit.check("handled-payload", result)?;
        ensure(stored.as_deref() == Some(payload), format!("the handler to store 0x{}", hex::encode(payload)), format!("{:?}", stored.map(hex::encode)))?;
    }
    match kit.conn.submit(&d.handler, std::slice::from_ref(&a)).await {
        Ok(_) => {}
        Err(RuntimeError::Adapter { kind: AdapterErrorKind::Transient, message }) => {
            let seen = format!("transient (the host would retry forever): {message}");
            return fail_at(guide::ERRORS, "resubmitting a handled id to land harmlessly or be rejected", seen);
        }
        // Refused for good is fine: nothing lands twice and the host does not retry.
        Err(RuntimeError::Adapter { .. }) => {}
        Err(e) => return fail("resubmitting a handled id to land harmlessly or be rejected", e.to_string()),
    }
    let result = kit.conn.handled_payload(&d.handler, &a.envelope.event_id).await;
    let stored = kit.check("handled-payload", result)?;
    ensure(stored.as_deref() == Some(b"first".as_slice()), "a resubmission to leave the stored payload as it was", format!("{:?}", stored.map(hex::encode)))?;
    Ok(format!("2 envelopes in tx 0x{} at height {}, resubmission harmless", hex::encode(receipt.tx_hash), receipt.height))
}

/// An envelope below the threshold is refused for good.
pub async fn below_quorum_refused(kit: &mut Kit) -> Result<String, Outcome> {
    let d = kit.deployment()?;
    let weak = signed(kit, &d.handler, 3, b"weak".to_vec(), 1).await?;
    match kit.conn.submit(&d.handler, std::slice::from_ref(&weak)).await {
        Ok(receipt) => fail("an envelope with 1 of 2 needed signatures rejected", format!("it landed in tx 0x{}", hex::encode(receipt.tx_hash))),
        Err(RuntimeError::Adapter { kind: AdapterErrorKind::Rejected, message }) => Ok(format!("rejected: {message}")),
        Err(e) => fail("an envelope with 1 of 2 needed signatures rejected", e.to_string()),
    }
}
