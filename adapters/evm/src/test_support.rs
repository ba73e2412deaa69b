//! What the unit tests share: reading the message of the error they expect.

use crate::bindings::exports::wavs::adapter::adapter::AdapterError;
use std::fmt::Debug;

/// The message of a `rejected` answer; panics naming anything else.
pub fn rejected<T: Debug>(result: Result<T, AdapterError>) -> String {
    match result {
        Err(AdapterError::Rejected(m)) => m,
        other => panic!("expected rejected, got {other:?}"),
    }
}

/// The message of an `invalid-config` answer; panics naming anything else.
pub fn invalid_config<T: Debug>(result: Result<T, AdapterError>) -> String {
    match result {
        Err(AdapterError::InvalidConfig(m)) => m,
        other => panic!("expected invalid-config, got {other:?}"),
    }
}
