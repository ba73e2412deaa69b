//! A connection to one EVM chain: the adapter's `connection` resource.

use crate::abi::{IWavsServiceHandler, IWavsServiceManager, SignatureData};
use crate::bindings::exports::wavs::adapter::adapter::{
    AdapterError, BlockInfo, BlockTag, ChainConfig, ChainEvent, EventFilter, GuestConnection, OperatorSet,
    Receipt, SignedEnvelope,
};
use crate::bindings::wavs::types::types::Envelope;
use crate::crypto::{abi_envelope, address_of, address_text, envelope_digest, parse_address, to_eth_signature};
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
}

fn option(config: &ChainConfig, key: &str, default: u64) -> Result<u64, AdapterError> {
    let pairs = config.options.iter().map(|a| (a.key.as_str(), a.value.as_str()));
    wavs_adapter_kit::options::whole(pairs, key, default).map_err(AdapterError::InvalidConfig)
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

impl Connection {
    /// Runs a read-only call against `to` at `block` ("latest" or a height).
    fn view(&self, to: Address, input: Vec<u8>, block: Value) -> Result<Vec<u8>, AdapterError> {
        let call = json!({ "to": address_text(&to), "data": format!("0x{}", hex::encode(input)) });
        let result = self.rpc.call_value("eth_call", json!([call, block]))?;
        data(&result, "eth_call").map_err(|m| AdapterError::Transient(format!("eth_call: {m}")))
    }

    /// A view call decoded with its ABI; empty return data means no contract there.
    /// Decoding validates every word (an address with dirty upper bytes, trailing bytes),
    /// so a strange contract's answer is refused rather than silently truncated.
    pub(crate) fn call<C: SolCall>(&self, to: &str, call: C, block: Value) -> Result<C::Return, AdapterError> {
        let address = parse_address(to).map_err(AdapterError::InvalidConfig)?;
        let output = self.view(address, call.abi_encode(), block)?;
        if output.is_empty() {
            return Err(AdapterError::Rejected(format!("no contract at {to} answers {}", C::SIGNATURE)));
        }
        C::abi_decode_returns_validate(&output)
            .map_err(|e| AdapterError::Rejected(format!("{to}: unexpected answer to {}: {e}", C::SIGNATURE)))
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
}

impl GuestConnection for Connection {
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
        let rpc = Rpc::new(config.rpc_urls.clone(), option(&config, "request-timeout-ms", 10_000)?);
        let reported = quantity(&rpc.call_value("eth_chainId", json!([]))?, "chainId")
            .map_err(|m| AdapterError::Transient(format!("eth_chainId: {m}")))?;
        if reported != chain_id {
            return Err(AdapterError::InvalidConfig(format!(
                "chain {} is configured with chain-id {chain_id} but its RPC reports {reported}",
                config.name
            )));
        }
        let settings = TxSettings {
            chain_id,
            gas_margin_percent: option(&config, "gas-margin-percent", 20)?,
            confirm_timeout_ms: option(&config, "confirm-timeout-ms", 30_000)?,
        };
        Ok(crate::bindings::exports::wavs::adapter::adapter::Connection::new(Connection { rpc, settings }))
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

    fn block_hash(&self, height: u64) -> Result<Option<Vec<u8>>, AdapterError> {
        block_hash(&self.rpc, height)
    }

    fn envelope_digest(&self, handler: String, envelope: Envelope) -> Result<Vec<u8>, AdapterError> {
        let handler = parse_address(&handler).map_err(|m| AdapterError::InvalidConfig(format!("handler: {m}")))?;
        let env = abi_envelope(&envelope.event_id, &envelope.ordering, &envelope.payload).map_err(AdapterError::Rejected)?;
        // The configured chain id: open() checked it against eth_chainId, and the digest
        // must not need the chain to answer.
        Ok(envelope_digest(self.settings.chain_id, handler, &env).to_vec())
    }

    fn operator_id(&self, public_key: Vec<u8>) -> Result<String, AdapterError> {
        address_of(&public_key).map(|a| address_text(&a)).map_err(AdapterError::Rejected)
    }

    fn operator_set(&self, manager: String, height: Option<u64>) -> Result<OperatorSet, AdapterError> {
        let at = match height {
            Some(h) => h,
            None => self.head(BlockTag::Latest)?.height,
        };
        let block = json!(hex_quantity(at));
        let ops = self.call(&manager, IWavsServiceManager::getOperatorsCall {}, block.clone())?;
        let threshold = self.call(&manager, IWavsServiceManager::thresholdCall {}, block)?;
        crate::operators::operator_set(&manager, &ops.operators, &ops.weights, threshold, at)
    }

    fn submit(&self, handler: String, envelopes: Vec<SignedEnvelope>) -> Result<Receipt, AdapterError> {
        let to = parse_address(&handler).map_err(AdapterError::InvalidConfig)?;
        let mut abi_envelopes = Vec::with_capacity(envelopes.len());
        let mut signature_data = Vec::with_capacity(envelopes.len());
        for signed in &envelopes {
            let e = &signed.envelope;
            abi_envelopes.push(abi_envelope(&e.event_id, &e.ordering, &e.payload).map_err(AdapterError::Rejected)?);
            let mut sigs = signed
                .signatures
                .iter()
                .map(|s| {
                    let signer = parse_address(&s.operator).map_err(AdapterError::Rejected)?;
                    let signature = to_eth_signature(&s.signature).map_err(AdapterError::Rejected)?;
                    Ok((signer, signature))
                })
                .collect::<Result<Vec<_>, AdapterError>>()?;
            // The manager wants signers strictly ascending.
            sigs.sort_by(|a, b| a.0.cmp(&b.0));
            sigs.dedup_by(|a, b| a.0 == b.0);
            signature_data.push(SignatureData {
                signers: sigs.iter().map(|(a, _)| *a).collect(),
                signatures: sigs.into_iter().map(|(_, s)| s.into()).collect(),
                referenceBlock: 0,
            });
        }
        let input = IWavsServiceHandler::handleSignedEnvelopesCall { envelopes: abi_envelopes, signatureData: signature_data }.abi_encode();
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

    fn handler_manager(&self, handler: String) -> Result<String, AdapterError> {
        // call(): no code at `handler` or a revert is `rejected`, an unreachable RPC is
        // `transient`, an answer that is not a clean address word is `rejected`.
        let manager = self.call(&handler, IWavsServiceHandler::serviceManagerCall {}, json!("latest"))?;
        if manager == Address::ZERO {
            return Err(AdapterError::Rejected(format!("handler {handler} names no service manager (the zero address)")));
        }
        Ok(address_text(&manager))
    }
}
