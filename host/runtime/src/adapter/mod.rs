//! Chain adapters: loading them from a directory, and serving configured chains
//! through them.

mod chain;
mod curves;
mod program;
mod registry;

pub use chain::ChainAdapter;
pub use program::{AdapterInfo, AdapterProgram};
pub use registry::{AdapterFileState, AdapterRegistry, ScanReport};
