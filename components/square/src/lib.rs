//! Square: reads an unsigned 256-bit integer (32 bytes, big-endian — ABI `uint256`) and
//! returns its square in the same form. Fails on overflow rather than wrapping.
//!
//! Input comes from a raw task payload, from the `bytes payload` of an EVM
//! `TriggerFired(uint64,address,bytes)` log, or from a Cosmos-style event attribute
//! `payload` holding the 32 bytes as hex. The work is in [`square`], over plain bytes,
//! so it is unit tested natively; `run` only converts the binding types.

wit_bindgen::generate!({
    path: "../../wit/service",
    world: "service",
    generate_all,
});

use wavs::types::types::TriggerData;
use wavs_component_sdk::{U256, abi, cosmos};

/// Squares a 32-byte big-endian unsigned integer; errors on any other length and when
/// the square needs more than 256 bits.
pub fn square(input: &[u8]) -> Result<[u8; 32], String> {
    if input.len() != 32 {
        return Err(format!("input must be a 32-byte uint256, got {} bytes", input.len()));
    }
    let n = U256::from_be_slice(input)?;
    n.checked_mul(&n).map(|s| s.to_be_bytes()).ok_or_else(|| "square overflows uint256".into())
}

struct Square;

impl Guest for Square {
    fn run(action: TriggerAction) -> Result<Vec<Response>, String> {
        let input = match action.data {
            TriggerData::Raw(bytes) => bytes,
            TriggerData::ChainEvent(trigger) => {
                let event = trigger.event;
                let attributes = event.attributes.iter().map(|a| (a.key.as_str(), a.value.as_str()));
                match cosmos::hex_attribute(attributes, "payload") {
                    Some(hex) => hex?,
                    None => abi::decode_bytes(&event.data)?,
                }
            }
            TriggerData::BlockInterval(_) => return Err("square needs a number; block triggers carry none".into()),
            TriggerData::Cron(_) => return Err("square needs a number; cron ticks carry none".into()),
        };
        Ok(vec![Response { payload: square(&input)?.to_vec(), ordering: None }])
    }
}

export!(Square);

#[cfg(test)]
mod tests {
    use super::square;

    fn uint(n: u128) -> Vec<u8> {
        let mut v = vec![0u8; 32];
        v[16..].copy_from_slice(&n.to_be_bytes());
        v
    }

    #[test]
    fn squares_small_and_large_numbers() {
        assert_eq!(square(&uint(7)).unwrap().to_vec(), uint(49));
        assert_eq!(square(&uint(0)).unwrap().to_vec(), uint(0));
        // (2^64 + 1)^2 = 2^128 + 2^65 + 1
        let big = square(&uint((1u128 << 64) + 1)).unwrap();
        let mut expected = [0u8; 32];
        expected[15] = 1; // 2^128
        expected[16..].copy_from_slice(&((1u128 << 65) + 1).to_be_bytes());
        assert_eq!(big, expected);
    }

    #[test]
    fn overflow_and_bad_length_are_errors() {
        let mut two_pow_128 = vec![0u8; 32];
        two_pow_128[15] = 1;
        assert_eq!(square(&two_pow_128).unwrap_err(), "square overflows uint256");
        assert!(square(&[1, 2, 3]).unwrap_err().contains("32-byte"));
    }
}
