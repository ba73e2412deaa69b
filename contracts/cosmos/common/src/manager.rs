//! Messages of `wavs-cw-service-manager`: the operator set, its threshold, and validation of
//! signed envelopes.

use cosmwasm_schema::{QueryResponses, cw_serde};
use cosmwasm_std::{HexBinary, Uint64};

use crate::{Envelope, SignatureData};

/// Event emitted when an operator's weight changes (attributes `operator`, `weight`).
pub const EVENT_OPERATOR_UPDATED: &str = "operator-updated";
/// Event emitted when an operator registers or rotates its signing key (attributes
/// `operator`, `signing_key`).
pub const EVENT_SIGNING_KEY_UPDATED: &str = "signing-key-updated";
/// Event emitted when the threshold changes (attribute `threshold`).
pub const EVENT_THRESHOLD_UPDATED: &str = "threshold-updated";
/// Event emitted when the service URI changes (attribute `uri`); on chain its type is
/// `wasm-service-uri-updated`.
pub const EVENT_SERVICE_URI_UPDATED: &str = "service-uri-updated";
/// The longest service URI the manager stores, in bytes. Every byte is kept in contract
/// storage and read by every opted-in node, so an unbounded URI would make each update and
/// read arbitrarily costly; 2 KiB holds any practical URL or content address.
pub const MAX_SERVICE_URI_BYTES: usize = 2048;

/// Event emitted when an operator publishes its node's p2p address (attributes `operator`,
/// `address`); on chain its type is `wasm-peer-address-updated`.
pub const EVENT_PEER_ADDRESS_UPDATED: &str = "peer-address-updated";
/// The longest peer address the manager stores, in bytes: every node reads every address
/// each discovery round; a multiaddr with a peer id is under 100 bytes, 256 leaves room for
/// DNS names.
pub const MAX_PEER_ADDRESS_BYTES: usize = 256;

/// An operator (33-byte compressed secp256k1 public key) and its weight.
#[cw_serde]
pub struct OperatorWeight {
    pub pubkey: HexBinary,
    pub weight: Uint64,
}

/// The sender becomes the owner, the only one allowed to change the set.
#[cw_serde]
pub struct InstantiateMsg {
    pub operators: Vec<OperatorWeight>,
    pub threshold: Uint64,
}

#[cw_serde]
pub enum ExecuteMsg {
    /// Sets an operator's weight; 0 removes it. Owner only.
    SetOperator { pubkey: HexBinary, weight: Uint64 },
    /// Sets the total weight an envelope's signers must reach. Owner only.
    SetThreshold { threshold: Uint64 },
    /// Sets the service URI, where the service's definition lives (at most
    /// `MAX_SERVICE_URI_BYTES`), and emits `service-uri-updated`. Owner only.
    SetServiceUri { uri: String },
    /// Registers (or rotates to) `signing_key`, the 33-byte key the node of `operator` signs
    /// this service's envelopes with (`wavs keys --service` lists it). Sent by `operator`'s
    /// own account (the address of its key); the earlier key stops counting at once, and a
    /// key belongs to one operator for good. An operator that registered none signs with
    /// `operator` itself.
    SetSigningKey { operator: HexBinary, signing_key: HexBinary },
    /// Publishes `address`, the p2p address (a multiaddr) where the node of `operator` is
    /// reached (`wavs p2p announce`), at most `MAX_PEER_ADDRESS_BYTES`; empty withdraws it.
    /// Sent by `operator`'s own account, as `SetSigningKey`; emits `peer-address-updated`.
    SetPeerAddress { operator: HexBinary, address: String },
}

#[cw_serde]
#[derive(QueryResponses)]
pub enum QueryMsg {
    /// The current signing key of each operator with non-zero weight (the operator's own key
    /// if it registered none) with its weight, sorted by key, the threshold and the total
    /// weight: whom signatures must come from.
    #[returns(OperatorsResponse)]
    Operators {},
    /// The operator whose current signing key `signing_key` is; null if none.
    #[returns(Option<HexBinary>)]
    LatestOperatorForSigningKey { signing_key: HexBinary },
    /// The service URI; empty until the owner sets one.
    #[returns(String)]
    ServiceUri {},
    /// The non-empty peer addresses of the operators that currently have weight, in operator
    /// key order: where nodes without an aggregator find each other.
    #[returns(Vec<String>)]
    PeerAddresses {},
    /// The 32-byte digest operators sign for `envelope` to be handled by the handler
    /// contract `handler` on this chain.
    #[returns(HexBinary)]
    EnvelopeDigest { handler: String, envelope: Envelope },
    /// Succeeds with the signed weight if `signature_data` carries enough operator weight
    /// over the digest for `handler` on this chain; fails with the reason otherwise.
    ///
    /// `handler` is the address of the handler contract asking: the reference handler always
    /// names itself (`env.contract.address`), so signatures made for any other handler fail.
    /// Queries carry no sender, so a manager cannot check who asks; the answer only says the
    /// signatures are valid for `handler`, which is worth nothing to any other contract.
    #[returns(ValidateResponse)]
    Validate {
        handler: String,
        envelope: Envelope,
        signature_data: SignatureData,
    },
}

#[cw_serde]
pub struct OperatorsResponse {
    pub operators: Vec<OperatorWeight>,
    pub threshold: Uint64,
    pub total_weight: Uint64,
}

#[cw_serde]
pub struct ValidateResponse {
    /// The summed weight of the signers.
    pub weight: Uint64,
}
