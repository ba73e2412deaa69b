//! The WAVS aggregator: collects operator signatures per envelope, checks them against
//! the operator set on chain, and submits quorum-complete envelopes in batches through
//! the target chain's adapter. It knows no chain: every chain detail is the adapter's.
//!
//! It trusts no poster: it serves only targets (chain, manager, handler) it knows
//! (`targets`), takes weights and thresholds only from the target's manager on chain
//! (`quorum`), bounds what each target may hold (`queue`), re-checks signers against the
//! current operator set before every submission and before calling a refusal final
//! (`batcher`), and carries on after storage faults (`store`). The queue survives
//! restarts in `<data-dir>/aggregator.redb`. Each chain submits with its own key. Chains
//! can be added while it runs (`chains`, `POST /chains`); a result for a chain not added
//! yet is refused as retryable, so its sender keeps it until it can land.

pub mod api;
pub mod auth;
pub mod batcher;
pub mod chain;
pub mod chains;
pub mod committer;
pub mod config;
pub mod durable;
pub mod error;
pub mod metrics;
pub mod queue;
pub mod quorum;
pub mod readers;
pub mod store;
pub mod targets;
pub mod turns;
#[cfg(test)]
mod testing;

use config::AggregatorConfig;
use durable::DurableQueue;
use error::Result;
use parking_lot::Mutex;
use serde::Serialize;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;
use wavs_runtime::{AdapterRegistry, WasmEngine};

/// Counters shown by `/health` and `/metrics`.
#[derive(Default, Serialize)]
#[serde(rename_all = "kebab-case")]
pub struct Counters {
    /// Signed envelopes received.
    pub received: AtomicU64,
    /// Signatures refused (bad signature, not an operator, invalid).
    pub rejected_signatures: AtomicU64,
    /// Submissions refused because their target is not served (or the chain says the
    /// handler validates with another manager).
    pub refused_targets: AtomicU64,
    /// Submissions refused because their target was at its caps.
    pub over_capacity: AtomicU64,
    /// Envelopes landed on chain.
    pub landed: AtomicU64,
    /// Envelopes whose submission failed for good.
    pub failed: AtomicU64,
    /// Envelopes that expired before landing.
    pub expired: AtomicU64,
    /// Signatures dropped before a submission because their signer was no longer an
    /// operator.
    pub stale_signatures: AtomicU64,
    /// Transactions sent.
    pub batches: AtomicU64,
    /// Writes to the durable store that failed (and were retried).
    pub store_errors: AtomicU64,
}

impl Counters {
    pub(crate) fn bump(counter: &AtomicU64, by: u64) {
        counter.fetch_add(by, Ordering::Relaxed);
    }
}

/// Milliseconds since the Unix epoch: the stored clock of queue entries.
pub(crate) use wavs_types::backoff::unix_ms as now_ms;

/// A running aggregator's shared state.
pub struct Aggregator {
    pub(crate) config: AggregatorConfig,
    pub(crate) registry: Arc<AdapterRegistry>,
    /// The chains served (configured, and added with `POST /chains`): each with its
    /// submitting adapter instance (which holds the chain's key) and its reading ones.
    pub(crate) chains: chains::Chains,
    /// What intake's reads answered (the digests operators sign).
    pub(crate) readers: readers::Readers,
    pub(crate) queue: Arc<Mutex<DurableQueue>>,
    /// Writes what handlers stage in the queue, many changes per fsync.
    pub(crate) committer: committer::Committer,
    pub(crate) targets: targets::Targets,
    pub(crate) operator_sets: quorum::OperatorSets,
    pub(crate) counters: Counters,
    pub(crate) token: auth::ApiToken,
    /// Whose turn it is to submit, when this is one of many aggregators.
    pub(crate) turns: Option<turns::Turns>,
    /// Why the aggregator must stop, once it must (the store is lost).
    fatal: tokio::sync::watch::Sender<Option<String>>,
}

/// A started aggregator.
pub struct Handle {
    /// The address the API listens on.
    pub addr: SocketAddr,
    /// The state.
    pub aggregator: Arc<Aggregator>,
}

impl Handle {
    /// Waits until the aggregator cannot go on (its store is gone or corrupt) and says
    /// why; the binary then exits non-zero.
    pub async fn fatal(&self) -> String {
        let mut rx = self.aggregator.fatal.subscribe();
        loop {
            if let Some(why) = rx.borrow_and_update().clone() {
                return why;
            }
            if rx.changed().await.is_err() {
                return "the aggregator stopped".into();
            }
        }
    }
}

impl Aggregator {
    /// Reloads the queue, targets and chains added at runtime, loads adapters (each
    /// chain with its own key), starts the batcher and the API.
    pub async fn start(config: AggregatorConfig) -> Result<Handle> {
        let token = auth::resolve(&config)?;
        let engine = WasmEngine::new(config.data_dir.join("cache"))?;
        let registry = Arc::new(AdapterRegistry::new(engine, &config.adapters_dir)?);
        registry.scan().await?;
        let aggregator = Arc::new(Aggregator::assemble(config, token, registry, chains::Chains::default())?);
        // Each chain's adapter holds that chain's key only.
        for submitter in aggregator.open_chains()? {
            aggregator.submitting_account(&submitter).await;
        }
        let rescan = aggregator.registry.clone();
        tokio::spawn(async move {
            loop {
                tokio::time::sleep(Duration::from_secs(2)).await;
                if let Err(e) = rescan.scan().await {
                    tracing::warn!("cannot scan adapters directory: {e}");
                }
            }
        });
        tokio::spawn(batcher::run(aggregator.clone()));
        let listener = tokio::net::TcpListener::bind(aggregator.config.api_addr).await?;
        let addr = listener.local_addr()?;
        let router = api::router(aggregator.clone());
        tokio::spawn(async move {
            if let Err(e) = axum::serve(listener, router).await {
                tracing::error!("aggregator API stopped: {e}");
            }
        });
        tracing::info!(api = %addr, "aggregator ready");
        Ok(Handle { addr, aggregator })
    }

    /// The aggregator's state over the given chains: the queue and targets reloaded
    /// from the store, the group committer started; nothing runs yet. `start` then
    /// serves the configured and stored chains through adapters; the batcher's tests
    /// give it in-memory chains.
    pub(crate) fn assemble(
        config: AggregatorConfig,
        token: auth::ApiToken,
        registry: Arc<AdapterRegistry>,
        chains: chains::Chains,
    ) -> Result<Aggregator> {
        // Entries that were in flight when the last process died are queued again; the
        // batcher asks `is-handled` before sending, so nothing lands twice.
        let queue = DurableQueue::open(&config.data_dir)?;
        let stored_targets = queue.store().targets()?;
        // Configured targets may name their chain by `family:chain-id`; kept by local name.
        let configured: Vec<targets::Target> = config
            .targets
            .iter()
            .map(|t| targets::Target::new(config.chain_name(&t.chain).unwrap_or(&t.chain), &t.manager, &t.handler))
            .collect();
        let targets = targets::Targets::new(&configured, stored_targets);
        let total = queue.total();
        tracing::info!(store = %queue.path().display(), open = total.entries, bytes = total.bytes, queued = queue.depth(), finished = queue.finished().count(), targets = targets.list().len(), "queue reloaded");
        let queue = Arc::new(Mutex::new(queue));
        let committer = committer::Committer::start(queue.clone())?;
        Ok(Aggregator {
            turns: config.turns.as_ref().map(turns::Turns::new),
            config,
            registry,
            chains,
            readers: readers::Readers::default(),
            queue,
            committer,
            targets,
            operator_sets: quorum::OperatorSets::default(),
            counters: Counters::default(),
            token,
            fatal: tokio::sync::watch::channel(None).0,
        })
    }

    /// Stops the aggregator for good: the store cannot keep what it acknowledged.
    pub(crate) fn die(&self, why: String) {
        tracing::error!("{why}");
        self.fatal.send_replace(Some(why));
    }
}
