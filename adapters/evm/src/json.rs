//! Reading EVM JSON-RPC values (0x-hex quantities and data) without panicking.

use serde_json::Value;

/// A 0x-hex quantity.
pub fn quantity(value: &Value, field: &str) -> Result<u64, String> {
    let text = value.as_str().ok_or_else(|| format!("{field}: expected a hex string, got {value}"))?;
    u64::from_str_radix(text.trim_start_matches("0x"), 16).map_err(|e| format!("{field}: {text:?}: {e}"))
}

/// A 0x-hex quantity as u128 (fees, balances).
pub fn quantity128(value: &Value, field: &str) -> Result<u128, String> {
    let text = value.as_str().ok_or_else(|| format!("{field}: expected a hex string, got {value}"))?;
    u128::from_str_radix(text.trim_start_matches("0x"), 16).map_err(|e| format!("{field}: {text:?}: {e}"))
}

/// 0x-hex data.
pub fn data(value: &Value, field: &str) -> Result<Vec<u8>, String> {
    let text = value.as_str().ok_or_else(|| format!("{field}: expected hex data, got {value}"))?;
    hex::decode(text.trim_start_matches("0x")).map_err(|e| format!("{field}: {e}"))
}

/// A field of an object.
pub fn field<'a>(object: &'a Value, name: &str) -> Result<&'a Value, String> {
    object.get(name).ok_or_else(|| format!("missing field {name}"))
}

/// Formats a height as a 0x-hex quantity.
pub fn hex_quantity(n: u64) -> String {
    format!("0x{n:x}")
}
