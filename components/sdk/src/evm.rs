//! EVM logs: `topics` (topic 0 is the event signature hash, then one topic per indexed
//! parameter) and `data` (the ABI-encoded non-indexed parameters), as a chain-event
//! trigger from the EVM adapter carries them in `event.topics` and `event.data`.

use crate::abi::{self, AbiType, AbiValue, U256};

/// A log decoded against the event's parameter types.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecodedLog {
    /// Topic 0: the keccak-256 hash of the event signature.
    pub signature: [u8; 32],
    /// The indexed parameters, in order. An indexed `bytes` or `string` is stored as
    /// its keccak-256 hash, so it decodes as `AbiValue::Bytes` of that 32-byte hash.
    pub indexed: Vec<AbiValue>,
    /// The non-indexed parameters, decoded from `data`.
    pub data: Vec<AbiValue>,
}

fn topic(topics: &[Vec<u8>], i: usize) -> Result<[u8; 32], String> {
    let t = topics.get(i).ok_or_else(|| format!("the log has {} topics, expected at least {}", topics.len(), i + 1))?;
    t.as_slice().try_into().map_err(|_| format!("topic {i} has {} bytes, expected 32", t.len()))
}

/// Decodes a log whose indexed parameters have types `indexed` and whose non-indexed
/// parameters have types `non_indexed`.
pub fn decode_log(topics: &[Vec<u8>], data: &[u8], indexed: &[AbiType], non_indexed: &[AbiType]) -> Result<DecodedLog, String> {
    if topics.len() != indexed.len() + 1 {
        return Err(format!(
            "the log has {} topics; an event with {} indexed parameters has {}",
            topics.len(),
            indexed.len(),
            indexed.len() + 1
        ));
    }
    let signature = topic(topics, 0)?;
    let indexed = indexed
        .iter()
        .enumerate()
        .map(|(i, &ty)| {
            let t = topic(topics, i + 1)?;
            match ty {
                AbiType::Bytes | AbiType::String => Ok(AbiValue::Bytes(t.to_vec())),
                _ => abi::decode_word(ty, &t).map_err(|e| format!("topic {}: {e}", i + 1)),
            }
        })
        .collect::<Result<_, String>>()?;
    let data = abi::decode(non_indexed, data).map_err(|e| format!("log data: {e}"))?;
    Ok(DecodedLog { signature, indexed, data })
}

/// `TriggerFired(uint64 indexed triggerId, address indexed creator, bytes payload)`,
/// emitted by the reference trigger contract (`contracts/evm/src/WavsTrigger.sol`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TriggerFired {
    /// The trigger's id, counted by the contract.
    pub trigger_id: u64,
    /// Who fired it.
    pub creator: [u8; 20],
    /// What they passed.
    pub payload: Vec<u8>,
}

impl TriggerFired {
    /// Decodes the event from a log's topics and data.
    pub fn decode(topics: &[Vec<u8>], data: &[u8]) -> Result<TriggerFired, String> {
        let log = decode_log(topics, data, &[AbiType::Uint256, AbiType::Address], &[AbiType::Bytes])
            .map_err(|e| format!("not a TriggerFired(uint64,address,bytes) log: {e}"))?;
        let trigger_id = log.indexed[0].as_uint().and_then(|n| n.to_u64()).ok_or("TriggerFired: triggerId does not fit a uint64")?;
        let creator = log.indexed[1].as_address().expect("decoded as an address");
        let payload = log.data[0].as_bytes().expect("decoded as bytes").to_vec();
        Ok(TriggerFired { trigger_id, creator, payload })
    }

    /// The topics and data of a `TriggerFired` log carrying `payload` (trigger id 1, a
    /// zero creator), for tests. Topic 0 is a placeholder, not the real signature hash.
    pub fn example(payload: &[u8]) -> (Vec<Vec<u8>>, Vec<u8>) {
        let topics = vec![vec![0xee; 32], U256::from_u64(1).to_be_bytes().to_vec(), vec![0; 32]];
        (topics, abi::encode_bytes(payload))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_trigger_fired() {
        let (mut topics, data) = TriggerFired::example(b"hello");
        topics[2] = [[0u8; 12].as_slice(), &[0x11; 20]].concat();
        let fired = TriggerFired::decode(&topics, &data).unwrap();
        assert_eq!(fired, TriggerFired { trigger_id: 1, creator: [0x11; 20], payload: b"hello".to_vec() });
    }

    #[test]
    fn wrong_shapes_say_what_is_wrong() {
        let (topics, data) = TriggerFired::example(b"x");
        assert!(TriggerFired::decode(&topics[..2], &data).unwrap_err().contains("2 topics"));
        assert!(TriggerFired::decode(&topics, &data[..40]).unwrap_err().contains("log data"));
        let mut bad = topics.clone();
        bad[1] = U256::MAX.to_be_bytes().to_vec();
        assert!(TriggerFired::decode(&bad, &data).unwrap_err().contains("uint64"));
        bad[1] = vec![1; 5];
        assert!(TriggerFired::decode(&bad, &data).unwrap_err().contains("expected 32"));
    }

    #[test]
    fn indexed_dynamic_values_are_their_hash() {
        let topics = vec![vec![0; 32], vec![7; 32]];
        let log = decode_log(&topics, &abi::encode_uint_u64(3), &[AbiType::String], &[AbiType::Uint256]).unwrap();
        assert_eq!(log.indexed, vec![AbiValue::Bytes(vec![7; 32])]);
        assert_eq!(log.data, vec![AbiValue::Uint(U256::from_u64(3))]);
    }
}
