//! `submit` for a BLS handler. One transaction names one signer set (by the manager's
//! indices of the operators left out) and one aggregate G2 key for the whole batch, with
//! an aggregate signature per envelope; so the signers are the operators who signed
//! every envelope of the batch.

use crate::abi::{G1Point, G2Point, IWavsBlsServiceHandler, IWavsBlsServiceManager, IWavsServiceHandler};
use crate::bindings::exports::wavs::adapter::adapter::{AdapterError, Scheme, SignedEnvelope};
use crate::bindings::wavs::adapter::curves;
use crate::bls;
use crate::connection::Connection;
use crate::crypto::address_text;
use alloy_primitives::{FixedBytes, U256};
use alloy_sol_types::SolCall;
use serde_json::json;
use std::collections::BTreeMap;

/// What a batch's signatures become: an aggregate signature per envelope, the signers'
/// aggregate G2 key and the indices of the operators who are not signers.
#[derive(Debug)]
pub struct Packed {
    pub sigmas: Vec<G1Point>,
    pub apk_g2: G2Point,
    pub non_signers: Vec<u32>,
}

/// A function of the host's that sums BLS points (signatures, or 192-byte keys).
type Sum<'a> = &'a dyn Fn(&[Vec<u8>]) -> Result<Vec<u8>, String>;

/// The `handleSignedEnvelopes` calldata for `envelopes` to the BLS handler `handler`,
/// against its manager's operator list at the latest block (the indices the handler
/// checks when the transaction runs; a list changed in between makes it revert).
pub fn calldata(conn: &Connection, handler: &str, envelopes: &[SignedEnvelope]) -> Result<Vec<u8>, AdapterError> {
    let manager = address_text(&conn.call(handler, IWavsServiceHandler::serviceManagerCall {}, json!("latest"))?);
    let ops = conn.call(&manager, IWavsBlsServiceManager::getOperatorsCall {}, json!("latest"))?;
    let threshold = conn.call(&manager, IWavsBlsServiceManager::thresholdCall {}, json!("latest"))?;
    if ops.operatorIds.len() != ops.weights.len() {
        return Err(AdapterError::Rejected(format!("service manager {manager}: getOperators returned lists of different lengths")));
    }
    let sum_signatures = |s: &[Vec<u8>]| curves::aggregate_signatures(Scheme::Bn254Bls, s);
    let sum_keys = |k: &[Vec<u8>]| curves::aggregate_public_keys(Scheme::Bn254Bls, k);
    let packed = pack(&ops.operatorIds, &ops.weights, threshold, envelopes, &sum_signatures, &sum_keys)
        .map_err(|e| in_manager(e, &manager))?;
    Ok(IWavsBlsServiceHandler::handleSignedEnvelopesCall {
        envelopes: crate::crypto::abi_envelopes(envelopes)?,
        sigmas: packed.sigmas,
        apkG2: packed.apk_g2,
        nonSignerIndices: packed.non_signers,
    }
    .abi_encode())
}

/// `error` with the manager named in its message.
fn in_manager(error: AdapterError, manager: &str) -> AdapterError {
    match error {
        AdapterError::Rejected(m) => AdapterError::Rejected(format!("service manager {manager}: {m}")),
        AdapterError::TooLarge(m) => AdapterError::TooLarge(format!("service manager {manager}: {m}")),
        other => other,
    }
}

/// Each envelope's signatures by operator id: the signer's key and signature.
fn by_id(signed: &SignedEnvelope) -> Result<BTreeMap<FixedBytes<32>, (&[u8], &[u8])>, AdapterError> {
    let mut signers = BTreeMap::new();
    for s in &signed.signatures {
        let id = bls::id_of(&s.signature.public_key).map_err(|m| AdapterError::Rejected(format!("signature of {}: {m}", s.operator)))?;
        signers.insert(id, (s.signature.public_key.as_slice(), s.signature.bytes.as_slice()));
    }
    Ok(signers)
}

/// Packs `envelopes` for the operators `ids` (the manager's order) with `weights` and
/// `threshold`. The signers are the operators who signed every envelope; below the
/// threshold the batch is `too-large` if some envelope reaches it alone (the host then
/// splits it) and `rejected` if none does. `sum_signatures` and `sum_keys` are the host's
/// aggregation: parameters so the unit tests can stand in for the host.
pub fn pack(
    ids: &[FixedBytes<32>],
    weights: &[U256],
    threshold: U256,
    envelopes: &[SignedEnvelope],
    sum_signatures: Sum,
    sum_keys: Sum,
) -> Result<Packed, AdapterError> {
    let signed: Vec<_> = envelopes.iter().map(by_id).collect::<Result<_, _>>()?;
    let weight_of = |signs: &dyn Fn(&FixedBytes<32>) -> bool| {
        ids.iter().zip(weights).filter(|(id, _)| signs(id)).fold(U256::ZERO, |sum, (_, w)| sum.saturating_add(*w))
    };
    let in_all = |id: &FixedBytes<32>| signed.iter().all(|s| s.contains_key(id));
    let common = weight_of(&in_all);
    if common < threshold || common.is_zero() {
        let own: Vec<U256> = signed.iter().map(|s| weight_of(&|id| s.contains_key(id))).collect();
        let reaching = own.iter().filter(|w| **w >= threshold && !w.is_zero()).count();
        let weights_text: Vec<String> = own.iter().map(U256::to_string).collect();
        return Err(if reaching > 0 && envelopes.len() > 1 {
            AdapterError::TooLarge(format!(
                "signer sets differ across the batch; one BLS transaction carries one signer set (operators who signed all {} envelopes weigh {common}, threshold {threshold}; {reaching} envelopes reach it alone)",
                envelopes.len()
            ))
        } else {
            AdapterError::Rejected(format!(
                "the envelopes' signers weigh [{}], below the threshold {threshold}",
                weights_text.join(", ")
            ))
        });
    }
    let signers: Vec<&FixedBytes<32>> = ids.iter().filter(|id| in_all(id)).collect();
    let host = |what: &str, m: String| AdapterError::Rejected(format!("aggregating {what}: {m}"));
    let sigmas = signed
        .iter()
        .map(|s| {
            let sigs: Vec<Vec<u8>> = signers.iter().map(|id| s[*id].1.to_vec()).collect();
            let sigma = sum_signatures(&sigs).map_err(|m| host("signatures", m))?;
            bls::g1(&sigma, "an aggregate signature").map_err(|m| host("signatures", m))
        })
        .collect::<Result<_, _>>()?;
    let keys: Vec<Vec<u8>> = signers.iter().map(|id| signed[0][*id].0.to_vec()).collect();
    let apk = sum_keys(&keys).map_err(|m| host("public keys", m))?;
    if apk.len() != bls::KEY_LEN {
        return Err(host("public keys", format!("the host answered {} bytes, not {}", apk.len(), bls::KEY_LEN)));
    }
    let apk_g2 = bls::g2(&apk[bls::G1_LEN..], "apkG2").map_err(|m| host("public keys", m))?;
    let non_signers = (0..ids.len()).filter(|i| !in_all(&ids[*i])).map(|i| i as u32).collect();
    Ok(Packed { sigmas, apk_g2, non_signers })
}

#[cfg(test)]
#[path = "submit_bls_tests.rs"]
mod tests;
