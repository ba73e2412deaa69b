//! Checks of `verify` (guide step 6), for every scheme the adapter says its chains
//! verify: an operator's signature of a digest verifies as that operator, and the same
//! signature over another digest, or presented with another key, never does.

use crate::kit::{Kit, ensure};
use crate::report::{Outcome, fail, skip};
use wavs_runtime::bindings::adapter_api::Signature;
use wavs_runtime::bindings::curves_api::Scheme;
use wavs_runtime::{AdapterErrorKind, RuntimeError};

/// Expects `verify` to refuse `signature` over `digest` as `rejected`, or (where the
/// scheme yields the key, as secp256k1 does) to name anyone but `operator`.
async fn refused(kit: &mut Kit, digest: &[u8], signature: &Signature, operator: &str, what: &str) -> Result<String, Outcome> {
    match kit.conn.verify(digest, signature).await {
        Ok(other) if other != operator && signature.public_key.is_empty() => Ok(format!("{what}: names {other}")),
        Ok(other) => fail(format!("{what} rejected"), format!("it verified as {other}")),
        Err(RuntimeError::Adapter { kind: AdapterErrorKind::Rejected, message }) => Ok(format!("{what}: {message}")),
        Err(e) => fail(format!("{what} rejected"), e.to_string()),
    }
}

/// For each scheme the adapter lists: verify names the signer, and refuses another
/// digest and another key.
pub async fn verify_binds_digest_and_key(kit: &mut Kit) -> Result<String, Outcome> {
    let schemes: Vec<wavs_types::Scheme> = kit.info.as_ref().map(|i| i.schemes.clone()).unwrap_or_default();
    if schemes.is_empty() {
        return skip("describe() lists no signature schemes");
    }
    let (one, two) = (kit.operators[0].clone(), kit.operators[1].clone());
    let digest = [0x5a; 32];
    let mut seen = Vec::new();
    for scheme in schemes {
        let wit: Scheme = scheme.into();
        let (Ok(key), Ok(bytes), Ok(other_key)) = (one.public_key_for(scheme), one.sign_for(scheme, &digest), two.public_key_for(scheme)) else {
            return fail(format!("the host to sign with {scheme}"), "it could not");
        };
        let result = kit.conn.operator_id(wit, &key).await;
        let operator = kit.check("operator-id", result)?;
        let honest = Signature { scheme: wit, public_key: key.clone(), bytes: bytes.clone() };
        let result = kit.conn.verify(&digest, &honest).await;
        let named = kit.check("verify", result)?;
        ensure(named == operator, format!("verify of {operator}'s {scheme} signature to name {operator}"), named)?;
        let mut other_digest = digest;
        other_digest[0] ^= 1;
        let r1 = refused(kit, &other_digest, &honest, &operator, &format!("{scheme}: another digest")).await?;
        let as_other = Signature { public_key: other_key, ..honest.clone() };
        let r2 = refused(kit, &digest, &as_other, &operator, &format!("{scheme}: another key")).await?;
        let mut flipped = honest.clone();
        flipped.bytes[4] ^= 0x40;
        let r3 = refused(kit, &digest, &flipped, &operator, &format!("{scheme}: a changed signature")).await?;
        seen.push(format!("{scheme} names {operator}; {r1}; {r2}; {r3}"));
    }
    Ok(seen.join(" | "))
}
