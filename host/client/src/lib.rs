//! Typed clients for the WAVS node's and aggregator's HTTP APIs. The CLI, the devnet,
//! the bench, the tests and the node's own sender call them through [`NodeClient`] and
//! [`AggregatorClient`] instead of building requests by hand; their answers are the types
//! of `wavs_types`, their failures a [`ClientError`] that keeps the server's `ApiError`
//! (and so whether to try again).
//!
//! Mutating calls send the API token as `Authorization: Bearer <token>` when one is
//! given (`with_token`) and the `Content-Type` the server requires.

mod aggregator;
mod error;
mod http;
mod node;

pub use aggregator::AggregatorClient;
pub use error::ClientError;
pub use node::NodeClient;
