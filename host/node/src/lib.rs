//! The WAVS operator node: configuration, durable store, trigger loops, dispatcher,
//! HTTP API and CLI.
//!
//! A trigger enters in [`trigger_loop`] (or as a manual task through [`api`]), runs in
//! [`dispatcher`], and leaves signed for the aggregator.

pub mod api;
pub mod backoff;
pub mod cli;
pub mod config;
pub mod dispatcher;
pub mod error;
pub mod executions;
pub mod node;
pub mod services;
pub mod store;
pub mod trigger_loop;

pub use config::NodeConfig;
pub use error::{NodeError, Result};
pub use node::Node;
