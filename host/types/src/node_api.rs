//! The node's answers about its adapters, keys, services and chains, typed: the server
//! sends these, and `wavs-client` (so the CLI, devnet and tests) reads them back, so a
//! renamed field breaks the build rather than a reader at runtime. Keys are kebab-case,
//! as they have always been on the wire.

use crate::aggregator_health::AdapterInfo;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::PathBuf;

/// What became of a `.wasm` file in the node's adapters-dir.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "state", rename_all = "kebab-case")]
pub enum AdapterFileState {
    /// Loaded and serving `family`.
    Loaded {
        /// The chain family it serves.
        family: String,
    },
    /// Refused, with the reason.
    Refused {
        /// Why, and what to fix.
        reason: String,
    },
}

/// `GET /adapters`: the adapters loaded, and every file looked at.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AdaptersAnswer {
    /// One entry per loaded adapter (per chain family).
    pub loaded: Vec<AdapterInfo>,
    /// Every file of the adapters-dir, with what became of it: `[path, state]` pairs.
    #[cfg_attr(feature = "openapi", schema(value_type = Vec<(String, AdapterFileState)>))]
    pub files: Vec<(PathBuf, AdapterFileState)>,
}

/// The identity a chain's adapter gives an operator key, or why it could not.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(untagged)]
pub enum OperatorIdentity {
    /// The chain's own form of it (an EVM address, a bech32 account ...).
    Id(String),
    /// The adapter could not say (not loaded, chain unreachable ...).
    Unknown {
        /// Why.
        error: String,
    },
}

/// One chain's signing key, as `GET /operator` and `wavs keys` show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "kebab-case")]
pub struct ChainKey {
    /// The chain's family (`evm`, `cosmos` ...).
    pub family: String,
    /// Its chain id within the family.
    pub chain_id: String,
    /// The public key the node signs this chain's envelopes with, 0x-hex.
    pub public_key: String,
    /// The identity to register in the chain's service manager.
    pub id: OperatorIdentity,
    /// Where the key comes from (derived from the operator mnemonic, or its own key).
    pub key: String,
    /// The chain's keys for the other schemes its adapter verifies (derived from this
    /// one), by scheme name (`bn254-bls`): what to register for services using them.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub schemes: BTreeMap<String, SchemeKey>,
}

/// A chain's key for one more signature scheme.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "kebab-case")]
pub struct SchemeKey {
    /// The public key, 0x-hex, encoded as the adapter world's `curves` says.
    pub public_key: String,
    /// The identity to register in a service manager of that scheme.
    pub id: OperatorIdentity,
    /// Proof of possession of the key, 0x-hex, for schemes whose managers refuse keys
    /// without one (bn254-bls); empty otherwise.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub proof: String,
}

/// `GET /operator`: each chain's key, by the node's name for the chain.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OperatorAnswer {
    /// Chain name → its key.
    pub chains: BTreeMap<String, ChainKey>,
}

/// `POST /services/{id}/keys/register`: where to register the service's key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct RegisterKeyRequest {
    /// The chain of the manager: the node's name for it, or `family:chain-id`.
    pub chain: String,
    /// The service's manager contract on that chain.
    pub manager: String,
}

/// `POST /services/{id}/keys/register`: the key now registered for this operator.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "kebab-case")]
pub struct KeyRegistered {
    /// The node's name for the chain.
    pub chain: String,
    /// The manager it was registered at.
    pub manager: String,
    /// The scheme the manager's operators sign with (`secp256k1-ecdsa`, `bn254-bls`).
    pub scheme: String,
    /// The service's public key for that scheme, 0x-hex, as `POST /services/{id}/keys`
    /// lists it.
    pub public_key: String,
    /// The operator the manager now counts the key for, as the chain's adapter names it:
    /// this node's operator account on the chain.
    pub operator: String,
}

/// `POST /services`: the service deployed (or replaced).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ServiceDeployed {
    /// Its id.
    pub id: String,
}

/// `POST /services/{id}/pause` and `/resume`: the service's new state.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "kebab-case")]
pub struct PauseAnswer {
    /// The service.
    pub id: String,
    /// Whether it is paused now.
    pub paused: bool,
    /// On pause: jobs of the service stored and waiting (triggers are still read).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub waiting_jobs: Option<usize>,
    /// On resume: jobs released to run.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub released_jobs: Option<usize>,
}

/// `PUT /services/{id}/secrets/{name}`: the value to keep. Printing it (`{:?}`) shows
/// no value.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct SecretValue {
    /// The secret's value (UTF-8, 1 byte to 64 KiB).
    pub value: String,
}

impl std::fmt::Debug for SecretValue {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SecretValue(<redacted>)")
    }
}

/// `GET /services/{id}/secrets`: the names of a service's secrets on this node, never
/// their values.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "kebab-case")]
pub struct SecretNames {
    /// The service (which need not be deployed: secrets are set before the deploy).
    pub id: String,
    /// The names, in order.
    pub names: Vec<String>,
}

/// `POST /chains`: the chain now served.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ChainAdded {
    /// The node's name for it.
    pub name: String,
}

/// `POST /chains`: a `[chains.NAME]` table of the node configuration, as JSON, with its
/// name. (The node reads `name` first, so that an error in the rest names the chain.)
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ChainRequest {
    /// The chain's name, as manifests refer to it (letters, digits, `-`, `_`).
    pub name: String,
    /// The chain, as the configuration file's table holds it.
    #[serde(flatten)]
    pub spec: crate::ChainSpec,
}

impl ChainRequest {
    /// Reads a `POST /chains` body (the node's, or the aggregator's): `name` first, so
    /// that an error in the rest names the chain, then the spec, whose unknown keys are
    /// refused by name. Keys of `own` (a server's settings beside the spec, such as the
    /// aggregator's `accept-verified-targets`) are taken out first and returned.
    pub fn parse(body: &str, own: &[&str]) -> Result<(ChainRequest, serde_json::Map<String, serde_json::Value>), String> {
        use serde_json::Value;
        let mut fields: serde_json::Map<String, Value> = serde_json::from_str(body).map_err(|e| format!("invalid chain: {e}"))?;
        let name = match fields.remove("name") {
            Some(Value::String(name)) => name,
            _ => return Err("invalid chain: `name` (a string) is missing".into()),
        };
        let taken = own.iter().filter_map(|key| fields.remove_entry(*key)).collect();
        let spec = serde_json::from_value(Value::Object(fields)).map_err(|e| format!("invalid chain {name}: {e}"))?;
        Ok((ChainRequest { name, spec }, taken))
    }
}

/// `POST /components`, answered once the component is compiled and stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ComponentUploaded {
    /// sha256 (hex) of the `.wasm`; manifests name the component by it.
    pub digest: String,
    /// Where the compiled form came from: `compiled`, or `cache`.
    pub source: String,
    /// Milliseconds the compile (or the cache look-up) took.
    pub ms: u64,
    /// The component's size.
    pub bytes: usize,
}

/// `POST /components?wait=false`, answered once the upload is held: its compile goes on
/// in the background (`GET /components/{digest}` follows it).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ComponentAccepted {
    /// sha256 (hex) of the `.wasm`.
    pub digest: String,
    /// The component's size.
    pub bytes: usize,
    /// Where its compile is (none once it left the list of compiles).
    pub compile: Option<crate::health::CompileState>,
}

/// `GET /components/{digest}`: a stored component, or where its compile is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ComponentStatus {
    /// sha256 (hex) of the `.wasm`.
    pub digest: String,
    /// `ready` once stored (a component stored before this start shows source
    /// `stored`), else `compiling` or `failed`.
    pub compile: crate::health::CompileState,
}

#[cfg(test)]
mod tests {
    use super::ChainRequest;

    #[test]
    fn a_chain_request_is_read_name_first_and_a_server_takes_its_own_keys() {
        let body = r#"{"name": "b", "family": "evm", "chain-id": "5", "rpc-urls": ["http://x"], "accept-verified-targets": true}"#;
        let (request, own) = ChainRequest::parse(body, &["accept-verified-targets"]).unwrap();
        assert_eq!((request.name.as_str(), request.spec.caip2().as_str()), ("b", "evm:5"));
        assert_eq!(own.get("accept-verified-targets"), Some(&serde_json::Value::Bool(true)));
        let not_taken = ChainRequest::parse(body, &[]).unwrap_err();
        assert!(not_taken.contains("invalid chain b") && not_taken.contains("accept-verified-targets"), "{not_taken}");
        assert!(ChainRequest::parse(r#"{"family": "evm"}"#, &[]).unwrap_err().contains("`name`"));
        assert!(ChainRequest::parse("[", &[]).unwrap_err().starts_with("invalid chain: "));
    }
}
