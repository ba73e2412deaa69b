//! `submit` for an ECDSA handler: each envelope carries its own signers and signatures,
//! packed as the ECDSA manager takes them.

use crate::abi::{IWavsServiceHandler, SignatureData};
use crate::bindings::exports::wavs::adapter::adapter::{AdapterError, SignedEnvelope};
use alloy_sol_types::SolCall;

/// The `handleSignedEnvelopes` calldata for `envelopes`: per envelope, its signers by
/// address, strictly ascending (the manager refuses any other order), each once.
pub fn calldata(envelopes: &[SignedEnvelope]) -> Result<Vec<u8>, AdapterError> {
    let mut signature_data = Vec::with_capacity(envelopes.len());
    for signed in envelopes {
        let mut sigs = signed.signatures.iter().map(crate::scheme::ecdsa_signer).collect::<Result<Vec<_>, AdapterError>>()?;
        sigs.sort_by(|a, b| a.0.cmp(&b.0));
        sigs.dedup_by(|a, b| a.0 == b.0);
        signature_data.push(SignatureData {
            signers: sigs.iter().map(|(a, _)| *a).collect(),
            signatures: sigs.into_iter().map(|(_, s)| s.into()).collect(),
            referenceBlock: 0,
        });
    }
    let envelopes = crate::crypto::abi_envelopes(envelopes)?;
    Ok(IWavsServiceHandler::handleSignedEnvelopesCall { envelopes, signatureData: signature_data }.abi_encode())
}
