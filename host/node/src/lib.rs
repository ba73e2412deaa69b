//! The WAVS operator node: configuration, durable store, trigger loops, dispatcher,
//! HTTP API and CLI.
//!
//! A trigger enters in [`reader`] (a cron tick in [`cron`], a manual task through
//! [`api`]) and is stored as a pending [`job`]; [`scheduler`] runs it through [`dispatcher`], which
//! records the execution and its signed envelopes; [`sender`] delivers those to the
//! aggregator until it acknowledges them. Everything in between is in [`store`].

pub mod api;
pub mod backoff;
mod chains;
pub mod cli;
pub mod components;
pub mod config;
pub mod cron;
pub mod dispatcher;
pub mod error;
pub mod executions;
mod http_rules;
pub mod job;
mod kv_store;
pub mod node;
pub mod reader;
pub mod scheduler;
pub mod sender;
pub mod services;
pub mod status_page;
pub mod store;

pub use config::NodeConfig;
pub use error::{NodeError, Result};
pub use node::Node;
