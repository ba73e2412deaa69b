//! The JSON messages of the reference CosmWasm contracts (contracts/cosmos).

use crate::bindings::exports::wavs::adapter::adapter::SignedEnvelope;
use crate::bindings::wavs::types::types::Envelope;
use crate::digest::{check_envelope, parse_operator_id};
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
            if s.signature.len() < 64 {
                return Err(format!("signature of {} is {} bytes, expected 65", s.operator, s.signature.len()));
            }
            Ok((key, s.signature[..64].to_vec()))
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

/// CosmWasm's Uint64, which travels as a decimal string.
#[derive(Deserialize, Clone, Copy)]
#[serde(try_from = "String")]
pub struct Uint(pub u64);

impl TryFrom<String> for Uint {
    type Error = String;
    fn try_from(s: String) -> Result<Self, String> {
        s.parse().map(Uint).map_err(|_| format!("{s:?} is not a Uint64"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bindings::exports::wavs::adapter::adapter::OperatorSignature;

    #[test]
    fn a_batch_sorts_signers_and_drops_recovery_ids() {
        let high = format!("03{}", "ff".repeat(32));
        let low = format!("02{}", "11".repeat(32));
        let signed = SignedEnvelope {
            envelope: Envelope { event_id: vec![1; 20], ordering: vec![0; 12], payload: vec![42] },
            signatures: vec![
                OperatorSignature { operator: high.clone(), signature: vec![9; 65] },
                OperatorSignature { operator: low.clone(), signature: vec![8; 65] },
            ],
        };
        let msg = handle_batch(&[signed]).unwrap();
        let sigs = &msg["handle_signed_envelopes"]["signatures"][0];
        assert_eq!(sigs["signers"], json!([low, high]));
        assert_eq!(sigs["signatures"][0].as_str().unwrap().len(), 128);
        assert_eq!(msg["handle_signed_envelopes"]["envelopes"][0]["payload"], "Kg==");
        let answer: OperatorsResponse = serde_json::from_str(r#"{"operators":[{"pubkey":"02aa","weight":"3"}],"threshold":"2","total_weight":"3"}"#).unwrap();
        assert_eq!((answer.operators[0].weight.0, answer.threshold.0), (3, 2));
    }
}
