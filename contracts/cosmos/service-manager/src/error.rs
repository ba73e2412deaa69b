use cosmwasm_std::StdError;
use thiserror::Error;
use wavs_cw_common::EnvelopeError;

/// Everything the service manager refuses. Each message starts with the name of the matching
/// Solidity error (`IWavsServiceManager.sol`) so the cause reads the same on both chains.
#[derive(Error, Debug)]
pub enum ContractError {
    #[error("{0}")]
    Std(#[from] StdError),
    #[error(transparent)]
    Envelope(#[from] EnvelopeError),
    #[error("NotOwner: only the owner may change the operator set, the threshold or the service URI")]
    NotOwner,
    #[error("NotOperator: {sender} is not the account of operator {operator}; send {message} from the account of the operator's key")]
    NotOperator { operator: String, sender: String, message: &'static str },
    #[error("SigningKeyTaken: {key} is another operator's own key or was registered by another operator; register a fresh key")]
    SigningKeyTaken { key: String },
    #[error("InvalidPubkey: operator key {pubkey} is not a 33-byte compressed secp256k1 key")]
    InvalidPubkey { pubkey: String },
    #[error("ServiceURITooLong: the service URI is {length} bytes, more than the {max} the manager stores")]
    ServiceUriTooLong { length: usize, max: usize },
    #[error("PeerAddressTooLong: the peer address is {length} bytes, more than the {max} the manager stores")]
    PeerAddressTooLong { length: usize, max: usize },
    #[error("WeightOverflow: the total operator weight does not fit in a u64")]
    WeightOverflow,
    #[error("NoSignatures: no signature was given")]
    NoSignatures,
    #[error("LengthMismatch: {signers} signers but {signatures} signatures")]
    LengthMismatch { signers: usize, signatures: usize },
    #[error("SignersNotSorted: signer {index} is not strictly greater than signer {}", index - 1)]
    SignersNotSorted { index: usize },
    #[error("InvalidSignature: signature {index} is malformed or does not verify for its signer")]
    InvalidSignature { index: usize },
    #[error("UnknownSigner: {pubkey} is not an operator")]
    UnknownSigner { pubkey: String },
    #[error("InvalidHandler: {handler:?} is not an address of this chain: {reason}")]
    InvalidHandler { handler: String, reason: String },
    #[error("InsufficientQuorum: signed weight {got} is below the threshold {need}")]
    InsufficientQuorum { got: u64, need: u64 },
}
