//! Serde for byte strings as 0x-prefixed hex, so JSON stays readable.

use serde::{Deserialize, Deserializer, Serializer};

/// Serializes bytes as `0x…` hex.
pub fn serialize<S: Serializer>(bytes: &[u8], s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&format!("0x{}", hex::encode(bytes)))
}

/// Deserializes `0x…` (or bare) hex into bytes.
pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<u8>, D::Error> {
    let text = String::deserialize(d)?;
    decode(&text).map_err(serde::de::Error::custom)
}

/// Decodes `0x…` or bare hex, with an error naming the problem.
pub fn decode(text: &str) -> Result<Vec<u8>, String> {
    let body = text.strip_prefix("0x").unwrap_or(text);
    hex::decode(body).map_err(|e| format!("invalid hex {text:?}: {e}"))
}

/// Encodes bytes as `0x…` hex.
pub fn encode(bytes: &[u8]) -> String {
    format!("0x{}", hex::encode(bytes))
}

#[cfg(test)]
mod tests {
    #[test]
    fn hex_takes_an_optional_prefix() {
        assert_eq!(super::decode("0x0aFF").unwrap(), vec![10, 255]);
        assert_eq!(super::decode("0aff").unwrap(), vec![10, 255]);
        assert!(super::decode("0x0").unwrap_err().contains("invalid hex"));
        assert_eq!(super::encode(&[1, 0xab]), "0x01ab");
    }
}
