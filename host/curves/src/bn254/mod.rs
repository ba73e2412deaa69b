//! BN254 (alt_bn128): the encodings and operations of the EVM precompiles
//! (EIP-196/197), try-and-increment hashing to G1, and BLS signatures on top.

pub mod bls;
pub mod encoding;
mod hash;
mod ops;

pub use hash::hash_to_g1;
pub use ops::{g1_add, g1_generator, g1_mul, g1_neg, g1_sum, g2_add, g2_generator, g2_neg, g2_sum, pairing_check};
