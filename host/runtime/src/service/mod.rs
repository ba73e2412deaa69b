//! Service components: loading and executing them, and the key-value store they keep
//! state in.

mod imports;
pub mod kv;
mod runner;

pub use imports::ServiceData;
pub use kv::{KvBackend, MemoryKv, ServiceKv};
pub use runner::{ComponentRunner, ExecOutcome, ExecPermissions, SecretValues, Usage};
pub(crate) use runner::limits_hint;
