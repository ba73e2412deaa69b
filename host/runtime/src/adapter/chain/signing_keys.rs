//! Calls on the optional `signing-keys` export: registering an operator's per-service
//! signing key at a service's manager, and reading which operator a key counts for. An
//! adapter without the export answers `unsupported`, saying so.

use super::ChainAdapter;
use crate::bindings::adapter_api::AdapterError;
use crate::bindings::curves_api::Scheme;
// The `call!` macro names these.
use crate::error::{Result, RuntimeError};
use crate::state::HostState;

impl ChainAdapter {
    /// Registers `public_key` (with `proof` where `scheme` needs one) at `manager` as the
    /// signing key of the operator whose account is this chain's signer, which sends and
    /// pays the transaction: the adapter must have been given a signer that signs.
    pub async fn register_signing_key(&self, manager: &str, scheme: Scheme, public_key: &[u8], proof: &[u8]) -> Result<()> {
        call!(self, "register-signing-key", export: signing_keys |x, s, c| async move {
            match x {
                Some(x) => x.call_register_signing_key(s, c, manager, scheme, public_key, proof).await,
                None => Ok(Err(no_signing_keys())),
            }
        })
    }

    /// The operator `manager` counts signatures by `public_key` for now, if any.
    pub async fn signing_key_operator(&self, manager: &str, scheme: Scheme, public_key: &[u8]) -> Result<Option<String>> {
        call!(self, "signing-key-operator", export: signing_keys |x, s, c| async move {
            match x {
                Some(x) => x.call_signing_key_operator(s, c, manager, scheme, public_key).await,
                None => Ok(Err(no_signing_keys())),
            }
        })
    }
}

fn no_signing_keys() -> AdapterError {
    AdapterError::Unsupported(
        "this adapter exports no signing-keys interface (registering signing keys at a manager): \
         rebuild it against wit/adapter with the chain-adapter-with-signing-keys world, or register \
         the key with the chain's own tools"
            .into(),
    )
}
