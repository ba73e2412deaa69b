//! A connection to one EVM chain: the adapter's `connection` resource.

use crate::abi::{IWavsBlsServiceManager, IWavsServiceHandler, IWavsServiceManager};
use crate::bindings::exports::wavs::adapter::adapter::{
    AdapterError, BlockInfo, BlockStatus, BlockTag, ChainConfig, ChainEvent, EventFilter, GuestConnection, HandlerInfo,
    OperatorSet, Receipt, Scheme, Signature, SignedEnvelope, SubmissionLimits,
};
use crate::bindings::wavs::adapter::curves;
use crate::bindings::wavs::types::types::{Attribute, Envelope};
use crate::crypto::{abi_envelope, address_text, envelope_digest, parse_address};
use crate::scheme::name;
use crate::json::{data, field, hex_quantity, quantity};
use crate::rpc::Rpc;
use crate::tx::{self, TxSettings};
use alloy_primitives::{Address, FixedBytes, TxKind};
use alloy_sol_types::SolCall;
use serde_json::{Value, json};

/// An open connection.
pub struct Connection {
    pub(crate) rpc: Rpc,
    pub(crate) settings: TxSettings,
    limits: SubmissionLimits,
    /// Most calldata bytes one transaction may carry (`max-tx-bytes`).
    max_tx_bytes: u64,
}

/// geth's transaction pool refuses transactions over 128 KiB ("oversized data"), and so
/// do most clients derived from it: a bigger one could never reach a block.
const DEFAULT_MAX_TX_BYTES: u64 = 128 * 1024;

fn pairs(options: &[Attribute]) -> impl Iterator<Item = (&str, &str)> {
    options.iter().map(|a| (a.key.as_str(), a.value.as_str()))
}

/// A whole-number option, `default` when absent.
fn option(options: &[Attribute], key: &str, default: u64) -> Result<u64, AdapterError> {
    wavs_adapter_kit::options::whole(pairs(options), key, default).map_err(AdapterError::InvalidConfig)
}

/// A whole-number option of at least 1, none when absent.
fn limit(options: &[Attribute], key: &str) -> Result<Option<u64>, AdapterError> {
    match wavs_adapter_kit::options::text(pairs(options), key) {
        None => Ok(None),
        Some(_) => match option(options, key, 0)? {
            0 => Err(AdapterError::InvalidConfig(format!("option {key}: 0 would let no submission through; write 1 or more, or leave it out"))),
            n => Ok(Some(n)),
        },
    }
}

/// The submission limits the options `max-envelopes` and `max-payload-bytes` set.
fn submission_limits(options: &[Attribute]) -> Result<SubmissionLimits, AdapterError> {
    let max_envelopes = match limit(options, "max-envelopes")? {
        Some(n) => Some(u32::try_from(n).map_err(|_| AdapterError::InvalidConfig(format!("option max-envelopes: {n} is more than {}", u32::MAX)))?),
        None => None,
    };
    Ok(SubmissionLimits { max_envelopes, max_payload_bytes: limit(options, "max-payload-bytes")? })
}

/// Why `envelopes` are over `limits`, if they are.
fn over_limits(limits: &SubmissionLimits, envelopes: &[SignedEnvelope]) -> Option<String> {
    let count = envelopes.len();
    let bytes: u64 = envelopes.iter().map(|e| e.envelope.payload.len() as u64).sum();
    match (limits.max_envelopes, limits.max_payload_bytes) {
        (Some(most), _) if count > most as usize => Some(format!("{count} envelopes, more than max-envelopes {most}")),
        (_, Some(most)) if bytes > most => Some(format!("{bytes} payload bytes, more than max-payload-bytes {most}")),
        _ => None,
    }
}

/// The hash of the block at `height`, if the chain has it.
pub fn block_hash(rpc: &Rpc, height: u64) -> Result<Option<Vec<u8>>, AdapterError> {
    let block = rpc.call_value("eth_getBlockByNumber", json!([hex_quantity(height), false]))?;
    if block.is_null() {
        return Ok(None);
    }
    let hash = field(&block, "hash").and_then(|h| data(h, "hash"));
    hash.map(Some).map_err(|m| AdapterError::Transient(format!("eth_getBlockByNumber: {m}")))
}

/// Decodes `to`'s answer to a view call `C`. Decoding validates every word (an address
/// with dirty upper bytes, trailing bytes), so a strange contract's answer is refused
/// rather than silently truncated.
fn decode<C: SolCall>(to: &str, output: &[u8]) -> Result<C::Return, AdapterError> {
    C::abi_decode_returns_validate(output).map_err(|e| AdapterError::Rejected(format!("{to}: unexpected answer to {}: {e}", C::SIGNATURE)))
}

impl Connection {
    /// Runs a read-only call against `to` at `block` ("latest" or a height).
    /// `to` must be an address (`invalid-config` otherwise).
    fn view(&self, to: &str, input: Vec<u8>, block: Value) -> Result<Vec<u8>, AdapterError> {
        let to = parse_address(to).map_err(AdapterError::InvalidConfig)?;
        let call = json!({ "to": address_text(&to), "data": format!("0x{}", hex::encode(input)) });
        let result = self.rpc.call_value("eth_call", json!([call, block]))?;
        data(&result, "eth_call").map_err(|m| AdapterError::Transient(format!("eth_call: {m}")))
    }

    /// A view call decoded with its ABI; empty return data means no contract there.
    pub(crate) fn call<C: SolCall>(&self, to: &str, call: C, block: Value) -> Result<C::Return, AdapterError> {
        let output = self.view(to, call.abi_encode(), block)?;
        if output.is_empty() {
            return Err(AdapterError::Rejected(format!("no contract at {to} answers {}", C::SIGNATURE)));
        }
        decode::<C>(to, &output)
    }

    /// A view call a contract may predate: `None` if it reverts (a contract without the
    /// function) or answers nothing (no contract); an unreachable RPC stays `transient`.
    fn call_if_offered<C: SolCall>(&self, to: &str, call: C, block: Value) -> Result<Option<C::Return>, AdapterError> {
        match self.view(to, call.abi_encode(), block) {
            Ok(output) if output.is_empty() => Ok(None),
            Ok(output) => decode::<C>(to, &output).map(Some),
            Err(AdapterError::Rejected(_)) => Ok(None),
            Err(e) => Err(e),
        }
    }

    fn block_info(&self, tag: &str) -> Result<Option<BlockInfo>, AdapterError> {
        let block = self.rpc.call_value("eth_getBlockByNumber", json!([tag, false]))?;
        if block.is_null() {
            return Ok(None);
        }
        let parse = || -> Result<BlockInfo, String> {
            Ok(BlockInfo {
                height: quantity(field(&block, "number")?, "number")?,
                hash: data(field(&block, "hash")?, "hash")?,
                time_unix_ms: quantity(field(&block, "timestamp")?, "timestamp")? * 1000,
            })
        };
        parse().map(Some).map_err(|m| AdapterError::Transient(format!("eth_getBlockByNumber: {m}")))
    }

    /// The timestamp of the block at `height`, in ms (`blocks.block-time`); a height not
    /// produced yet is transient.
    pub(crate) fn block_time(&self, height: u64) -> Result<u64, AdapterError> {
        let block = self.block_info(&hex_quantity(height))?;
        block.map(|b| b.time_unix_ms).ok_or_else(|| AdapterError::Transient(format!("no block {height} yet")))
    }

    /// The scheme the service manager at `manager` names (see `scheme::of_manager`).
    pub(crate) fn manager_scheme(&self, manager: &str) -> Result<Scheme, AdapterError> {
        let named = self.call_if_offered(manager, IWavsServiceManager::signatureSchemeCall {}, json!("latest"))?;
        crate::scheme::of_manager(manager, named.as_deref())
    }
}

/// The one scheme all of a batch's signatures are in (secp256k1-ecdsa for a batch without
/// any); a batch mixing schemes is `rejected`, since a handler checks one.
fn batch_scheme(envelopes: &[SignedEnvelope]) -> Result<Scheme, AdapterError> {
    let mut schemes = envelopes.iter().flat_map(|e| e.signatures.iter().map(|s| s.signature.scheme));
    let first = schemes.next().unwrap_or(Scheme::Secp256k1Ecdsa);
    match schemes.find(|s| *s != first) {
        Some(other) => Err(AdapterError::Rejected(format!("the batch mixes {} and {} signatures; a handler checks one scheme", name(first), name(other)))),
        None => Ok(first),
    }
}

impl GuestConnection for Connection {
    /// Checks `config` and that its RPC serves `chain-id`. The options (all optional,
    /// whole numbers; anything else is `invalid-config`):
    ///
    /// | option | default | what |
    /// |---|---|---|
    /// | `request-timeout-ms` | 10 000 | bound on each JSON-RPC request |
    /// | `gas-margin-percent` | 20 | percent added to the node's gas estimate |
    /// | `confirm-timeout-ms` | 30 000 | how long `submit` waits for inclusion |
    /// | `max-envelopes` | none | most envelopes in one submission (at least 1, at most 2^32 - 1) |
    /// | `max-payload-bytes` | none | most payload bytes, summed over a submission's envelopes (at least 1) |
    /// | `max-tx-bytes` | 131 072 | most calldata bytes in one transaction (geth's pool limit; raise it for a chain that takes more) |
    ///
    /// `endpoints` are accepted and not read: the EVM adapter needs no role besides its
    /// `rpc-urls`.
    fn open(config: ChainConfig) -> Result<crate::bindings::exports::wavs::adapter::adapter::Connection, AdapterError> {
        let chain_id: u64 = config
            .chain_id
            .parse()
            .map_err(|_| AdapterError::InvalidConfig(format!("chain-id {:?} must be a decimal number", config.chain_id)))?;
        if config.rpc_urls.is_empty() {
            return Err(AdapterError::InvalidConfig("no rpc-urls configured".into()));
        }
        for url in &config.rpc_urls {
            wavs_adapter_kit::http::split_url(url).map_err(AdapterError::InvalidConfig)?;
        }
        let settings = TxSettings {
            chain_id,
            gas_margin_percent: option(&config.options, "gas-margin-percent", 20)?,
            confirm_timeout_ms: option(&config.options, "confirm-timeout-ms", 30_000)?,
        };
        let limits = submission_limits(&config.options)?;
        let max_tx_bytes = option(&config.options, "max-tx-bytes", DEFAULT_MAX_TX_BYTES)?;
        let rpc = Rpc::new(config.rpc_urls.clone(), option(&config.options, "request-timeout-ms", 10_000)?);
        let reported = quantity(&rpc.call_value("eth_chainId", json!([]))?, "chainId")
            .map_err(|m| AdapterError::Transient(format!("eth_chainId: {m}")))?;
        if reported != chain_id {
            return Err(AdapterError::InvalidConfig(format!(
                "chain {} is configured with chain-id {chain_id} but its RPC reports {reported}",
                config.name
            )));
        }
        Ok(crate::bindings::exports::wavs::adapter::adapter::Connection::new(Connection { rpc, settings, limits, max_tx_bytes }))
    }

    fn head(&self, tag: BlockTag) -> Result<BlockInfo, AdapterError> {
        let name = match tag {
            BlockTag::Latest => "latest",
            BlockTag::Safe => "safe",
            BlockTag::Finalized => "finalized",
        };
        let found = match self.block_info(name) {
            Err(AdapterError::Rejected(_)) if name != "latest" => None, // the node lacks the tag
            other => other?,
        };
        match found {
            Some(info) => Ok(info),
            None => self.block_info("latest")?.ok_or_else(|| AdapterError::Transient("no latest block".into())),
        }
    }

    fn events(&self, filters: Vec<EventFilter>, from_height: u64, to_height: u64) -> Result<Vec<ChainEvent>, AdapterError> {
        crate::events::events(&self.rpc, &filters, from_height, to_height)
    }

    fn check_filter(&self, filter: EventFilter) -> Result<(), AdapterError> {
        crate::events::parse_filter(&filter).map(|_| ())
    }

    /// EVM chains never skip a height: a block, or not yet.
    fn block_hash(&self, height: u64) -> Result<BlockStatus, AdapterError> {
        Ok(block_hash(&self.rpc, height)?.map_or(BlockStatus::NotYet, BlockStatus::Produced))
    }

    fn envelope_digest(&self, handler: String, envelope: Envelope) -> Result<Vec<u8>, AdapterError> {
        let handler = parse_address(&handler).map_err(|m| AdapterError::InvalidConfig(format!("handler: {m}")))?;
        let env = abi_envelope(&envelope.event_id, &envelope.ordering, &envelope.payload).map_err(AdapterError::Rejected)?;
        // The configured chain id: open() checked it against eth_chainId, and the digest
        // must not need the chain to answer.
        Ok(envelope_digest(self.settings.chain_id, handler, &env).to_vec())
    }

    fn operator_id(&self, scheme: Scheme, public_key: Vec<u8>) -> Result<String, AdapterError> {
        crate::scheme::operator_id(scheme, &public_key)
    }

    fn verify(&self, digest: Vec<u8>, signature: Signature) -> Result<String, AdapterError> {
        crate::scheme::verify(&digest, &signature, curves::secp256k1_recover, curves::verify)
    }

    fn operator_set(&self, manager: String, height: Option<u64>) -> Result<OperatorSet, AdapterError> {
        let at = match height {
            Some(h) => h,
            None => self.head(BlockTag::Latest)?.height,
        };
        let block = json!(hex_quantity(at));
        // The manager's scheme as it is now: a manager does not change scheme.
        let (ids, weights, threshold) = if self.manager_scheme(&manager)? == Scheme::Bn254Bls {
            let ops = self.call(&manager, IWavsBlsServiceManager::getOperatorsCall {}, block.clone())?;
            let threshold = self.call(&manager, IWavsBlsServiceManager::thresholdCall {}, block)?;
            (ops.operatorIds.iter().map(crate::bls::id_text).collect::<Vec<_>>(), ops.weights, threshold)
        } else {
            let ops = self.call(&manager, IWavsServiceManager::getOperatorsCall {}, block.clone())?;
            let threshold = self.call(&manager, IWavsServiceManager::thresholdCall {}, block)?;
            (ops.operators.iter().map(address_text).collect(), ops.weights, threshold)
        };
        crate::operators::operator_set(&manager, &ids, &weights, threshold, at)
    }

    fn submission_limits(&self) -> SubmissionLimits {
        self.limits
    }

    /// One `handleSignedEnvelopes` transaction, packed for the scheme the signatures are
    /// in: per envelope for ECDSA (`submit_ecdsa.rs`), one signer set per batch for BLS
    /// (`submit_bls.rs`).
    fn submit(&self, handler: String, envelopes: Vec<SignedEnvelope>) -> Result<Receipt, AdapterError> {
        let to = parse_address(&handler).map_err(AdapterError::InvalidConfig)?;
        if let Some(over) = over_limits(&self.limits, &envelopes) {
            return Err(AdapterError::TooLarge(over));
        }
        let input = match batch_scheme(&envelopes)? {
            Scheme::Bn254Bls => crate::submit_bls::calldata(self, &handler, &envelopes)?,
            _ => crate::submit_ecdsa::calldata(&envelopes)?,
        };
        if input.len() as u64 > self.max_tx_bytes {
            return Err(AdapterError::TooLarge(format!(
                "{} envelopes make {} bytes of calldata, more than max-tx-bytes {}",
                envelopes.len(),
                input.len(),
                self.max_tx_bytes
            )));
        }
        let mined = tx::send(&self.rpc, &self.settings, TxKind::Call(to), input)?;
        Ok(Receipt { tx_hash: mined.tx_hash, height: mined.height, gas_used: mined.gas_used })
    }

    fn is_handled(&self, handler: String, event_id: Vec<u8>) -> Result<bool, AdapterError> {
        if event_id.len() != 20 {
            return Err(AdapterError::Rejected(format!("event-id must be 20 bytes, got {}", event_id.len())));
        }
        let call = IWavsServiceHandler::isHandledCall { eventId: FixedBytes::<20>::from_slice(&event_id) };
        self.call(&handler, call, json!("latest"))
    }

    /// The manager the handler names, and the scheme that manager's `signatureScheme()`
    /// answers (secp256k1-ecdsa for a manager from before the function).
    fn handler_info(&self, handler: String) -> Result<HandlerInfo, AdapterError> {
        // call(): no code at `handler` or a revert is `rejected`, an unreachable RPC is
        // `transient`, an answer that is not a clean address word is `rejected`.
        let manager = self.call(&handler, IWavsServiceHandler::serviceManagerCall {}, json!("latest"))?;
        if manager == Address::ZERO {
            return Err(AdapterError::Rejected(format!("handler {handler} names no service manager (the zero address)")));
        }
        let manager = address_text(&manager);
        let scheme = self.manager_scheme(&manager)?;
        Ok(HandlerInfo { manager, scheme })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::invalid_config;

    fn limits(options: &[(&str, &str)]) -> Result<SubmissionLimits, AdapterError> {
        let options: Vec<Attribute> = options.iter().map(|(k, v)| Attribute { key: k.to_string(), value: v.to_string() }).collect();
        submission_limits(&options)
    }

    fn invalid(options: &[(&str, &str)]) -> String {
        invalid_config(limits(options))
    }

    #[test]
    fn submission_limits_come_from_options_or_are_none() {
        let none = limits(&[]).unwrap();
        assert_eq!((none.max_envelopes, none.max_payload_bytes), (None, None));
        let set = limits(&[("max-envelopes", "50"), ("max-payload-bytes", "100000")]).unwrap();
        assert_eq!((set.max_envelopes, set.max_payload_bytes), (Some(50), Some(100_000)));
        assert!(invalid(&[("max-envelopes", "many")]).contains("max-envelopes"));
        assert!(invalid(&[("max-payload-bytes", "-1")]).contains("max-payload-bytes"));
        assert!(invalid(&[("max-envelopes", "0")]).contains("1 or more"));
        assert!(invalid(&[("max-envelopes", "4294967296")]).contains("max-envelopes"));
    }

    #[test]
    fn a_batch_over_the_limits_says_which() {
        let signed = |payload: usize| SignedEnvelope {
            envelope: Envelope { event_id: vec![0; 20], ordering: vec![0; 12], payload: vec![0; payload] },
            signatures: vec![],
        };
        let limits = SubmissionLimits { max_envelopes: Some(2), max_payload_bytes: Some(10) };
        assert_eq!(over_limits(&limits, &[signed(5), signed(5)]), None);
        assert!(over_limits(&limits, &[signed(1), signed(1), signed(1)]).unwrap().contains("max-envelopes 2"));
        assert!(over_limits(&limits, &[signed(6), signed(5)]).unwrap().contains("max-payload-bytes 10"));
    }
}
