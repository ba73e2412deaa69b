//! The JSON messages of the reference CosmWasm contracts (contracts/cosmos).

use crate::bindings::exports::wavs::adapter::adapter::{Operator, OperatorSet, SignedEnvelope};
use crate::bindings::wavs::types::types::Envelope;
use crate::digest::{check_envelope, parse_operator_id};
use crate::verify::SCHEME;
use base64::Engine;
use base64::engine::general_purpose::STANDARD as B64;
use serde::Deserialize;
use serde_json::{Value, json};

/// An envelope as the contracts take it.
pub fn envelope_json(e: &Envelope) -> Result<Value, String> {
    check_envelope(&e.event_id, &e.ordering)?;
    Ok(json!({ "event_id": hex::encode(&e.event_id), "ordering": hex::encode(&e.ordering), "payload": B64.encode(&e.payload) }))
}

/// Signatures as the manager wants them: signers strictly ascending, `r || s` each.
pub fn signature_json(signed: &SignedEnvelope) -> Result<Value, String> {
    let mut pairs = signed
        .signatures
        .iter()
        .map(|s| {
            let key = parse_operator_id(&s.operator)?;
            let bytes = &s.signature.bytes;
            if s.signature.scheme != SCHEME {
                return Err(format!("signature of {} is not secp256k1-ecdsa, the only scheme the manager verifies", s.operator));
            }
            if bytes.len() != 64 && bytes.len() != 65 {
                return Err(format!("signature of {} is {} bytes, expected 64 or 65", s.operator, bytes.len()));
            }
            Ok((key, bytes[..64].to_vec()))
        })
        .collect::<Result<Vec<_>, String>>()?;
    pairs.sort_by(|a, b| a.0.cmp(&b.0));
    pairs.dedup_by(|a, b| a.0 == b.0);
    Ok(json!({
        "signers": pairs.iter().map(|(k, _)| hex::encode(k)).collect::<Vec<_>>(),
        "signatures": pairs.iter().map(|(_, s)| hex::encode(s)).collect::<Vec<_>>(),
        "reference_height": 0,
    }))
}

/// `handle_signed_envelopes` for a batch.
pub fn handle_batch(envelopes: &[SignedEnvelope]) -> Result<Value, String> {
    let list = envelopes.iter().map(|s| envelope_json(&s.envelope)).collect::<Result<Vec<_>, _>>()?;
    let sigs = envelopes.iter().map(signature_json).collect::<Result<Vec<_>, _>>()?;
    Ok(json!({ "handle_signed_envelopes": { "envelopes": list, "signatures": sigs } }))
}

/// One operator in the manager's answer.
#[derive(Deserialize)]
pub struct OperatorWeight {
    /// Compressed key, hex.
    pub pubkey: String,
    /// Weight (a Uint64, sent as a string).
    pub weight: Uint,
}

/// The manager's answer to `operators`.
#[derive(Deserialize)]
pub struct OperatorsResponse {
    /// Registered operators.
    pub operators: Vec<OperatorWeight>,
    /// Weight an envelope needs.
    pub threshold: Uint,
}

impl OperatorsResponse {
    /// The set as the host takes it, read at `height`: zero weights left out, ids in
    /// lowercase. Refuses a set whose weights sum past u64: the host adds them up, and a
    /// sum that wrapped would let too few signers reach the threshold.
    pub fn into_set(self, height: u64) -> Result<OperatorSet, String> {
        let operators: Vec<Operator> = self
            .operators
            .into_iter()
            .filter(|o| o.weight.0 > 0)
            .map(|o| Operator { id: o.pubkey.to_ascii_lowercase(), weight: o.weight.0 })
            .collect();
        operators
            .iter()
            .try_fold(0u64, |total, o| total.checked_add(o.weight))
            .ok_or_else(|| format!("the operators' weights sum to more than {}, which the host cannot add up", u64::MAX))?;
        Ok(OperatorSet { operators, threshold: self.threshold.0, height })
    }
}

/// The handler's answer to `config`: the service manager it validates with.
#[derive(Deserialize)]
pub struct HandlerConfig {
    /// The manager's address.
    pub service_manager: String,
}

/// CosmWasm's Uint64, which travels as a decimal string. A value that does not fit in 64
/// bits is refused, never truncated.
#[derive(Deserialize, Clone, Copy)]
#[serde(try_from = "String")]
pub struct Uint(pub u64);

impl TryFrom<String> for Uint {
    type Error = String;
    fn try_from(s: String) -> Result<Self, String> {
        s.parse().map(Uint).map_err(|_| format!("{s:?} is not a Uint64 (a decimal number below 2^64)"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bindings::exports::wavs::adapter::adapter::{OperatorSignature, Scheme, Signature};

    fn signature(scheme: Scheme, bytes: Vec<u8>) -> Signature {
        Signature { scheme, public_key: vec![], bytes }
    }

    #[test]
    fn a_batch_sorts_signers_and_drops_recovery_ids() {
        let high = format!("03{}", "ff".repeat(32));
        let low = format!("02{}", "11".repeat(32));
        let signed = SignedEnvelope {
            envelope: Envelope { event_id: vec![1; 20], ordering: vec![0; 12], payload: vec![42] },
            signatures: vec![
                OperatorSignature { operator: high.clone(), signature: signature(SCHEME, vec![9; 65]) },
                OperatorSignature { operator: low.clone(), signature: signature(SCHEME, vec![8; 64]) },
            ],
        };
        let msg = handle_batch(std::slice::from_ref(&signed)).unwrap();
        let sigs = &msg["handle_signed_envelopes"]["signatures"][0];
        assert_eq!(sigs["signers"], json!([low, high]));
        assert_eq!(sigs["signatures"][0].as_str().unwrap().len(), 128);
        assert_eq!(msg["handle_signed_envelopes"]["envelopes"][0]["payload"], "Kg==");
        assert_eq!(sigs["signatures"][1].as_str().unwrap().len(), 128);
        let mut other = signed.clone();
        other.signatures[0].signature = signature(Scheme::Ed25519, vec![9; 64]);
        assert!(handle_batch(&[other]).unwrap_err().contains("not secp256k1-ecdsa"));
        let mut short = signed;
        short.signatures[1].signature.bytes.pop();
        assert!(handle_batch(&[short]).unwrap_err().contains("expected 64 or 65"));
        let answer: OperatorsResponse = serde_json::from_str(r#"{"operators":[{"pubkey":"02aa","weight":"3"}],"threshold":"2","total_weight":"3"}"#).unwrap();
        assert_eq!((answer.operators[0].weight.0, answer.threshold.0), (3, 2));
    }

    fn parse(json: &str) -> Result<OperatorSet, String> {
        serde_json::from_str::<OperatorsResponse>(json).map_err(|e| e.to_string())?.into_set(9)
    }

    #[test]
    fn an_operator_set_keeps_non_zero_weights_in_lowercase() {
        let set = parse(r#"{"operators":[{"pubkey":"02AA","weight":"3"},{"pubkey":"03bb","weight":"0"}],"threshold":"2","total_weight":"3"}"#).unwrap();
        assert_eq!(set.operators.len(), 1);
        assert_eq!((set.operators[0].id.as_str(), set.operators[0].weight, set.threshold, set.height), ("02aa", 3, 2, 9));
    }

    #[test]
    fn weights_and_thresholds_beyond_u64_are_refused_not_truncated() {
        let too_big = "18446744073709551616"; // 2^64
        let weight = parse(&format!(r#"{{"operators":[{{"pubkey":"02aa","weight":"{too_big}"}}],"threshold":"1","total_weight":"1"}}"#));
        assert!(weight.unwrap_err().contains("is not a Uint64"));
        let threshold = parse(&format!(r#"{{"operators":[],"threshold":"{too_big}","total_weight":"0"}}"#));
        assert!(threshold.unwrap_err().contains("is not a Uint64"));
        // Each fits, the sum does not: 2^63 + 2^63.
        let half = 1u64 << 63;
        let sum = parse(&format!(
            r#"{{"operators":[{{"pubkey":"02aa","weight":"{half}"}},{{"pubkey":"02bb","weight":"{half}"}}],"threshold":"1","total_weight":"0"}}"#
        ));
        assert!(sum.unwrap_err().contains("sum to more than"));
        let max = parse(&format!(r#"{{"operators":[{{"pubkey":"02aa","weight":"{}"}}],"threshold":"{}","total_weight":"0"}}"#, u64::MAX, u64::MAX)).unwrap();
        assert_eq!((max.operators[0].weight, max.threshold), (u64::MAX, u64::MAX));
    }
}
