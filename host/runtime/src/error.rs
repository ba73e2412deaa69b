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
    /// A chain adapter's instance failed during `call` — it trapped, broke its limits or
    /// did not answer in time (`cause` says which) — and was dropped. Not the caller's
    /// fault: retrying helps, as the next call runs on a fresh instance (or on a fixed
    /// build the operator drops in).
    #[error("adapter instance failed in {call} and was restarted: {cause}")]
    AdapterFault {
        call: String,
        #[source]
        cause: Box<RuntimeError>,
    },
    /// Every instance slot of the engine is in use. Retrying helps once other executions
    /// finish.
    #[error("busy: {0}")]
    Busy(String),
    /// The host could not set up or meter a call: not the guest's doing. Retrying may
    /// help; the node's log has the detail.
    #[error("host: {0}")]
    Host(String),
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
    /// More than one transaction can carry; a smaller batch can land.
    TooLarge,
}

impl std::fmt::Display for AdapterErrorKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            AdapterErrorKind::Transient => "transient",
            AdapterErrorKind::Rejected => "rejected",
            AdapterErrorKind::InvalidConfig => "invalid-config",
            AdapterErrorKind::Unsupported => "unsupported",
            AdapterErrorKind::TooLarge => "too-large",
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
            RuntimeError::AdapterFault { .. } => "adapter-fault",
            RuntimeError::Busy(_) => "busy",
            RuntimeError::Host(_) => "host",
        }
    }

    /// Whether the adapter said the submission is more than one transaction can carry.
    pub fn is_too_large(&self) -> bool {
        matches!(self, RuntimeError::Adapter { kind: AdapterErrorKind::TooLarge, .. })
    }

    /// Whether the same call may succeed later.
    pub fn is_retryable(&self) -> bool {
        match self {
            RuntimeError::Guest { retryable, .. } => *retryable,
            RuntimeError::Io(_) | RuntimeError::Unavailable(_) => true,
            RuntimeError::AdapterFault { .. } | RuntimeError::Busy(_) | RuntimeError::Host(_) => true,
            RuntimeError::Adapter { kind, .. } => *kind == AdapterErrorKind::Transient,
            _ => false,
        }
    }
}

impl RuntimeError {
    /// What actually went wrong: for an adapter fault, the trap or limit behind it.
    pub fn cause(&self) -> &RuntimeError {
        match self {
            RuntimeError::AdapterFault { cause, .. } => cause.cause(),
            other => other,
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn failures_of_the_guest_are_final_and_those_of_an_instance_or_the_host_are_not() {
        let trap = || RuntimeError::Trap("unreachable".into());
        assert!(!trap().is_retryable(), "a component that traps traps again on the same input");
        let fault = RuntimeError::AdapterFault { call: "envelope-digest".into(), cause: Box::new(trap()) };
        assert!(fault.is_retryable(), "the adapter instance is restarted: the next call may answer");
        assert_eq!((fault.kind(), fault.cause().kind()), ("adapter-fault", "trap"));
        assert_eq!(fault.to_string(), "adapter instance failed in envelope-digest and was restarted: guest trapped: unreachable");
        assert_eq!(std::error::Error::source(&fault).map(ToString::to_string), Some("guest trapped: unreachable".into()));
        for (e, kind) in [(RuntimeError::Busy("pool full".into()), "busy"), (RuntimeError::Host("no store".into()), "host")] {
            assert!(e.is_retryable() && e.kind() == kind, "{e}");
        }
    }
}
