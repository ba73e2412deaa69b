//! The one error type. Both variants are permanent: they describe the input (or the
//! scheme asked for), so retrying the same call never helps.

/// Why a curve operation refused its input. Neither variant is transient: the same input
/// fails the same way every time, so callers should not retry.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CurveError {
    /// The bytes are not what the encoding says: wrong length, a coordinate or scalar out
    /// of range, a point not on the curve or not in the prime-order subgroup, an unknown
    /// recovery id, a seed that is not a valid secret. The message names what failed.
    #[error("malformed input: {0}")]
    Malformed(String),
    /// The scheme does not offer this operation (e.g. aggregating ECDSA signatures), or
    /// the scheme name is unknown.
    #[error("unsupported: {0}")]
    Unsupported(String),
}

/// Result of every fallible operation in this crate.
pub type Result<T> = std::result::Result<T, CurveError>;

/// A [`CurveError::Malformed`] with the given message.
pub(crate) fn malformed(message: impl Into<String>) -> CurveError {
    CurveError::Malformed(message.into())
}

/// Checks that `bytes` has exactly `len` bytes; `what` names the input in the error.
pub(crate) fn expect_len(bytes: &[u8], len: usize, what: &str) -> Result<()> {
    if bytes.len() == len {
        Ok(())
    } else {
        Err(malformed(format!("{what} must be {len} bytes, got {}", bytes.len())))
    }
}
