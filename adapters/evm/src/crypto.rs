//! What operators sign on EVM chains, and how keys and signatures are written there.
//!
//! Operators sign EIP-712 typed data bound to its destination: the domain is
//! `{name: "WAVS", version: "2", chainId, verifyingContract: handler}` and the struct is
//! `Envelope(bytes20 eventId,bytes12 ordering,bytes payload)`. The handler contract
//! (`contracts/evm/src/WavsEip712.sol`) recomputes the same digest from its own address
//! and `block.chainid` and has its service manager recover the signers from it, so a
//! signature made for one handler or chain recovers to a stranger everywhere else.

use crate::abi::Envelope;
use crate::bindings::exports::wavs::adapter::adapter::{AdapterError, SignedEnvelope};
use alloy_primitives::{Address, FixedBytes};
use alloy_sol_types::{Eip712Domain, SolStruct, eip712_domain};

/// EIP-712 domain name the reference handler declares.
pub const DOMAIN_NAME: &str = "WAVS";
/// EIP-712 domain version the reference handler declares ("1" was the EIP-191 digest
/// that named no destination).
pub const DOMAIN_VERSION: &str = "2";

/// The envelope in ABI form; checks the fixed field lengths.
pub fn abi_envelope(event_id: &[u8], ordering: &[u8], payload: &[u8]) -> Result<Envelope, String> {
    if event_id.len() != 20 {
        return Err(format!("event-id must be 20 bytes, got {}", event_id.len()));
    }
    if ordering.len() != 12 {
        return Err(format!("ordering must be 12 bytes, got {}", ordering.len()));
    }
    Ok(Envelope {
        eventId: FixedBytes::<20>::from_slice(event_id),
        ordering: FixedBytes::<12>::from_slice(ordering),
        payload: payload.to_vec().into(),
    })
}

/// A batch's envelopes in ABI form; a field of the wrong length is `rejected`.
pub fn abi_envelopes(envelopes: &[SignedEnvelope]) -> Result<Vec<Envelope>, AdapterError> {
    let abi = |e: &SignedEnvelope| abi_envelope(&e.envelope.event_id, &e.envelope.ordering, &e.envelope.payload);
    envelopes.iter().map(abi).collect::<Result<_, _>>().map_err(AdapterError::Rejected)
}

/// The EIP-712 domain of the handler at `handler` on the chain with id `chain_id`.
pub fn handler_domain(chain_id: u64, handler: Address) -> Eip712Domain {
    eip712_domain! {
        name: DOMAIN_NAME,
        version: DOMAIN_VERSION,
        chain_id: chain_id,
        verifying_contract: handler,
    }
}

/// The EIP-712 signing hash of `envelope` for the handler at `handler` on chain
/// `chain_id`: exactly what that handler's `envelopeDigest` returns and what its service
/// manager recovers signers from.
pub fn envelope_digest(chain_id: u64, handler: Address, envelope: &Envelope) -> [u8; 32] {
    envelope.eip712_signing_hash(&handler_domain(chain_id, handler)).0
}

/// The EVM address of a SEC1 secp256k1 public key.
pub fn address_of(public_key: &[u8]) -> Result<Address, String> {
    let key = k256::ecdsa::VerifyingKey::from_sec1_bytes(public_key)
        .map_err(|_| format!("not a secp256k1 public key ({} bytes)", public_key.len()))?;
    Ok(Address::from_public_key(&key))
}

/// Lowercase 0x-hex, the form this adapter uses for addresses in text.
pub fn address_text(address: &Address) -> String {
    format!("0x{}", hex::encode(address.as_slice()))
}

/// Parses a 0x-hex address.
pub fn parse_address(text: &str) -> Result<Address, String> {
    text.trim().parse::<Address>().map_err(|_| format!("{text:?} is not an EVM address (0x + 40 hex digits)"))
}

/// `r || s || recovery-id` (host signer) to `r || s || v` with v = 27 + recovery-id.
pub fn to_eth_signature(signature: &[u8]) -> Result<Vec<u8>, String> {
    if signature.len() != 65 || signature[64] > 1 {
        return Err(format!("expected r || s || recovery-id (65 bytes, id 0 or 1), got {} bytes", signature.len()));
    }
    let mut out = signature.to_vec();
    out[64] += 27;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloy_primitives::keccak256;

    const HANDLER: &str = "0x5fbdb2315678afecb367f032d93f642f64180aa3";

    fn word(v: u64) -> [u8; 32] {
        let mut w = [0u8; 32];
        w[24..].copy_from_slice(&v.to_be_bytes());
        w
    }

    #[test]
    fn digest_is_the_eip712_hash_computed_by_hand() {
        let env = abi_envelope(&[1u8; 20], &[0u8; 12], &[0xab, 0xcd]).unwrap();
        let handler = parse_address(HANDLER).unwrap();
        // hashStruct(EIP712Domain): typehash, keccak(name), keccak(version), chain id,
        // the handler left-padded to a word.
        let mut domain = keccak256("EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)").to_vec();
        domain.extend(keccak256("WAVS"));
        domain.extend(keccak256("2"));
        domain.extend(word(31337));
        domain.extend([0u8; 12]);
        domain.extend(handler.as_slice());
        // hashStruct(Envelope): typehash, the fixed-size fields left-aligned in a word,
        // and keccak of the payload (EIP-712 hashes dynamic `bytes`).
        let mut strukt = keccak256("Envelope(bytes20 eventId,bytes12 ordering,bytes payload)").to_vec();
        let mut id = [0u8; 32];
        id[..20].copy_from_slice(&[1u8; 20]);
        strukt.extend(id);
        strukt.extend([0u8; 32]);
        strukt.extend(keccak256([0xab, 0xcd]));
        let mut message = vec![0x19, 0x01];
        message.extend(keccak256(&domain));
        message.extend(keccak256(&strukt));
        assert_eq!(envelope_digest(31337, handler, &env), keccak256(&message).0);
    }

    const ETHERS_DIGEST: &str = "33c59f9d94a8ee69333e775a5d9992aecf1a79562597235893852796c95da32d";

    #[test]
    fn digest_matches_ethers_typed_data_encoder() {
        // ethers 6 TypedDataEncoder.hash({name: "WAVS", version: "2", chainId: 31337,
        // verifyingContract: HANDLER}, {Envelope: [...]}, {eventId: 0x0101..01,
        // ordering: 0x00..00, payload: 0xabcd}): an implementation independent of alloy.
        let env = abi_envelope(&[1u8; 20], &[0u8; 12], &[0xab, 0xcd]).unwrap();
        let digest = envelope_digest(31337, parse_address(HANDLER).unwrap(), &env);
        assert_eq!(hex::encode(digest), ETHERS_DIGEST);
    }

    #[test]
    fn digest_names_its_handler_and_chain() {
        let env = abi_envelope(&[7u8; 20], &[0u8; 12], b"result").unwrap();
        let handler = parse_address(HANDLER).unwrap();
        let other = parse_address("0xe7f1725e7734ce288f8367e1bb143e90bb3f0512").unwrap();
        let base = envelope_digest(31337, handler, &env);
        assert_ne!(base, envelope_digest(31337, other, &env), "another handler, same chain");
        assert_ne!(base, envelope_digest(31338, handler, &env), "same handler, another chain");
        let longer = abi_envelope(&[7u8; 20], &[0u8; 12], b"result!").unwrap();
        assert_ne!(base, envelope_digest(31337, handler, &longer), "another payload");
        assert_eq!(base, envelope_digest(31337, handler, &env), "deterministic");
    }

    #[test]
    fn bad_field_lengths_are_named() {
        assert!(abi_envelope(&[1u8; 19], &[0u8; 12], &[]).unwrap_err().contains("event-id"));
        assert!(abi_envelope(&[1u8; 20], &[0u8; 11], &[]).unwrap_err().contains("ordering"));
    }

    #[test]
    fn address_of_the_first_dev_account() {
        let key = k256::ecdsa::SigningKey::from_slice(
            &hex::decode("ac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80").unwrap(),
        )
        .unwrap();
        let compressed = key.verifying_key().to_encoded_point(true);
        let address = address_of(compressed.as_bytes()).unwrap();
        assert_eq!(address_text(&address), "0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266");
        assert!(address_of(&[1, 2, 3]).is_err());
    }

    #[test]
    fn signatures_get_v_27_or_28() {
        let mut sig = vec![0u8; 65];
        sig[64] = 1;
        assert_eq!(to_eth_signature(&sig).unwrap()[64], 28);
        sig[64] = 2;
        assert!(to_eth_signature(&sig).is_err());
    }
}
