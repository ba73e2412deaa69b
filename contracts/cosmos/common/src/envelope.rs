use cosmwasm_schema::cw_serde;
use cosmwasm_std::{Binary, HexBinary};
use sha2::{Digest, Sha256};
use thiserror::Error;

/// Domain tag that starts every digest, so a signature over an envelope can never be replayed
/// as a signature over anything else. `v2` binds the handler; a `v1` signature (chain only)
/// never verifies here.
pub const DIGEST_DOMAIN: &[u8] = b"wavs-envelope-v2";
/// Length of an envelope's event id.
pub const EVENT_ID_LEN: usize = 20;
/// Length of an envelope's ordering hint.
pub const ORDERING_LEN: usize = 12;
/// Length of an operator key: SEC1 compressed secp256k1.
pub const PUBKEY_LEN: usize = 33;
/// Length of a signature: r || s, 32 bytes each.
pub const SIGNATURE_LEN: usize = 64;

/// What operators sign and handlers receive.
#[cw_serde]
pub struct Envelope {
    /// Identifies the (service, workflow, trigger) this result answers; 20 bytes.
    pub event_id: HexBinary,
    /// Ordering hint, big-endian; 12 bytes, zero when unused.
    pub ordering: HexBinary,
    /// The service component's output.
    pub payload: Binary,
}

/// Operator signatures over an envelope's digest.
#[cw_serde]
pub struct SignatureData {
    /// 33-byte SEC1 compressed secp256k1 public keys, strictly ascending bytewise.
    pub signers: Vec<HexBinary>,
    /// 64-byte r || s signatures over the digest, aligned with `signers`.
    pub signatures: Vec<HexBinary>,
    /// The height the operator set was read at (informational).
    pub reference_height: u64,
}

/// A malformed envelope.
#[derive(Error, Debug, PartialEq, Eq)]
pub enum EnvelopeError {
    #[error("InvalidEnvelope: event_id must be {EVENT_ID_LEN} bytes, got {got}")]
    EventIdLength { got: usize },
    #[error("InvalidEnvelope: ordering must be {ORDERING_LEN} bytes, got {got}")]
    OrderingLength { got: usize },
    #[error("InvalidEnvelope: {field} is {len} bytes, more than a u32 length prefix can carry")]
    TooLong { field: &'static str, len: usize },
}

impl Envelope {
    /// Checks the fixed-length fields.
    pub fn check(&self) -> Result<(), EnvelopeError> {
        if self.event_id.len() != EVENT_ID_LEN {
            return Err(EnvelopeError::EventIdLength {
                got: self.event_id.len(),
            });
        }
        if self.ordering.len() != ORDERING_LEN {
            return Err(EnvelopeError::OrderingLength {
                got: self.ordering.len(),
            });
        }
        Ok(())
    }
}

/// The digest operators sign for `envelope` when the handler contract at `handler` (its
/// bech32 address as text) on chain `chain_id` is to accept it:
/// `sha256(DIGEST_DOMAIN || u32_be(len(chain_id)) || chain_id || u32_be(len(handler)) || handler
/// || event_id(20) || ordering(12) || u32_be(len(payload)) || payload)`.
///
/// Binding both means a signature made for one handler, or one chain, verifies nowhere else.
/// The handler passes `env.block.chain_id` and its own `env.contract.address`, never values
/// from the message it handles.
pub fn envelope_digest(
    chain_id: &str,
    handler: &str,
    envelope: &Envelope,
) -> Result<[u8; 32], EnvelopeError> {
    envelope.check()?;
    let mut hasher = Sha256::new();
    hasher.update(DIGEST_DOMAIN);
    hasher.update(length_prefix("chain_id", chain_id.len())?);
    hasher.update(chain_id.as_bytes());
    hasher.update(length_prefix("handler", handler.len())?);
    hasher.update(handler.as_bytes());
    hasher.update(envelope.event_id.as_slice());
    hasher.update(envelope.ordering.as_slice());
    hasher.update(length_prefix("payload", envelope.payload.len())?);
    hasher.update(envelope.payload.as_slice());
    Ok(hasher.finalize().into())
}

fn length_prefix(field: &'static str, len: usize) -> Result<[u8; 4], EnvelopeError> {
    u32::try_from(len)
        .map(u32::to_be_bytes)
        .map_err(|_| EnvelopeError::TooLong { field, len })
}

/// An operator's identity on Cosmos: the lowercase hex of its 33-byte compressed public key.
pub fn operator_id(pubkey: &HexBinary) -> String {
    pubkey.to_hex()
}

#[cfg(test)]
mod tests {
    use super::*;

    const CHAIN_ID: &str = "cosmos-testnet-14002";
    /// A handler as wasmd addresses the first contract of the first code.
    const HANDLER: &str = "wasm14hj2tavq8fpesdwxxcu44rty3hh90vhujrvcmstl4zr3txmfvw9s0phg4d";

    fn envelope(payload: &[u8]) -> Envelope {
        Envelope {
            event_id: HexBinary::from((1u8..=20).collect::<Vec<u8>>()),
            ordering: HexBinary::from([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 7]),
            payload: Binary::from(payload),
        }
    }

    #[test]
    fn digest_matches_the_hand_built_preimage() {
        let mut preimage = b"wavs-envelope-v2".to_vec();
        preimage.extend_from_slice(&[0, 0, 0, 20]);
        preimage.extend_from_slice(b"cosmos-testnet-14002");
        preimage.extend_from_slice(&[0, 0, 0, 63]);
        preimage.extend_from_slice(HANDLER.as_bytes());
        preimage.extend(1u8..=20);
        preimage.extend_from_slice(&[0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 7]);
        preimage.extend_from_slice(&[0, 0, 0, 10]);
        preimage.extend_from_slice(b"hello wavs");
        let expected: [u8; 32] = Sha256::digest(&preimage).into();
        assert_eq!(
            envelope_digest(CHAIN_ID, HANDLER, &envelope(b"hello wavs")).unwrap(),
            expected
        );
    }

    #[test]
    fn digest_known_answers() {
        // Computed outside Rust (Python hashlib) from the same layout.
        let got = envelope_digest(CHAIN_ID, HANDLER, &envelope(b"hello wavs")).unwrap();
        assert_eq!(
            hex::encode(got),
            "77b540226c9fdd369d8b653b23d00b57b77b0597954b268329b925083d71a704"
        );
        let zero = Envelope {
            event_id: HexBinary::from([0u8; 20]),
            ordering: HexBinary::from([0u8; 12]),
            payload: Binary::default(),
        };
        assert_eq!(
            hex::encode(envelope_digest(CHAIN_ID, HANDLER, &zero).unwrap()),
            "95bdbd04037c509f5f845292f0fdf7941ebdf6a57122ab7bc75e014b4fd50297"
        );
    }

    #[test]
    fn digest_binds_chain_id_handler_and_every_field() {
        let base = envelope_digest(CHAIN_ID, HANDLER, &envelope(b"x")).unwrap();
        let other_handler = "wasm1suhgf5svhu4usrurvxzlgn54ksxmn8gljarjtxqnapv8kjnp4nrss5maay";
        let digests = [
            envelope_digest("other-chain", HANDLER, &envelope(b"x")).unwrap(),
            envelope_digest(CHAIN_ID, other_handler, &envelope(b"x")).unwrap(),
            envelope_digest(CHAIN_ID, HANDLER, &envelope(b"y")).unwrap(),
        ];
        for other in digests {
            assert_ne!(base, other);
        }
        let mut reordered = envelope(b"x");
        reordered.ordering = HexBinary::from([0u8; 12]);
        assert_ne!(
            base,
            envelope_digest(CHAIN_ID, HANDLER, &reordered).unwrap()
        );
        // Length prefixes keep the chain id and the handler apart: moving bytes from one to
        // the other changes the digest.
        assert_ne!(
            envelope_digest("ab", "c", &envelope(b"x")).unwrap(),
            envelope_digest("a", "bc", &envelope(b"x")).unwrap()
        );
    }

    #[test]
    fn malformed_lengths_are_refused() {
        let mut bad = envelope(b"x");
        bad.event_id = HexBinary::from([1u8; 19]);
        assert_eq!(
            envelope_digest(CHAIN_ID, HANDLER, &bad),
            Err(EnvelopeError::EventIdLength { got: 19 })
        );
        let mut bad = envelope(b"x");
        bad.ordering = HexBinary::from([0u8; 13]);
        let err = envelope_digest(CHAIN_ID, HANDLER, &bad).unwrap_err();
        assert_eq!(err, EnvelopeError::OrderingLength { got: 13 });
        assert!(
            err.to_string()
                .contains("ordering must be 12 bytes, got 13")
        );
    }

    #[test]
    fn json_is_snake_case_hex_and_base64() {
        let json = cosmwasm_std::to_json_string(&envelope(b"hi")).unwrap();
        assert_eq!(
            json,
            r#"{"event_id":"0102030405060708090a0b0c0d0e0f1011121314","ordering":"000000000000000000000007","payload":"aGk="}"#
        );
        let sig: SignatureData = cosmwasm_std::from_json(
            r#"{"signers":["02aa"],"signatures":["bb"],"reference_height":7}"#,
        )
        .unwrap();
        assert_eq!(sig.reference_height, 7);
        assert_eq!(operator_id(&sig.signers[0]), "02aa");
    }
}
