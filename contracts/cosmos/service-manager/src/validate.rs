use cosmwasm_std::{Api, Deps, HexBinary};
use wavs_cw_common::{Envelope, SIGNATURE_LEN, SignatureData, envelope_digest, operator_id};

use crate::signing_keys::latest_operator_for;
use crate::state::{THRESHOLD, WEIGHTS};
use crate::{ContractError, ValidateResponse};

/// secp256k1 n / 2, big-endian: signatures with a larger s are malleable copies and refused,
/// as in the Solidity manager.
const HALF_ORDER: [u8; 32] = [
    0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
    0x5d, 0x57, 0x6e, 0x73, 0x57, 0xa4, 0x50, 0x1d, 0xdf, 0xe9, 0x2f, 0x46, 0x68, 0x1b, 0x20, 0xa0,
];

/// Succeeds with the signed weight if `data` carries enough valid operator signatures over
/// the envelope's digest for `handler` on `chain_id`; otherwise names the first problem found.
pub fn validate(
    deps: Deps,
    chain_id: &str,
    handler: &str,
    envelope: &Envelope,
    data: &SignatureData,
) -> Result<ValidateResponse, ContractError> {
    let signers = &data.signers;
    if signers.is_empty() {
        return Err(ContractError::NoSignatures);
    }
    if signers.len() != data.signatures.len() {
        return Err(ContractError::LengthMismatch {
            signers: signers.len(),
            signatures: data.signatures.len(),
        });
    }
    let digest = envelope_digest(chain_id, handler, envelope)?;
    let mut signed: u64 = 0;
    for (index, (signer, signature)) in signers.iter().zip(&data.signatures).enumerate() {
        if index > 0 && signer.as_slice() <= signers[index - 1].as_slice() {
            return Err(ContractError::SignersNotSorted { index });
        }
        if !verifies(deps.api, &digest, signature, signer) {
            return Err(ContractError::InvalidSignature { index });
        }
        let weight = match latest_operator_for(deps.storage, signer)? {
            Some(operator) => WEIGHTS.may_load(deps.storage, &operator)?.unwrap_or(0),
            None => 0,
        };
        if weight == 0 {
            return Err(ContractError::UnknownSigner {
                pubkey: operator_id(signer),
            });
        }
        // Signers are distinct operators, so the sum is at most the stored total.
        signed = signed.saturating_add(weight);
    }
    let need = THRESHOLD.load(deps.storage)?;
    if signed < need {
        return Err(ContractError::InsufficientQuorum { got: signed, need });
    }
    Ok(ValidateResponse {
        weight: signed.into(),
    })
}

fn verifies(api: &dyn Api, digest: &[u8; 32], signature: &HexBinary, pubkey: &HexBinary) -> bool {
    signature.len() == SIGNATURE_LEN
        && signature[32..] <= HALF_ORDER[..]
        && api
            .secp256k1_verify(digest, signature, pubkey)
            .unwrap_or(false)
}
