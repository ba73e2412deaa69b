//! The aggregator's seam at a chain: what intake and the batcher ask of one. The
//! chain's WASM adapter answers in production (`ChainAdapter`); the batcher's unit
//! tests use an in-memory chain (`crate::testing::FakeChain`), so recheck, split, the
//! size cap and every retry rule are tested without anvil.

use std::future::Future;
use std::pin::Pin;
use wavs_runtime::bindings::adapter_api::{HandlerInfo, OperatorSet, Receipt, Signature, SignedEnvelope, SubmissionLimits};
use wavs_runtime::bindings::curves_api::Scheme;
use wavs_runtime::bindings::wit_types::Envelope;
use wavs_runtime::{ChainAdapter, Result};

/// A boxed future, so that the trait can be used as `dyn`.
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// One chain as the aggregator uses it. Errors keep the runtime's meaning:
/// `is_retryable()` says whether asking again can help.
pub trait SubmitChain: Send + Sync + 'static {
    /// Whether an adapter serves the chain now.
    fn has_adapter(&self) -> bool;

    /// Adapter restarts after traps or timeouts, since start.
    fn restarts(&self) -> u64;

    /// The digest operators sign for `envelope` to be handled by `handler`.
    fn envelope_digest<'a>(&'a self, handler: &'a str, envelope: &'a Envelope) -> BoxFuture<'a, Result<Vec<u8>>>;

    /// The service manager `handler` validates signatures with, and its scheme.
    fn handler_info<'a>(&'a self, handler: &'a str) -> BoxFuture<'a, Result<HandlerInfo>>;

    /// The chain's identity for a public key of `scheme`.
    fn operator_id<'a>(&'a self, scheme: Scheme, public_key: &'a [u8]) -> BoxFuture<'a, Result<String>>;

    /// The operator `signature` over `digest` proves; refused if it proves none.
    fn verify<'a>(&'a self, digest: &'a [u8], signature: &'a Signature) -> BoxFuture<'a, Result<String>>;

    /// How much one submission may carry.
    fn submission_limits(&self) -> BoxFuture<'_, Result<SubmissionLimits>>;

    /// The operator set `manager` holds now.
    fn operator_set<'a>(&'a self, manager: &'a str) -> BoxFuture<'a, Result<OperatorSet>>;

    /// Submits `envelopes` to `handler` in one transaction.
    fn submit<'a>(&'a self, handler: &'a str, envelopes: &'a [SignedEnvelope]) -> BoxFuture<'a, Result<Receipt>>;

    /// Whether `handler` has accepted `event_id`.
    fn is_handled<'a>(&'a self, handler: &'a str, event_id: &'a [u8]) -> BoxFuture<'a, Result<bool>>;
}

impl SubmitChain for ChainAdapter {
    fn has_adapter(&self) -> bool {
        ChainAdapter::has_adapter(self)
    }

    fn restarts(&self) -> u64 {
        ChainAdapter::restarts(self)
    }

    fn envelope_digest<'a>(&'a self, handler: &'a str, envelope: &'a Envelope) -> BoxFuture<'a, Result<Vec<u8>>> {
        Box::pin(ChainAdapter::envelope_digest(self, handler, envelope))
    }

    fn handler_info<'a>(&'a self, handler: &'a str) -> BoxFuture<'a, Result<HandlerInfo>> {
        Box::pin(ChainAdapter::handler_info(self, handler))
    }

    fn operator_id<'a>(&'a self, scheme: Scheme, public_key: &'a [u8]) -> BoxFuture<'a, Result<String>> {
        Box::pin(ChainAdapter::operator_id(self, scheme, public_key))
    }

    fn verify<'a>(&'a self, digest: &'a [u8], signature: &'a Signature) -> BoxFuture<'a, Result<String>> {
        Box::pin(ChainAdapter::verify(self, digest, signature))
    }

    fn submission_limits(&self) -> BoxFuture<'_, Result<SubmissionLimits>> {
        Box::pin(ChainAdapter::submission_limits(self))
    }

    fn operator_set<'a>(&'a self, manager: &'a str) -> BoxFuture<'a, Result<OperatorSet>> {
        Box::pin(ChainAdapter::operator_set(self, manager, None))
    }

    fn submit<'a>(&'a self, handler: &'a str, envelopes: &'a [SignedEnvelope]) -> BoxFuture<'a, Result<Receipt>> {
        Box::pin(ChainAdapter::submit(self, handler, envelopes))
    }

    fn is_handled<'a>(&'a self, handler: &'a str, event_id: &'a [u8]) -> BoxFuture<'a, Result<bool>> {
        Box::pin(ChainAdapter::is_handled(self, handler, event_id))
    }
}
