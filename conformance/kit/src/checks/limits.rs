//! Checks of `check-filter` (guide step 4) and of what one submission can carry (guide
//! step 8): the host relies on both to refuse a bad manifest at deploy and to split a
//! batch the chain cannot take in one transaction.

use super::envelopes::sign_for;
use crate::kit::{Kit, ensure, fresh_event_id};
use crate::report::{Outcome, fail};
use wavs_runtime::bindings::adapter_api::{BlockIntervalFilter, CustomFilter, EventFilter};
use wavs_runtime::bindings::wit_types::{Attribute, Envelope};
use wavs_runtime::{AdapterErrorKind, RuntimeError};

/// Payload of the envelope no transaction can carry: above every block gas limit and
/// mempool size limit the reference chains have (EVM: 30M gas at 16 per byte; CometBFT:
/// 1 MiB transactions).
const OVERSIZE: usize = 2 << 20;

/// The deployed trigger filter and a block interval are accepted; a kind the adapter
/// does not describe is `unsupported`, not accepted and not a failure of another kind.
pub async fn check_filter(kit: &mut Kit) -> Result<String, Outcome> {
    let mut accepted = vec![EventFilter::BlockInterval(BlockIntervalFilter { every: 1, start: 0 })];
    accepted.extend(kit.deployment.as_ref().map(|d| EventFilter::ContractEvent(d.trigger_filter.clone())));
    for filter in &accepted {
        let result = kit.conn.check_filter(filter).await;
        kit.check("check-filter", result)?;
    }
    let kinds = kit.info.as_ref().map(|i| i.trigger_kinds.clone()).unwrap_or_default();
    let unknown = EventFilter::Custom(CustomFilter {
        kind: "wavs-conformance-no-such-kind".into(),
        params: vec![Attribute { key: "every".into(), value: "1".into() }],
    });
    let expected = "check-filter of a custom kind the adapter does not describe to be unsupported";
    match kit.conn.check_filter(&unknown).await {
        Err(RuntimeError::Adapter { kind: AdapterErrorKind::Unsupported, message }) => {
            Ok(format!("{} filters accepted; an unknown kind refused: {message} (kinds: {})", accepted.len(), kinds.join(", ")))
        }
        Ok(()) => fail(expected, "it was accepted: a manifest naming it would deploy and never trigger"),
        Err(e) => fail(expected, e.to_string()),
    }
}

/// An envelope too large for any transaction is answered `too-large` (the host then
/// fails it alone, instead of retrying a batch forever), and the limits the adapter
/// reports are ones a batch can meet.
pub async fn oversize_is_too_large(kit: &mut Kit) -> Result<String, Outcome> {
    let result = kit.conn.submission_limits().await;
    let limits = kit.check("submission-limits", result)?;
    ensure(
        limits.max_envelopes != Some(0) && limits.max_payload_bytes != Some(0),
        "submission limits a batch of one envelope can meet",
        format!("{limits:?}"),
    )?;
    let d = kit.deployment()?;
    let conn = kit.conn.clone();
    let envelope = Envelope { event_id: fresh_event_id(0xe1), ordering: vec![0; 12], payload: vec![0xee; OVERSIZE] };
    let signed = sign_for(kit, &conn, &d.handler, envelope, 2).await?;
    let expected = format!("submit of one envelope with a {OVERSIZE}-byte payload to be too-large");
    match conn.submit(&d.handler, std::slice::from_ref(&signed)).await {
        Err(RuntimeError::Adapter { kind: AdapterErrorKind::TooLarge, message }) => Ok(format!("limits {limits:?}; oversize: {message}")),
        Ok(receipt) => fail(expected, format!("it landed in tx 0x{}", hex::encode(receipt.tx_hash))),
        Err(e) => fail(expected, e.to_string()),
    }
}
