//! A local AVS for the demo and the end-to-end tests: real chains (anvil, wasmd), real
//! contracts, real operator nodes and aggregator processes.

pub mod added_chains;
pub mod bursts;
pub mod chain;
// The real kubo node and OCI registry the tests fetch components from (shared with the
// node's tests); the demo's service owner publishes to the kubo node.
#[path = "../../../host/node/tests/sources/daemons.rs"]
pub mod daemons;
pub mod devnet;
pub mod docs;
pub mod flows;
pub mod health;
pub mod keys;
pub mod launch;
pub mod mining;
pub mod onchain;
pub mod p2p;
pub mod paths;
pub mod process;
pub mod proxy;
pub mod quorum;
pub mod restart;
pub mod service_contracts;
pub mod shell;
pub mod stub_http;
pub mod wasmd;

pub use devnet::{ChainKind, DevChain, Devnet, DevnetOptions};
pub use flows::FiredTrigger;
pub use keys::dev_key;
pub use paths::guest;
