//! The runtime's error type. Every variant says whether trying again can help.

use thiserror::Error;

/// What went wrong while loading or running WASM.
#[derive(Debug, Error)]
pub enum RuntimeError {
    /// The bytes are not a valid component, or it does not fit the expected world.
    /// Retrying with the same file fails again.
    #[error("invalid component: {0}")]
    InvalidComponent(String),
    /// The guest broke a limit (fuel, time, memory, output size). Not retryable with the
    /// same input and limits.
    #[error("limit exceeded: {0}")]
    LimitExceeded(String),
    /// The guest trapped (panic, unreachable, bad memory access). Not retryable.
    #[error("guest trapped: {0}")]
    Trap(String),
    /// The guest returned an error it classified itself; `retryable` carries its word.
    #[error("{message}")]
    Guest { message: String, retryable: bool },
    /// The guest failed after asking for an HTTP host its grant does not include. Not
    /// retryable: grant the host in the manifest's `allowed-http-hosts`, or do not call it.
    #[error("http host not granted: {0}")]
    HttpDenied(String),
    /// A local I/O failure (cache directory, adapter directory). May pass.
    #[error("i/o: {0}")]
    Io(#[from] std::io::Error),
    /// A key could not be parsed or used. Fix the configuration.
    #[error("key: {0}")]
    Key(String),
    /// A chain adapter reported an error and classified it.
    #[error("adapter error ({kind}): {message}")]
    Adapter { kind: AdapterErrorKind, message: String },
    /// No adapter is loaded for the chain's family yet (or it could not start). The
    /// chain waits; retrying helps once an adapter file is dropped in.
    #[error("adapter unavailable: {0}")]
    Unavailable(String),
}

/// How a chain adapter classified its own error (mirrors the WIT `adapter-error`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum AdapterErrorKind {
    /// A passing fault; retry with backoff.
    Transient,
    /// Refused for good.
    Rejected,
    /// The configuration or an argument is malformed.
    InvalidConfig,
    /// Not supported by this adapter.
    Unsupported,
}

impl std::fmt::Display for AdapterErrorKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            AdapterErrorKind::Transient => "transient",
            AdapterErrorKind::Rejected => "rejected",
            AdapterErrorKind::InvalidConfig => "invalid-config",
            AdapterErrorKind::Unsupported => "unsupported",
        })
    }
}

impl RuntimeError {
    /// A short name for the cause, counted and shown by the node's API.
    pub fn kind(&self) -> &'static str {
        match self {
            RuntimeError::InvalidComponent(_) => "invalid-component",
            RuntimeError::LimitExceeded(_) => "limit-exceeded",
            RuntimeError::Trap(_) => "trap",
            RuntimeError::Guest { .. } => "component-error",
            RuntimeError::HttpDenied(_) => "http-denied",
            RuntimeError::Io(_) => "io",
            RuntimeError::Key(_) => "key",
            RuntimeError::Adapter { .. } | RuntimeError::Unavailable(_) => "adapter",
        }
    }

    /// Whether the same call may succeed later.
    pub fn is_retryable(&self) -> bool {
        match self {
            RuntimeError::Guest { retryable, .. } => *retryable,
            RuntimeError::Io(_) | RuntimeError::Unavailable(_) => true,
            RuntimeError::Adapter { kind, .. } => *kind == AdapterErrorKind::Transient,
            _ => false,
        }
    }
}

/// Result alias for the runtime.
pub type Result<T, E = RuntimeError> = std::result::Result<T, E>;

/// Whether `err` is the guest stopped at its deadline: by the epoch callback or a host
/// call (`meter.rs`), or by the caller's timeout turned into the same trap.
pub(crate) fn is_deadline(err: &wasmtime::Error) -> bool {
    err.downcast_ref::<wasmtime::Trap>() == Some(&wasmtime::Trap::Interrupt)
}

/// A call's outcome under `tokio::time::timeout`, with the timeout as the deadline trap,
/// so both ways a deadline passes are handled in one place.
pub(crate) fn deadline_as_trap<T>(
    outcome: std::result::Result<wasmtime::Result<T>, tokio::time::error::Elapsed>,
) -> wasmtime::Result<T> {
    outcome.unwrap_or_else(|_| Err(wasmtime::Trap::Interrupt.into()))
}

/// Classifies a wasmtime error raised by a call into the guest, keeping the message
/// short: the trap or root cause, not the wasm backtrace.
pub(crate) fn classify_call_error(err: wasmtime::Error, limits_hint: &str) -> RuntimeError {
    if let Some(trap) = err.downcast_ref::<wasmtime::Trap>() {
        return match trap {
            wasmtime::Trap::OutOfFuel => {
                RuntimeError::LimitExceeded(format!("out of fuel ({limits_hint})"))
            }
            wasmtime::Trap::Interrupt => {
                RuntimeError::LimitExceeded(format!("time limit reached ({limits_hint})"))
            }
            wasmtime::Trap::StackOverflow => {
                RuntimeError::LimitExceeded("stack overflow (call depth too deep)".into())
            }
            other => RuntimeError::Trap(other.to_string()),
        };
    }
    let root = err.root_cause().to_string();
    let root = root.lines().last().unwrap_or_default().trim();
    let root = root.rsplit_once(">: ").map_or(root, |(_, cause)| cause);
    if root.contains("resource table has no free keys") {
        return RuntimeError::LimitExceeded(format!(
            "host-handles limit reached: the guest holds too many live host resources (HTTP requests, headers, \
             streams) at once ({limits_hint})"
        ));
    }
    if root.contains("growing memory") {
        return RuntimeError::LimitExceeded(format!("memory limit reached: {root} ({limits_hint})"));
    }
    RuntimeError::Trap(root.to_string())
}
