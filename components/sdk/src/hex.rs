//! `0x`-hex: encoding (lower case, with `0x`) and decoding (with or without `0x`).

/// `bytes` as lower-case hex with a `0x` prefix.
pub fn encode(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(2 + bytes.len() * 2);
    out.push_str("0x");
    out.push_str(&encode_plain(bytes));
    out
}

/// `bytes` as lower-case hex without a prefix.
pub fn encode_plain(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        out.push(DIGITS[(b >> 4) as usize] as char);
        out.push(DIGITS[(b & 15) as usize] as char);
    }
    out
}

/// Decodes hex, with or without a `0x` prefix; surrounding whitespace is ignored.
pub fn decode(text: &str) -> Result<Vec<u8>, String> {
    let text = text.trim();
    let digits = text.strip_prefix("0x").or_else(|| text.strip_prefix("0X")).unwrap_or(text);
    if digits.len() % 2 != 0 {
        return Err(format!("hex {text:?} has an odd number of digits"));
    }
    let nibble = |c: u8, at: usize| -> Result<u8, String> {
        match c {
            b'0'..=b'9' => Ok(c - b'0'),
            b'a'..=b'f' => Ok(c - b'a' + 10),
            b'A'..=b'F' => Ok(c - b'A' + 10),
            _ => Err(format!("hex {text:?}: {:?} at position {at} is not a hex digit", c as char)),
        }
    };
    let bytes = digits.as_bytes();
    (0..bytes.len() / 2).map(|i| Ok(nibble(bytes[2 * i], 2 * i)? << 4 | nibble(bytes[2 * i + 1], 2 * i + 1)?)).collect()
}

#[cfg(test)]
mod tests {
    #[test]
    fn round_trips_and_explains_bad_input() {
        assert_eq!(super::encode(&[0, 0xab, 0xff]), "0x00abff");
        assert_eq!(super::decode("0x00ABff").unwrap(), vec![0, 0xab, 0xff]);
        assert_eq!(super::decode(" 0102 ").unwrap(), vec![1, 2]);
        assert_eq!(super::decode("0x").unwrap(), Vec::<u8>::new());
        assert!(super::decode("0x123").unwrap_err().contains("odd number"));
        assert!(super::decode("0xzz").unwrap_err().contains("not a hex digit"));
    }
}
