//! Helpers for WAVS service component builders.
//!
//! A component generates its own bindings of the `service` world with `wit-bindgen`;
//! binding types generated in one crate are not the same types as those generated in
//! another, so this crate works on plain bytes and strings instead, and on small traits
//! ([`host::Config`], [`host::KvStore`]) that a component implements in two lines with
//! its generated imports.
//!
//! - [`abi`]: a tiny Solidity ABI decoder and encoder (`uint256`, `address`, `bytes`,
//!   `string`, `bool`) and a 256-bit unsigned integer, [`abi::U256`].
//! - [`evm`]: typed decoding of EVM logs (`topics`, `data`), including the reference
//!   trigger contract's `TriggerFired(uint64,address,bytes)`.
//! - [`cosmos`]: Cosmos event attribute lookup.
//! - [`event_id`]: the event id operators derive for a trigger, to find a result on chain.
//! - [`hex`]: `0x`-hex encoding and decoding.
//! - [`host`]: configuration and KV-store conveniences.
//!
//! ```
//! use wavs_component_sdk::{abi::U256, evm};
//! # let (topics, data) = wavs_component_sdk::evm::TriggerFired::example(&U256::from_u64(21).to_be_bytes());
//! // In `run`, for `TriggerData::ChainEvent(t)`: `(&t.event.topics, &t.event.data)`.
//! let fired = evm::TriggerFired::decode(&topics, &data).unwrap();
//! let n = U256::from_be_slice(&fired.payload).unwrap();
//! assert_eq!(n.checked_add(&n).unwrap(), U256::from_u64(42));
//! ```

pub mod abi;
pub mod cosmos;
pub mod event_id;
pub mod evm;
pub mod hex;
pub mod host;

pub use abi::{AbiType, AbiValue, U256};
