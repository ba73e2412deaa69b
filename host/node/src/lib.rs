//! The WAVS operator node: configuration, durable store, its stages, HTTP API and CLI.
//!
//! A trigger enters in [`reader`] (a cron tick in [`cron`], a manual task through
//! [`api`]) and is stored as a pending [`job`]; the [`scheduler`] runs it through the
//! [`executor`], which records the execution and its signed envelopes; the [`sender`]
//! delivers those to the aggregator until it acknowledges them. Everything in between
//! is in [`store`]; [`node`] makes the stages and joins them.

pub mod api;
/// Jittered retry schedules, shared with the aggregator's queue.
pub use wavs_types::backoff;
pub mod chains;
pub mod cli;
pub mod components;
pub mod config;
pub mod cron;
pub mod deployed;
pub mod error;
pub mod executions;
pub mod executor;
pub mod fetch;
pub mod follow;
pub mod follow_rounds;
mod http_rules;
pub mod job;
mod kv_store;
pub mod metrics;
pub mod node;
pub mod p2p;
pub mod reader;
pub mod scheduler;
pub mod secrets;
pub mod sender;
pub mod services;
pub mod status_page;
pub mod store;
#[cfg(test)]
mod testing;

pub use config::NodeConfig;
pub use error::{NodeError, Result};
pub use node::Node;
