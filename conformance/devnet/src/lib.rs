//! A local AVS for the demo and the end-to-end tests: a real chain, real contracts,
//! real operator nodes and aggregator processes.

pub mod chain;
pub mod devnet;
pub mod paths;
pub mod process;

pub use devnet::{Devnet, DevnetOptions, FiredTrigger, dev_key};
pub use paths::guest;
