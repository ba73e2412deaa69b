//! Building blocks for WAVS chain adapters (guest side, wasm32-wasip2).
//!
//! Nothing here knows a chain: an adapter maps [`jsonrpc::RpcFailure`] to its own
//! `adapter-error` with the chain's knowledge of which errors pass.

pub mod http;
pub mod interval;
pub mod jsonrpc;
pub mod options;
