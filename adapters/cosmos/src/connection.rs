//! A connection to one Cosmos chain: the adapter's `connection` resource.

use crate::bindings::exports::wavs::adapter::adapter::{
    AdapterError, BlockInfo, BlockStatus, BlockTag, ChainConfig, ChainEvent, EventFilter, GuestConnection, HandlerInfo,
    OperatorSet, Receipt, Scheme, Signature, SignedEnvelope, SubmissionLimits,
};
use crate::bindings::wavs::types::types::Envelope;
use crate::comet::{Comet, hex_field, malformed, number, unix_ms};
use crate::config::Settings;
use crate::digest;
use crate::msgs::{self, HandlerConfig, OperatorsResponse};
use crate::query;
use crate::tx::{self, Included};
use crate::verify::{self, SCHEME, require_scheme};
use cosmrs::cosmwasm::MsgExecuteContract;
use cosmrs::tx::Msg;
use cosmrs::{AccountId, Any};
use serde_json::{Value, json};
use std::cell::Cell;

/// An open connection.
pub struct Connection {
    pub(crate) comet: Comet,
    pub(crate) settings: Settings,
    /// Code ids of the reference contracts once the testing interface stored them.
    codes: Cell<Option<[u64; 3]>>,
}

impl Connection {
    /// The reference contracts' code ids, stored by `store` on first use.
    pub(crate) fn code_ids(&self, store: impl FnOnce() -> Result<[u64; 3], AdapterError>) -> Result<[u64; 3], AdapterError> {
        if let Some(ids) = self.codes.get() {
            return Ok(ids);
        }
        let ids = store()?;
        self.codes.set(Some(ids));
        Ok(ids)
    }

    /// A contract address, checked for this chain's prefix (see `Settings::contract`).
    pub(crate) fn contract(&self, address: &str) -> Result<AccountId, AdapterError> {
        self.settings.contract(address).map_err(AdapterError::InvalidConfig)
    }

    /// Executes `msg` on `contract` from the host signer's account.
    pub(crate) fn execute(&self, contract: &str, msg: &Value) -> Result<Included, AdapterError> {
        let contract = self.contract(contract)?;
        let (_, sender) = tx::signer_account(&self.settings.prefix)?;
        let execute = MsgExecuteContract { sender, contract, msg: msg.to_string().into_bytes(), funds: vec![] };
        tx::send(&self.comet, &self.settings, vec![to_any(execute)?])
    }
}

/// Wraps a message for a tx body.
pub(crate) fn to_any(msg: impl Msg) -> Result<Any, AdapterError> {
    msg.to_any().map_err(|e| AdapterError::Rejected(format!("cannot encode message: {e}")))
}

impl Connection {
    /// The header time of the block at `height` (`blocks.block-time`); a height not
    /// reached yet is transient.
    pub(crate) fn block_time(&self, height: u64) -> Result<u64, AdapterError> {
        let block = self.comet.block(Some(height))?.ok_or_else(|| AdapterError::Transient(format!("no block {height} yet")))?;
        Ok(block_info(&block)?.time_unix_ms)
    }
}

fn block_info(block: &Value) -> Result<BlockInfo, AdapterError> {
    let header = &block["block"]["header"];
    Ok(BlockInfo {
        height: number(&header["height"], "block", "height")?,
        hash: hex_field(&block["block_id"]["hash"], "block", "block_id.hash")?,
        time_unix_ms: header["time"].as_str().and_then(unix_ms).ok_or_else(|| malformed("block", "header.time"))?,
    })
}

impl GuestConnection for Connection {
    fn open(config: ChainConfig) -> Result<crate::bindings::exports::wavs::adapter::adapter::Connection, AdapterError> {
        let settings = Settings::from_config(&config)?;
        if config.rpc_urls.is_empty() {
            return Err(AdapterError::InvalidConfig("no rpc-urls configured".into()));
        }
        for url in &config.rpc_urls {
            wavs_adapter_kit::http::split_url(url).map_err(AdapterError::InvalidConfig)?;
        }
        let comet = Comet::new(config.rpc_urls.clone(), settings.request_timeout_ms);
        let status = comet.status()?;
        let reported = status["node_info"]["network"].as_str().ok_or_else(|| malformed("status", "node_info.network"))?;
        if reported != settings.chain_id {
            return Err(AdapterError::InvalidConfig(format!(
                "chain {} is configured with chain-id {} but its RPC reports {reported}",
                config.name, settings.chain_id
            )));
        }
        Ok(crate::bindings::exports::wavs::adapter::adapter::Connection::new(Connection { comet, settings, codes: Cell::new(None) }))
    }

    fn head(&self, _tag: BlockTag) -> Result<BlockInfo, AdapterError> {
        // CometBFT has instant finality: latest, safe and finalized are one block.
        let block = self.comet.block(None)?.ok_or_else(|| AdapterError::Transient("no latest block".into()))?;
        block_info(&block)
    }

    fn events(&self, filters: Vec<EventFilter>, from_height: u64, to_height: u64) -> Result<Vec<ChainEvent>, AdapterError> {
        crate::events::events(&self.comet, &self.settings, &filters, from_height, to_height)
    }

    fn check_filter(&self, filter: EventFilter) -> Result<(), AdapterError> {
        crate::events::parse_filter(&filter, &self.settings).map(drop)
    }

    fn block_hash(&self, height: u64) -> Result<BlockStatus, AdapterError> {
        // CometBFT makes a block at every height: a height it lacks is one not reached yet.
        match self.comet.block(Some(height))? {
            Some(block) => Ok(BlockStatus::Produced(block_info(&block)?.hash)),
            None => Ok(BlockStatus::NotYet),
        }
    }

    fn envelope_digest(&self, handler: String, envelope: Envelope) -> Result<Vec<u8>, AdapterError> {
        // The contract hashes its own address as the chain spells it: canonical lowercase.
        let handler = self.contract(&handler)?.to_string();
        digest::envelope_digest(&self.settings.chain_id, &handler, &envelope.event_id, &envelope.ordering, &envelope.payload)
            .map(|d| d.to_vec())
            .map_err(AdapterError::Rejected)
    }

    fn operator_id(&self, scheme: Scheme, public_key: Vec<u8>) -> Result<String, AdapterError> {
        require_scheme(scheme, "operator-id")?;
        digest::operator_id(&public_key).map_err(AdapterError::Rejected)
    }

    fn verify(&self, digest: Vec<u8>, signature: Signature) -> Result<String, AdapterError> {
        verify::verify(&verify::Host, &digest, &signature)
    }

    fn operator_set(&self, manager: String, height: Option<u64>) -> Result<OperatorSet, AdapterError> {
        self.contract(&manager)?;
        let at = match height {
            Some(h) => h,
            None => self.head(BlockTag::Latest)?.height,
        };
        let answer: OperatorsResponse = query::smart(&self.comet, &manager, &json!({ "operators": {} }), Some(at))?;
        answer.into_set(at).map_err(|e| AdapterError::Rejected(format!("operator set of {manager} at height {at}: {e}")))
    }

    fn submission_limits(&self) -> SubmissionLimits {
        SubmissionLimits { max_envelopes: self.settings.max_envelopes, max_payload_bytes: self.settings.max_payload_bytes }
    }

    fn submit(&self, handler: String, envelopes: Vec<SignedEnvelope>) -> Result<Receipt, AdapterError> {
        let msg = msgs::handle_batch(&envelopes).map_err(AdapterError::Rejected)?;
        let included = self.execute(&handler, &msg)?;
        Ok(Receipt { tx_hash: included.hash, height: included.height, gas_used: included.gas_used })
    }

    fn is_handled(&self, handler: String, event_id: Vec<u8>) -> Result<bool, AdapterError> {
        if event_id.len() != 20 {
            return Err(AdapterError::Rejected(format!("event-id must be 20 bytes, got {}", event_id.len())));
        }
        self.contract(&handler)?;
        query::smart(&self.comet, &handler, &json!({ "is_handled": { "event_id": hex::encode(event_id) } }), None)
    }

    fn handler_info(&self, handler: String) -> Result<HandlerInfo, AdapterError> {
        self.contract(&handler)?;
        // A contract that is no handler (or no contract there) fails the query or answers
        // another shape: both `rejected` from `query::smart`. RPC failures stay transient.
        let config: HandlerConfig = query::smart(&self.comet, &handler, &json!({ "config": {} }), None)?;
        let manager = self.contract(&config.service_manager).map_err(|_| {
            AdapterError::Rejected(format!(
                "{handler} names {:?} as its service manager, which is not a {} address: it is no WAVS handler",
                config.service_manager, self.settings.prefix
            ))
        })?;
        Ok(HandlerInfo { manager: manager.to_string(), scheme: SCHEME })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn connection() -> Connection {
        // No RPC URL: envelope-digest, operator-id and check-filter must not need the chain.
        Connection { comet: Comet::new(vec![], 1_000), settings: Settings::for_tests(), codes: Cell::new(None) }
    }

    fn envelope() -> Envelope {
        Envelope { event_id: vec![1; 20], ordering: vec![2; 12], payload: b"hi".to_vec() }
    }

    #[test]
    fn envelope_digest_binds_the_handler_in_canonical_form() {
        let conn = connection();
        let handler = AccountId::new("wasm", &[7; 32]).unwrap().to_string();
        let other = AccountId::new("wasm", &[8; 32]).unwrap().to_string();
        let digest = conn.envelope_digest(handler.clone(), envelope()).unwrap();
        let expected = digest::envelope_digest("wavs-local-1", &handler, &[1; 20], &[2; 12], b"hi").unwrap();
        assert_eq!(digest, expected.to_vec());
        assert_ne!(digest, conn.envelope_digest(other, envelope()).unwrap());
        // Bech32 allows upper case; the contract sees its address in lower case.
        assert_eq!(conn.envelope_digest(handler.to_uppercase(), envelope()).unwrap(), digest);
    }

    #[test]
    fn envelope_digest_refuses_what_is_no_handler_address_here() {
        let conn = connection();
        let foreign = AccountId::new("cosmos", &[7; 32]).unwrap().to_string();
        for handler in [foreign.as_str(), "not-bech32", "", "0x5FbDB2315678afecb367f032d93F642f64180aa3"] {
            let err = conn.envelope_digest(handler.to_string(), envelope()).unwrap_err();
            assert!(matches!(err, AdapterError::InvalidConfig(_)), "{handler:?}: {err:?}");
        }
        let handler = AccountId::new("wasm", &[7; 32]).unwrap().to_string();
        let mut short = envelope();
        short.event_id.pop();
        assert!(matches!(conn.envelope_digest(handler, short), Err(AdapterError::Rejected(m)) if m.contains("20-byte")));
    }

    #[test]
    fn operator_ids_are_for_secp256k1_keys_only() {
        let conn = connection();
        let err = conn.operator_id(Scheme::Ed25519, vec![7; 32]).unwrap_err();
        assert!(matches!(err, AdapterError::Unsupported(m) if m.contains("operator-id") && m.contains("not ed25519")));
        assert!(matches!(conn.operator_id(Scheme::Bn254Bls, vec![0; 192]), Err(AdapterError::Unsupported(_))));
        assert!(matches!(conn.operator_id(SCHEME, vec![1, 2, 3]), Err(AdapterError::Rejected(_))));
    }

    #[test]
    fn submission_limits_are_the_options() {
        let limits = |conn: &Connection| {
            let SubmissionLimits { max_envelopes, max_payload_bytes } = conn.submission_limits();
            (max_envelopes, max_payload_bytes)
        };
        let mut conn = connection();
        assert_eq!(limits(&conn), (None, None));
        conn.settings.max_envelopes = Some(20);
        conn.settings.max_payload_bytes = Some(100_000);
        assert_eq!(limits(&conn), (Some(20), Some(100_000)));
    }
}
