//! The WAVS WASM runtime: one engine with a compiled-component cache, limits on every
//! call, an HTTP allow-list, the host side of the chain-adapter and service worlds, and
//! the signer whose keys never enter WASM.

pub mod bindings;
pub mod engine;
pub mod error;
mod guest_stderr;
mod http_link;
pub mod http_policy;
pub mod limits;
pub mod keys;
pub mod signer;
mod scheme_keys;
pub mod service_keys;
mod limiter;
pub mod meter;
mod state;
pub mod determinism;

pub use engine::{LoadSource, WasmEngine};
pub use error::{Result, RuntimeError};
pub use http_policy::{HttpPolicy, HttpRules};
pub use limits::Limits;
pub use keys::{ChainKey, ChainKeyConfig, ChainRef, KeyConfig};
pub use signer::{AdapterSigner, PublicKeys, Signer};

pub mod adapter;
mod imports;
pub mod service;

pub use adapter::{AdapterRegistry, ChainAdapter};
pub use error::AdapterErrorKind;
pub use determinism::Determinism;
pub use service::{ComponentRunner, ExecOutcome, ExecPermissions, KvBackend, MemoryKv, SecretValues, ServiceKv, Usage};
pub mod convert;
pub use convert::chain_config;
pub use signer::recover_public_key;
pub use meter::log_lines_dropped;
