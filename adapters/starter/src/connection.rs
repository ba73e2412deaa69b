//! A connection to one chain: the adapter's `connection` resource. Each `TODO(step N)`
//! names the step of `adapters/README.md` that fills the method in.

use crate::bindings::exports::wavs::adapter::adapter::{
    AdapterError, BlockInfo, BlockStatus, BlockTag, ChainConfig, ChainEvent, EventFilter, GuestConnection, HandlerInfo,
    OperatorSet, Receipt, Scheme, Signature, SignedEnvelope, SubmissionLimits,
};
use crate::bindings::wavs::types::types::Envelope;
use k256::ecdsa::VerifyingKey;

/// The trigger kinds this adapter delivers: what `describe` lists and `check-filter` accepts.
// TODO(step 4): add "contract-event" once `events` delivers contract events.
pub const TRIGGER_KINDS: &[&str] = &["block-interval"];

/// An open connection to one configured chain.
pub struct Connection {
    config: ChainConfig,
}

impl Connection {
    /// The chain config this connection was opened with.
    pub fn config(&self) -> &ChainConfig {
        &self.config
    }
}

/// The `unsupported` error of a method whose guide step is not done yet.
fn not_yet<T>(method: &str, step: u8) -> Result<T, AdapterError> {
    Err(AdapterError::Unsupported(format!("{method}: not implemented yet — see adapters/README.md step {step}")))
}

/// Checks what can be checked without the chain: at least one RPC URL, each usable.
pub fn check_config(config: &ChainConfig) -> Result<(), AdapterError> {
    if config.rpc_urls.is_empty() {
        return Err(AdapterError::InvalidConfig(format!("chain {}: no rpc-urls configured", config.name)));
    }
    for url in &config.rpc_urls {
        wavs_adapter_kit::http::split_url(url).map_err(AdapterError::InvalidConfig)?;
    }
    Ok(())
}

/// Checks a filter a manifest names, without the chain: `unsupported` for a kind this
/// adapter does not deliver, `invalid-config` saying what to write for bad parameters.
pub fn check_filter(filter: &EventFilter) -> Result<(), AdapterError> {
    match filter {
        EventFilter::BlockInterval(f) if f.every == 0 => Err(AdapterError::InvalidConfig(
            "block-interval filter: every is 0; write every = 1 or more (1 selects every block)".into(),
        )),
        EventFilter::BlockInterval(_) => Ok(()),
        // TODO(step 4): check that the contract is an address of this chain and the event a
        // type it emits (`invalid-config` saying what to write), with the same function
        // `events` reads its filters with.
        EventFilter::ContractEvent(_) => not_yet("check-filter of contract-event", 4),
        EventFilter::Custom(f) => Err(AdapterError::Unsupported(format!(
            "trigger kind {:?} is not one this adapter delivers; it delivers {}",
            f.kind,
            TRIGGER_KINDS.join(", ")
        ))),
    }
}

/// The lowercase hex of the 33-byte compressed form of a SEC1 secp256k1 public key.
pub fn operator_id(public_key: &[u8]) -> Result<String, AdapterError> {
    let key = VerifyingKey::from_sec1_bytes(public_key)
        .map_err(|_| AdapterError::Rejected(format!("{} bytes are not a secp256k1 public key", public_key.len())))?;
    Ok(hex::encode(key.to_encoded_point(true).as_bytes()))
}

impl GuestConnection for Connection {
    fn open(config: ChainConfig) -> Result<crate::bindings::exports::wavs::adapter::adapter::Connection, AdapterError> {
        check_config(&config)?;
        // TODO(step 2): read `config.options`, check `config.chain-id`, and ask an RPC
        // endpoint which chain it serves (a mismatch is `invalid-config`).
        Ok(crate::bindings::exports::wavs::adapter::adapter::Connection::new(Connection { config }))
    }

    fn head(&self, _tag: BlockTag) -> Result<BlockInfo, AdapterError> {
        // TODO(step 3): read the head block for the tag (or `latest` without such a notion).
        not_yet("head", 3)
    }

    fn events(&self, _filters: Vec<EventFilter>, _from_height: u64, _to_height: u64) -> Result<Vec<ChainEvent>, AdapterError> {
        // TODO(step 4): block-interval needs only block hashes and
        // `wavs_adapter_kit::interval::selected_heights`; contract events need the chain.
        not_yet("events", 4)
    }

    fn check_filter(&self, filter: EventFilter) -> Result<(), AdapterError> {
        check_filter(&filter)
    }

    fn block_hash(&self, _height: u64) -> Result<BlockStatus, AdapterError> {
        // TODO(step 3): `produced` with the hash of the block at `height` (the bytes `events`
        // puts in positions), `not-yet` beyond the head, `skipped` for a final height that
        // holds no block (chains whose slots can stay empty).
        not_yet("block-hash", 3)
    }

    fn envelope_digest(&self, _handler: String, _envelope: Envelope) -> Result<Vec<u8>, AdapterError> {
        // TODO(step 5): the 32 bytes `handler` verifies, binding this chain's id, the
        // handler's address and every envelope field (a handler that is no address of this
        // chain is `invalid-config`).
        not_yet("envelope-digest", 5)
    }

    fn operator_id(&self, scheme: Scheme, public_key: Vec<u8>) -> Result<String, AdapterError> {
        // TODO(step 6): keep this, or name keys the way your chain and contracts do, for
        // each scheme `describe` lists.
        match scheme {
            Scheme::Secp256k1Ecdsa => operator_id(&public_key),
            Scheme::Ed25519 | Scheme::Bn254Bls => {
                Err(AdapterError::Unsupported("operator-id: this adapter's operators sign with secp256k1-ecdsa only".into()))
            }
        }
    }

    fn verify(&self, _digest: Vec<u8>, _signature: Signature) -> Result<String, AdapterError> {
        // TODO(step 6): check the signature with `curves` (no RPC) and answer the operator
        // id of its key; for secp256k1-ecdsa recover the key when none is given. The Cosmos
        // adapter's `verify` (adapters/cosmos/src/verify.rs) does it for ids as above.
        not_yet("verify", 6)
    }

    fn operator_set(&self, _manager: String, _height: Option<u64>) -> Result<OperatorSet, AdapterError> {
        // TODO(step 7): query the service manager's operators and threshold at the height.
        not_yet("operator-set", 7)
    }

    fn submission_limits(&self) -> SubmissionLimits {
        // TODO(step 8): what one transaction of your chain can carry, where you know it in
        // advance; a limit you learn only from the chain's refusal is `too-large` in `submit`.
        SubmissionLimits { max_envelopes: None, max_payload_bytes: None }
    }

    fn submit(&self, _handler: String, _envelopes: Vec<SignedEnvelope>) -> Result<Receipt, AdapterError> {
        // TODO(step 8): one transaction to the handler, signed through `signer`, awaited;
        // `too-large` when the chain refuses it for its size or gas.
        not_yet("submit", 8)
    }

    fn is_handled(&self, _handler: String, _event_id: Vec<u8>) -> Result<bool, AdapterError> {
        // TODO(step 9): ask the handler contract whether it accepted the event id.
        not_yet("is-handled", 9)
    }

    fn handler_info(&self, _handler: String) -> Result<HandlerInfo, AdapterError> {
        // TODO(step 9): ask the handler contract which service manager it validates with,
        // and answer the scheme that manager verifies (one `describe` lists).
        not_yet("handler-info", 9)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use k256::elliptic_curve::sec1::ToEncodedPoint;

    fn config(urls: &[&str]) -> ChainConfig {
        let rpc_urls = urls.iter().map(|u| u.to_string()).collect();
        ChainConfig { name: "local".into(), chain_id: "1".into(), rpc_urls, endpoints: vec![], options: vec![] }
    }

    #[test]
    fn open_needs_usable_rpc_urls() {
        assert!(check_config(&config(&["http://127.0.0.1:8545", "https://rpc.example/v1"])).is_ok());
        assert!(matches!(check_config(&config(&[])), Err(AdapterError::InvalidConfig(m)) if m.contains("no rpc-urls")));
        assert!(matches!(check_config(&config(&["ws://x"])), Err(AdapterError::InvalidConfig(m)) if m.contains("http://")));
    }

    #[test]
    fn operator_id_is_the_compressed_key_in_hex() {
        let public = k256::SecretKey::from_slice(&[7; 32]).unwrap().public_key();
        let compressed = operator_id(public.to_encoded_point(true).as_bytes()).unwrap();
        assert_eq!(compressed.len(), 66);
        assert!(compressed.starts_with("02") || compressed.starts_with("03"));
        assert_eq!(operator_id(public.to_encoded_point(false).as_bytes()).unwrap(), compressed);
        assert!(matches!(operator_id(&[1, 2, 3]), Err(AdapterError::Rejected(_))));
    }

    #[test]
    fn filters_of_the_kinds_described_are_checked() {
        use crate::bindings::exports::wavs::adapter::adapter::{BlockIntervalFilter, ContractEventFilter, CustomFilter};
        let interval = |every| EventFilter::BlockInterval(BlockIntervalFilter { every, start: 0 });
        assert!(check_filter(&interval(1)).is_ok());
        assert!(matches!(check_filter(&interval(0)), Err(AdapterError::InvalidConfig(m)) if m.contains("every = 1 or more")));
        let contract = EventFilter::ContractEvent(ContractEventFilter { contract: "c".into(), event: "e".into() });
        assert!(matches!(check_filter(&contract), Err(AdapterError::Unsupported(m)) if m.contains("step 4")));
        let custom = EventFilter::Custom(CustomFilter { kind: "packet".into(), params: vec![] });
        assert!(matches!(check_filter(&custom), Err(AdapterError::Unsupported(m)) if m.contains("\"packet\"") && m.contains("block-interval")));
    }

    #[test]
    fn unfinished_methods_name_their_step() {
        let err = not_yet::<()>("submit", 8).unwrap_err();
        assert!(matches!(err, AdapterError::Unsupported(m) if m == "submit: not implemented yet — see adapters/README.md step 8"));
    }
}
