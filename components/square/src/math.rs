//! 256-bit squaring and the one ABI decoding square needs, by hand (a few words; no
//! ABI library in the component).

/// Squares a 32-byte big-endian unsigned integer; errors if the result needs more than
/// 256 bits.
pub fn square_u256(input: &[u8]) -> Result<[u8; 32], String> {
    if input.len() != 32 {
        return Err(format!("input must be a 32-byte uint256, got {} bytes", input.len()));
    }
    // Little-endian 64-bit limbs.
    let mut a = [0u64; 4];
    for (i, limb) in a.iter_mut().enumerate() {
        let start = 32 - 8 * (i + 1);
        *limb = u64::from_be_bytes(input[start..start + 8].try_into().expect("8 bytes"));
    }
    let mut product = [0u128; 8];
    for i in 0..4 {
        let mut carry: u128 = 0;
        for j in 0..4 {
            let cur = product[i + j] + (a[i] as u128) * (a[j] as u128) + carry;
            product[i + j] = cur & u64::MAX as u128;
            carry = cur >> 64;
        }
        product[i + 4] += carry;
    }
    if product[4..].iter().any(|&limb| limb != 0) {
        return Err("square overflows uint256".into());
    }
    let mut out = [0u8; 32];
    for (i, limb) in product[..4].iter().enumerate() {
        let start = 32 - 8 * (i + 1);
        out[start..start + 8].copy_from_slice(&(*limb as u64).to_be_bytes());
    }
    Ok(out)
}

/// Decodes `abi.encode(bytes)`: a 32-byte offset, a 32-byte length, the padded bytes.
pub fn decode_abi_bytes(data: &[u8]) -> Result<Vec<u8>, String> {
    let word = |at: usize| -> Result<usize, String> {
        let w = data.get(at..at + 32).ok_or("event data too short for abi-encoded bytes")?;
        if w[..24].iter().any(|&b| b != 0) {
            return Err("abi offset or length out of range".into());
        }
        Ok(u64::from_be_bytes(w[24..].try_into().expect("8 bytes")) as usize)
    };
    let offset = word(0)?;
    let len = word(offset)?;
    let start = offset + 32;
    data.get(start..start + len).map(<[u8]>::to_vec).ok_or_else(|| "abi bytes run past the event data".into())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn uint(n: u128) -> Vec<u8> {
        let mut v = vec![0u8; 32];
        v[16..].copy_from_slice(&n.to_be_bytes());
        v
    }

    #[test]
    fn squares_small_and_large_numbers() {
        assert_eq!(square_u256(&uint(7)).unwrap().to_vec(), uint(49));
        assert_eq!(square_u256(&uint(0)).unwrap().to_vec(), uint(0));
        // (2^64 + 1)^2 = 2^128 + 2^65 + 1
        let big = square_u256(&uint((1u128 << 64) + 1)).unwrap();
        let mut expected = [0u8; 32];
        expected[15] = 1; // 2^128
        expected[16..].copy_from_slice(&((1u128 << 65) + 1).to_be_bytes());
        assert_eq!(big, expected);
    }

    #[test]
    fn overflow_and_bad_length_are_errors() {
        let mut two_pow_128 = vec![0u8; 32];
        two_pow_128[15] = 1;
        assert_eq!(square_u256(&two_pow_128).unwrap_err(), "square overflows uint256");
        assert!(square_u256(&[1, 2, 3]).unwrap_err().contains("32-byte"));
    }

    #[test]
    fn decodes_abi_encoded_bytes_and_rejects_truncation() {
        let mut data = uint(0x20);
        data.extend(uint(3));
        let mut padded = vec![0xaa, 0xbb, 0xcc];
        padded.resize(32, 0);
        data.extend(padded);
        assert_eq!(decode_abi_bytes(&data).unwrap(), vec![0xaa, 0xbb, 0xcc]);
        assert!(decode_abi_bytes(&data[..40]).is_err());
    }
}
