//! A tiny Solidity ABI codec for what service components exchange with contracts:
//! `uint256`, `address`, `bytes`, `string` and `bool`, in tuples (`abi.encode(a, b, ...)`,
//! event data), plus [`U256`], a 256-bit unsigned integer with checked arithmetic.

use std::fmt;

/// A 256-bit unsigned integer (`uint256`), stored as 32 big-endian bytes.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct U256([u8; 32]);

impl U256 {
    /// Zero.
    pub const ZERO: U256 = U256([0; 32]);
    /// The largest value, 2^256 - 1.
    pub const MAX: U256 = U256([0xff; 32]);

    /// From 32 big-endian bytes.
    pub const fn from_be_bytes(bytes: [u8; 32]) -> U256 {
        U256(bytes)
    }

    /// From at most 32 big-endian bytes (shorter input is left-padded with zeros, as in
    /// an ABI word); errors on more than 32.
    pub fn from_be_slice(bytes: &[u8]) -> Result<U256, String> {
        if bytes.len() > 32 {
            return Err(format!("a uint256 has at most 32 bytes, got {}", bytes.len()));
        }
        let mut out = [0u8; 32];
        out[32 - bytes.len()..].copy_from_slice(bytes);
        Ok(U256(out))
    }

    /// From a `u64`.
    pub fn from_u64(n: u64) -> U256 {
        Self::from_u128(n as u128)
    }

    /// From a `u128`.
    pub fn from_u128(n: u128) -> U256 {
        let mut out = [0u8; 32];
        out[16..].copy_from_slice(&n.to_be_bytes());
        U256(out)
    }

    /// The 32 big-endian bytes (the ABI encoding of a `uint256`).
    pub fn to_be_bytes(&self) -> [u8; 32] {
        self.0
    }

    /// The value as a `u128`, if it fits.
    pub fn to_u128(&self) -> Option<u128> {
        self.0[..16].iter().all(|&b| b == 0).then(|| u128::from_be_bytes(self.0[16..].try_into().expect("16 bytes")))
    }

    /// The value as a `u64`, if it fits.
    pub fn to_u64(&self) -> Option<u64> {
        self.to_u128().and_then(|n| u64::try_from(n).ok())
    }

    /// Whether the value is zero.
    pub fn is_zero(&self) -> bool {
        self.0 == [0; 32]
    }

    fn limbs(&self) -> [u64; 4] {
        let mut limbs = [0u64; 4];
        for (i, limb) in limbs.iter_mut().enumerate() {
            let start = 32 - 8 * (i + 1);
            *limb = u64::from_be_bytes(self.0[start..start + 8].try_into().expect("8 bytes"));
        }
        limbs
    }

    fn from_limbs(limbs: [u64; 4]) -> U256 {
        let mut out = [0u8; 32];
        for (i, limb) in limbs.iter().enumerate() {
            let start = 32 - 8 * (i + 1);
            out[start..start + 8].copy_from_slice(&limb.to_be_bytes());
        }
        U256(out)
    }

    /// `self + other`, or `None` on overflow.
    pub fn checked_add(&self, other: &U256) -> Option<U256> {
        let (a, b) = (self.limbs(), other.limbs());
        let mut out = [0u64; 4];
        let mut carry = 0u128;
        for i in 0..4 {
            let sum = a[i] as u128 + b[i] as u128 + carry;
            out[i] = sum as u64;
            carry = sum >> 64;
        }
        (carry == 0).then(|| U256::from_limbs(out))
    }

    /// `self - other`, or `None` if `other` is larger.
    pub fn checked_sub(&self, other: &U256) -> Option<U256> {
        if other > self {
            return None;
        }
        let (a, b) = (self.limbs(), other.limbs());
        let mut out = [0u64; 4];
        let mut borrow = false;
        for i in 0..4 {
            let (d, b1) = a[i].overflowing_sub(b[i]);
            let (d, b2) = d.overflowing_sub(borrow as u64);
            out[i] = d;
            borrow = b1 || b2;
        }
        Some(U256::from_limbs(out))
    }

    /// `self * other`, or `None` on overflow.
    pub fn checked_mul(&self, other: &U256) -> Option<U256> {
        let (a, b) = (self.limbs(), other.limbs());
        let mut product = [0u128; 8];
        for i in 0..4 {
            let mut carry: u128 = 0;
            for j in 0..4 {
                let cur = product[i + j] + (a[i] as u128) * (b[j] as u128) + carry;
                product[i + j] = cur & u64::MAX as u128;
                carry = cur >> 64;
            }
            product[i + 4] += carry;
        }
        if product[4..].iter().any(|&limb| limb != 0) {
            return None;
        }
        Some(U256::from_limbs([product[0] as u64, product[1] as u64, product[2] as u64, product[3] as u64]))
    }

    /// Divides by a small divisor; returns the quotient and the remainder.
    fn div_rem_u64(&self, divisor: u64) -> (U256, u64) {
        let limbs = self.limbs();
        let mut out = [0u64; 4];
        let mut rem: u128 = 0;
        for i in (0..4).rev() {
            let cur = (rem << 64) | limbs[i] as u128;
            out[i] = (cur / divisor as u128) as u64;
            rem = cur % divisor as u128;
        }
        (U256::from_limbs(out), rem as u64)
    }
}

impl fmt::Display for U256 {
    /// Decimal.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.is_zero() {
            return f.pad("0");
        }
        let mut digits = Vec::new();
        let mut n = *self;
        while !n.is_zero() {
            let (q, r) = n.div_rem_u64(10);
            digits.push(b'0' + r as u8);
            n = q;
        }
        digits.reverse();
        f.pad(std::str::from_utf8(&digits).expect("ascii digits"))
    }
}

impl fmt::Debug for U256 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "U256({self})")
    }
}

impl From<u64> for U256 {
    fn from(n: u64) -> U256 {
        U256::from_u64(n)
    }
}

impl From<u128> for U256 {
    fn from(n: u128) -> U256 {
        U256::from_u128(n)
    }
}

/// An ABI type this codec handles.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AbiType {
    /// `uint256` (and any narrower `uintN`, which encodes the same way).
    Uint256,
    /// `address`: 20 bytes, left-padded to a word.
    Address,
    /// `bytes`: dynamic.
    Bytes,
    /// `string`: dynamic UTF-8.
    String,
    /// `bool`.
    Bool,
}

impl AbiType {
    fn is_dynamic(self) -> bool {
        matches!(self, AbiType::Bytes | AbiType::String)
    }
}

/// A decoded (or to-be-encoded) ABI value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AbiValue {
    /// A `uint256`.
    Uint(U256),
    /// An `address`.
    Address([u8; 20]),
    /// `bytes`.
    Bytes(Vec<u8>),
    /// A `string`.
    String(String),
    /// A `bool`.
    Bool(bool),
}

impl AbiValue {
    /// The `uint256`, if this is one.
    pub fn as_uint(&self) -> Option<U256> {
        if let AbiValue::Uint(n) = self { Some(*n) } else { None }
    }
    /// The `address`, if this is one.
    pub fn as_address(&self) -> Option<[u8; 20]> {
        if let AbiValue::Address(a) = self { Some(*a) } else { None }
    }
    /// The `bytes`, if this is `bytes`.
    pub fn as_bytes(&self) -> Option<&[u8]> {
        if let AbiValue::Bytes(b) = self { Some(b) } else { None }
    }
    /// The `string`, if this is one.
    pub fn as_str(&self) -> Option<&str> {
        if let AbiValue::String(s) = self { Some(s) } else { None }
    }
    /// The `bool`, if this is one.
    pub fn as_bool(&self) -> Option<bool> {
        if let AbiValue::Bool(b) = self { Some(*b) } else { None }
    }
}

fn word(data: &[u8], at: usize, what: &str) -> Result<[u8; 32], String> {
    at.checked_add(32)
        .and_then(|end| data.get(at..end))
        .map(|w| w.try_into().expect("32 bytes"))
        .ok_or_else(|| format!("{what}: the data ends at byte {}, a word at byte {at} does not fit", data.len()))
}

fn word_as_usize(w: &[u8; 32], what: &str) -> Result<usize, String> {
    U256(*w).to_u64().and_then(|n| usize::try_from(n).ok()).ok_or_else(|| format!("{what}: offset or length out of range"))
}

/// Decodes one value of a static type from a 32-byte word (an event topic, or a head).
pub fn decode_word(ty: AbiType, w: &[u8; 32]) -> Result<AbiValue, String> {
    match ty {
        AbiType::Uint256 => Ok(AbiValue::Uint(U256(*w))),
        AbiType::Address => {
            if w[..12].iter().any(|&b| b != 0) {
                return Err("address word has non-zero padding".into());
            }
            Ok(AbiValue::Address(w[12..].try_into().expect("20 bytes")))
        }
        AbiType::Bool => match U256(*w).to_u64() {
            Some(0) => Ok(AbiValue::Bool(false)),
            Some(1) => Ok(AbiValue::Bool(true)),
            _ => Err("bool word is neither 0 nor 1".into()),
        },
        AbiType::Bytes | AbiType::String => Err(format!("{ty:?} is dynamic: it is not held in one word")),
    }
}

/// Decodes `abi.encode(v1, v2, ...)` of the given types (also the `data` of an EVM log,
/// with the event's non-indexed parameter types).
pub fn decode(types: &[AbiType], data: &[u8]) -> Result<Vec<AbiValue>, String> {
    types
        .iter()
        .enumerate()
        .map(|(i, &ty)| {
            let what = format!("value {i} ({ty:?})");
            let head = word(data, 32 * i, &what)?;
            if !ty.is_dynamic() {
                return decode_word(ty, &head).map_err(|e| format!("{what}: {e}"));
            }
            let offset = word_as_usize(&head, &what)?;
            let len = word_as_usize(&word(data, offset, &what)?, &what)?;
            let start = offset + 32;
            let bytes = start
                .checked_add(len)
                .and_then(|end| data.get(start..end))
                .ok_or_else(|| format!("{what}: {len} bytes from byte {start} run past the end of the data ({} bytes)", data.len()))?
                .to_vec();
            if ty == AbiType::String {
                String::from_utf8(bytes).map(AbiValue::String).map_err(|e| format!("{what}: not UTF-8: {e}"))
            } else {
                Ok(AbiValue::Bytes(bytes))
            }
        })
        .collect()
}

/// `abi.encode(values...)`.
pub fn encode(values: &[AbiValue]) -> Vec<u8> {
    let mut head = Vec::with_capacity(32 * values.len());
    let mut tail = Vec::new();
    for value in values {
        match value {
            AbiValue::Uint(n) => head.extend_from_slice(&n.to_be_bytes()),
            AbiValue::Address(a) => {
                head.extend_from_slice(&[0; 12]);
                head.extend_from_slice(a);
            }
            AbiValue::Bool(b) => head.extend_from_slice(&U256::from_u64(*b as u64).to_be_bytes()),
            AbiValue::Bytes(_) | AbiValue::String(_) => {
                let bytes = match value {
                    AbiValue::Bytes(b) => b.as_slice(),
                    AbiValue::String(s) => s.as_bytes(),
                    _ => unreachable!(),
                };
                let offset = 32 * values.len() + tail.len();
                head.extend_from_slice(&U256::from_u64(offset as u64).to_be_bytes());
                tail.extend_from_slice(&U256::from_u64(bytes.len() as u64).to_be_bytes());
                tail.extend_from_slice(bytes);
                tail.resize(tail.len().div_ceil(32) * 32, 0);
            }
        }
    }
    head.extend_from_slice(&tail);
    head
}

/// `abi.encode(uint256(n))`: 32 big-endian bytes.
pub fn encode_uint_u128(n: u128) -> Vec<u8> {
    U256::from_u128(n).to_be_bytes().to_vec()
}

/// `abi.encode(uint256(n))`: 32 big-endian bytes.
pub fn encode_uint_u64(n: u64) -> Vec<u8> {
    encode_uint_u128(n as u128)
}

/// `abi.encode(bytes)`.
pub fn encode_bytes(bytes: &[u8]) -> Vec<u8> {
    encode(&[AbiValue::Bytes(bytes.to_vec())])
}

/// `abi.encode(string)`.
pub fn encode_string(text: &str) -> Vec<u8> {
    encode(&[AbiValue::String(text.to_string())])
}

/// Decodes `abi.encode(bytes)`.
pub fn decode_bytes(data: &[u8]) -> Result<Vec<u8>, String> {
    match decode(&[AbiType::Bytes], data)?.pop() {
        Some(AbiValue::Bytes(b)) => Ok(b),
        _ => unreachable!("decode returns one value per type"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn u256_arithmetic_and_display() {
        let big = U256::from_u128(u128::MAX);
        let sum = big.checked_add(&U256::from_u64(1)).unwrap();
        assert_eq!(sum.to_u128(), None);
        assert_eq!(sum.to_string(), "340282366920938463463374607431768211456");
        assert_eq!(sum.checked_sub(&U256::from_u64(1)).unwrap(), big);
        assert_eq!(U256::from_u64(1).checked_sub(&U256::from_u64(2)), None);
        assert_eq!(U256::MAX.checked_add(&U256::from_u64(1)), None);
        assert_eq!(U256::from_u64(7).checked_mul(&U256::from_u64(6)).unwrap().to_u64(), Some(42));
        assert_eq!(big.checked_mul(&big).unwrap().to_be_bytes()[0], 0xff);
        assert_eq!(sum.checked_mul(&sum), None, "2^256 overflows");
        assert_eq!(U256::ZERO.to_string(), "0");
        assert_eq!(U256::from_be_slice(&[1, 0]).unwrap().to_u64(), Some(256));
        assert!(U256::from_be_slice(&[0; 33]).is_err());
    }

    #[test]
    fn encodes_like_solidity() {
        // abi.encode(uint256(5), "hi", true) from solc.
        let data = encode(&[AbiValue::Uint(5u64.into()), AbiValue::String("hi".into()), AbiValue::Bool(true)]);
        let expected = [
            "0000000000000000000000000000000000000000000000000000000000000005",
            "0000000000000000000000000000000000000000000000000000000000000060",
            "0000000000000000000000000000000000000000000000000000000000000001",
            "0000000000000000000000000000000000000000000000000000000000000002",
            "6869000000000000000000000000000000000000000000000000000000000000",
        ]
        .concat();
        assert_eq!(crate::hex::encode_plain(&data), expected);
    }

    #[test]
    fn decodes_what_it_encodes() {
        let values = vec![
            AbiValue::Address([0xaa; 20]),
            AbiValue::Bytes(vec![1; 33]),
            AbiValue::Uint(U256::MAX),
            AbiValue::String("wavs".into()),
            AbiValue::Bool(false),
        ];
        let types = [AbiType::Address, AbiType::Bytes, AbiType::Uint256, AbiType::String, AbiType::Bool];
        assert_eq!(decode(&types, &encode(&values)).unwrap(), values);
        assert_eq!(decode_bytes(&encode_bytes(b"xyz")).unwrap(), b"xyz");
        assert_eq!(encode_uint_u64(9), U256::from_u64(9).to_be_bytes().to_vec());
        assert_eq!(encode_string("a").len(), 96);
    }

    #[test]
    fn bad_data_is_refused_with_a_reason() {
        assert!(decode(&[AbiType::Uint256], &[0; 31]).unwrap_err().contains("does not fit"));
        let mut data = encode_bytes(b"abc");
        data.truncate(64 + 2);
        assert!(decode_bytes(&data).unwrap_err().contains("run past the end"));
        assert!(decode(&[AbiType::Bool], &U256::from_u64(2).to_be_bytes()).unwrap_err().contains("neither 0 nor 1"));
        assert!(decode(&[AbiType::Address], &U256::MAX.to_be_bytes()).unwrap_err().contains("padding"));
        let huge_offset = U256::MAX.to_be_bytes();
        assert!(decode(&[AbiType::Bytes], &huge_offset).unwrap_err().contains("out of range"));
        let bad_utf8 = encode_bytes(&[0xff]);
        assert!(decode(&[AbiType::String], &bad_utf8).unwrap_err().contains("not UTF-8"));
    }
}
