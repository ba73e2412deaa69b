//! Service components: loading and executing them.

mod runner;

pub use runner::{ComponentRunner, ExecOutcome, ExecPermissions};
